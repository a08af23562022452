"""Serve benchmark: `kbtool serve` over HTTP, and the site's first search result in Chromium.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/serve_bench.py --corpus-root ../shared/corpus [--quick]

HTTP (the real server as a subprocess, `--workers 2` on this machine's cores, spoken to by a
bounded asyncio + aiohttp load generator on the same machine):

- search latency (median, p95) and answers per second at 1, 8 and 32 concurrent clients, for
  short queries (at most five words, `search_metrics.short_query`) and sentence-long ones;
- at the repository's size (its procedures, its regression phrasings), at 1,349 articles
  (officedocs-dev from `--corpus-root`) and at 25,000 (a scaled copy of officedocs-dev, made
  like the search benchmark's; without the corpus, 25,000 synthetic procedures from synth.py);
- one `kbtool index --rebuild` in the middle of a run at 8 clients: every answer that is not a
  200 with results counted as an error.

Browser (Debian's headless Chromium, a fresh profile each time: cold cache): time from opening
the site (with `?q=`, Material's deep link, so typing speed does not count) to the first result
shown, for the same built site of 1,000 and 5,000 synthetic procedures served by `kbtool serve`
and by a plain static server (Material's own search, which downloads and indexes the whole
search_index.json first).

Targets (issue 11): p95 under 50 ms at 8 clients at 25,000; at least 200 answers/s for short
queries at 25,000; no error during the rebuild; first result under 0.5 s at 5,000.
Prints a table and writes benchmarks/out/serve.json.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import http.server
import itertools
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from bench_common import machine, write_results  # noqa: E402
from search_metrics import document_frequencies, percentile, short_query  # noqa: E402
from synth import WORDS, generate  # noqa: E402

REPO = HERE.parent
DEFAULT_OUT = HERE / "out" / "serve.json"
TODAY = "2026-11-01"
SCALE = 25_000
CONCURRENCY = (1, 8, 32)
BROWSER_SIZES = (1000, 5000)
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

TARGET_P95_MS = 50.0
TARGET_RPS = 200.0
TARGET_FIRST_RESULT_S = 0.5

SITE_YML = """\
site_name: Bench KB
docs_dir: docs
theme:
  name: material
  font: false
  features: [search.suggest, search.highlight, navigation.tabs, navigation.sections]
plugins:
  - search
  - kbtool:
      today: "{today}"
nav:
  - Home: index.md
  - By service: services/index.md
  - Owners: owners.md
  - Review: review.md
validation:
  nav: {{omitted_files: ignore}}
  links: {{unrecognized_links: ignore, anchors: ignore}}
"""

#: Injected before any page script: when the first search result appears, note the time
#: since navigation started (ms).
FIRST_RESULT = """
new MutationObserver(function (changes, observer) {
  if (document.querySelector('li.md-search-result__item')) {
    window.__firstResult = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


def log(message: str) -> None:
    print(f"[serve-bench] {message}", file=sys.stderr, flush=True)


def kbtool(*args: str, cwd: Path) -> float:
    """Run `kbtool ARGS` in `cwd`; its wall time in seconds."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kbtool", "--today", TODAY, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"kbtool {' '.join(args)}: {done.stdout}{done.stderr}"[-2000:])
    return time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the knowledge bases ----------------------------------------------------------------------


@dataclass
class Corpus:
    name: str
    procedures: Path
    workdir: Path
    queries: dict[str, list[str]]  # "short" / "sentence" -> queries
    size: int = 0
    index_seconds: float = 0.0


def _queries_from(records: list[dict[str, str]], texts: list[str]) -> dict[str, list[str]]:
    frequencies = document_frequencies(texts)
    sentences = [r["query"] for r in records]
    return {"short": [short_query(q, frequencies) for q in sentences], "sentence": sentences}


def _read_jsonl(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _articles_text(folder: Path) -> list[str]:
    return [p.read_text("utf-8", errors="replace") for p in sorted(folder.rglob("*.md"))]


def make_scaled_copy(source: Path, dest: Path, count: int) -> None:
    from search_bench import make_scaled_copy as scaled  # the search benchmark's own copy

    scaled(source, dest, count)


def synthetic_queries(procedures: Path, count: int = 200) -> dict[str, list[str]]:
    """Short queries (title words) and sentences (summaries) of the synthetic procedures."""
    rng = random.Random(7)
    files = sorted(procedures.rglob("KB-*.md")) or sorted(procedures.rglob("*.md"))
    picked = [files[rng.randrange(len(files))] for _ in range(count)]
    short, sentences = [], []
    for path in picked:
        front = path.read_text("utf-8").split("---")[1]
        fields = dict(line.split(": ", 1) for line in front.strip().splitlines() if ": " in line)
        short.append(" ".join(fields.get("title", rng.choice(WORDS)).lower().split()[:3]))
        sentences.append(f"the caller says {fields.get('summary', '').lower()} since this morning")
    return {"short": short, "sentence": sentences}


def corpora(corpus_root: Path | None, workdir: Path, quick: bool) -> list[Corpus]:
    found: list[Corpus] = []
    regression = _read_jsonl(REPO / "tests" / "search-regression.jsonl")
    found.append(
        Corpus(
            "repository",
            REPO / "procedures",
            workdir / "repository",
            _queries_from(regression, _articles_text(REPO / "procedures")),
        )
    )
    office = corpus_root / "officedocs-dev" if corpus_root else None
    if office is not None and (office / "queries.jsonl").is_file():
        records = _read_jsonl(office / "queries.jsonl")
        queries = _queries_from(records, _articles_text(office / "articles"))
        found.append(Corpus("officedocs-dev", office / "articles", workdir / "officedocs", queries))
        if not quick:
            scaled = workdir / "scaled-articles"
            log(f"writing a {SCALE}-article scaled copy of officedocs-dev")
            make_scaled_copy(office / "articles", scaled, SCALE)
            found.append(Corpus(f"scaled-{SCALE}", scaled, workdir / "scaled", queries))
    elif not quick:
        log(f"no officedocs-dev under {corpus_root}: {SCALE} synthetic procedures instead")
        synthetic = generate(workdir / "synthetic", SCALE, seed=1)
        found.append(
            Corpus(
                f"synthetic-{SCALE}",
                synthetic,
                workdir / "synthetic-kb",
                synthetic_queries(synthetic),
            )
        )
    for corpus in found:
        corpus.workdir.mkdir(parents=True, exist_ok=True)
        site = corpus.workdir / "site"
        site.mkdir(exist_ok=True)
        (site / "index.html").write_text("<!doctype html><title>bench</title>", "utf-8")
        corpus.size = sum(1 for _ in corpus.procedures.rglob("*.md"))
    return found


# --- the server and the load ------------------------------------------------------------------


class Serve:
    """`kbtool serve` as a subprocess; stopped with SIGTERM."""

    def __init__(self, cwd: Path, *args: str, workers: int = 2) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kbtool",
                "--today",
                TODAY,
                *args,
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        import httpx

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"kbtool serve exited: {self.process.communicate()[0]}")
            try:
                if httpx.get(self.url + "/api/health", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("kbtool serve did not come up")

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.communicate(timeout=60)[0]
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.communicate()[0]


@dataclass
class Load:
    concurrency: int
    kind: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        ok = self.latencies
        return {
            "clients": self.concurrency,
            "queries": self.kind,
            "answers": len(ok),
            "errors": len(self.errors),
            "error_samples": self.errors[:3],
            "median_ms": round(statistics.median(ok) * 1000, 2) if ok else None,
            "p95_ms": round(percentile(ok, 95.0) * 1000, 2) if ok else None,
            "per_second": round(len(ok) / self.seconds, 1) if self.seconds else None,
            "seconds": round(self.seconds, 2),
            # Other jobs on a shared machine: the 1-minute load average when the run ended.
            "load_average": round(os.getloadavg()[0], 2),
        }


async def _load(
    url: str, queries: Sequence[str], load: Load, max_requests: int, until: Any
) -> None:
    """`load.concurrency` clients, each sending the next query as soon as its last answer came,
    until `max_requests` were sent or `until()` says stop. aiohttp, not httpx: its client
    costs about a third of httpx's per request (C parser), and it runs on the server's cores."""
    import aiohttp

    counter = itertools.count()
    connector = aiohttp.TCPConnector(limit=load.concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as client:

        async def client_loop() -> None:
            while True:
                i = next(counter)
                if i >= max_requests or until():
                    return
                query = queries[i % len(queries)]
                start = time.perf_counter()
                try:
                    async with client.get(
                        "/api/search", params={"q": query, "limit": "10"}
                    ) as response:
                        raw = await response.read()
                        status = response.status
                    elapsed = time.perf_counter() - start
                    body = json.loads(raw)
                    if status == 200 and isinstance(body.get("results"), list):
                        load.latencies.append(elapsed)
                    else:
                        load.errors.append(f"{status}: {raw[:120]!r}")
                except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
                    load.errors.append(repr(exc)[:160])

        start = time.perf_counter()
        await asyncio.gather(*(client_loop() for _ in range(load.concurrency)))
        load.seconds = time.perf_counter() - start


def run_load(
    url: str,
    queries: Sequence[str],
    concurrency: int,
    kind: str,
    max_requests: int,
    max_seconds: float,
    stop: threading.Event | None = None,
) -> Load:
    load = Load(concurrency, kind)
    deadline = time.perf_counter() + max_seconds

    def until() -> bool:
        return time.perf_counter() > deadline or (stop is not None and stop.is_set())

    try:
        import aiohttp  # noqa: F401 - the bench extra's client
    except ImportError:  # the test install: httpx, slower on the client side
        generator = _load_httpx
    else:
        generator = _load
    try:
        import uvloop

        uvloop.run(generator(url, queries, load, max_requests, until))
    except ImportError:
        asyncio.run(generator(url, queries, load, max_requests, until))
    return load


async def _load_httpx(
    url: str, queries: Sequence[str], load: Load, max_requests: int, until: Any
) -> None:
    """`_load` with httpx (when aiohttp is not installed)."""
    import httpx

    counter = itertools.count()
    limits = httpx.Limits(max_connections=load.concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def client_loop() -> None:
            while True:
                i = next(counter)
                if i >= max_requests or until():
                    return
                start = time.perf_counter()
                try:
                    response = await client.get(
                        "/api/search", params={"q": queries[i % len(queries)], "limit": 10}
                    )
                    elapsed = time.perf_counter() - start
                    body = response.json()
                    if response.status_code == 200 and isinstance(body.get("results"), list):
                        load.latencies.append(elapsed)
                    else:
                        load.errors.append(f"{response.status_code}: {response.text[:120]}")
                except (httpx.HTTPError, ValueError) as exc:
                    load.errors.append(repr(exc)[:160])

        start = time.perf_counter()
        await asyncio.gather(*(client_loop() for _ in range(load.concurrency)))
        load.seconds = time.perf_counter() - start


def bench_http(corpus: Corpus, quick: bool) -> dict[str, Any]:
    log(f"{corpus.name}: indexing {corpus.size} procedures")
    args = ("--procedures", str(corpus.procedures))
    corpus.index_seconds = kbtool(*args, "index", "--rebuild", cwd=corpus.workdir)
    server = Serve(corpus.workdir, *args)
    result: dict[str, Any] = {
        "corpus": corpus.name,
        "procedures": corpus.size,
        "index_seconds": round(corpus.index_seconds, 1),
        "runs": [],
    }
    requests = 60 if quick else 3000
    seconds = 3.0 if quick else 20.0
    try:
        for kind in ("short", "sentence"):
            run_load(server.url, corpus.queries[kind][:20], 4, kind, 40, 10)  # warm up
            for concurrency in CONCURRENCY:
                load = run_load(
                    server.url, corpus.queries[kind], concurrency, kind, requests, seconds
                )
                result["runs"].append(load.summary())
                log(f"{corpus.name}: {load.summary()}")
        result["rebuild"] = bench_rebuild(server.url, corpus, args, quick)
    finally:
        output = server.stop()
    result["server_tracebacks"] = output.count("Traceback")
    return result


def bench_rebuild(url: str, corpus: Corpus, args: tuple[str, ...], quick: bool) -> dict[str, Any]:
    """Short queries at 8 clients while `kbtool index --rebuild` runs, from 1 s in."""
    import httpx

    before = httpx.get(url + "/api/health", timeout=30).json()["index"]["generation"]
    stop = threading.Event()
    timing: dict[str, float] = {}

    def rebuild() -> None:
        time.sleep(1.0)
        try:
            timing["rebuild_seconds"] = kbtool(*args, "index", "--rebuild", cwd=corpus.workdir)
        finally:
            time.sleep(1.0)  # and a second of searches on the new generation
            stop.set()

    thread = threading.Thread(target=rebuild)
    thread.start()
    load = run_load(url, corpus.queries["short"], 8, "short", 10**6, 30 if quick else 300, stop)
    thread.join()
    after = httpx.get(url + "/api/health", timeout=30).json()["index"]["generation"]
    return {**load.summary(), **timing, "generation_switched": after != before}


# --- the browser ------------------------------------------------------------------------------


class StaticSite:
    """A plain static server (Python's http.server) on the built site: Material's search."""

    class _Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    def __init__(self, root: Path) -> None:
        handler = functools.partial(self._Quiet, directory=str(root))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def first_result_seconds(url: str, profile: Path, timeout: float) -> float | None:
    """Open `url` in a fresh Chromium profile; seconds from navigation to the first result."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--no-first-run",
        "--window-size=1400,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.set_page_load_timeout(timeout)
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": FIRST_RESULT})
        driver.get(url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = driver.execute_script("return window.__firstResult || null")
            if value is not None:
                return float(value) / 1000.0
            time.sleep(0.02)
        return None
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def bench_browser(size: int, workdir: Path, repeat: int) -> dict[str, Any]:
    folder = workdir / f"site-{size}"
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    (folder / "docs" / "index.md").write_text("# Bench KB\n\nHome.\n", "utf-8")
    procedures = generate(folder, size, seed=1)
    (folder / "mkdocs.yml").write_text(SITE_YML.format(today=TODAY), "utf-8")
    log(f"browser: building the site of {size} procedures")
    start = time.perf_counter()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet"],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"mkdocs build failed: {done.stderr[-2000:]}")
    build_seconds = time.perf_counter() - start
    kbtool("index", cwd=folder)
    queries = synthetic_queries(procedures, repeat)["short"]
    index_bytes = (folder / "site" / "search" / "search_index.json").stat().st_size
    result: dict[str, Any] = {
        "procedures": size,
        "site_build_seconds": round(build_seconds, 1),
        "search_index_bytes": index_bytes,
    }
    served = Serve(folder)
    static = StaticSite(folder / "site")
    try:
        for name, base in (("kbtool serve", served.url), ("Material (static)", static.url)):
            times = []
            for n, query in enumerate(queries):
                seconds = first_result_seconds(
                    f"{base}/?q={quote(query)}", workdir / f"profile-{size}-{n}", 180.0
                )
                times.append(seconds)
                log(f"browser {size} {name}: {query!r} -> {seconds}")
            measured = [t for t in times if t is not None]
            result[name] = {
                "median_s": round(statistics.median(measured), 3) if measured else None,
                "min_s": round(min(measured), 3) if measured else None,
                "max_s": round(max(measured), 3) if measured else None,
                "runs": len(times),
                "no_result": len(times) - len(measured),
            }
    finally:
        static.stop()
        served.stop()
    return result


# --- report -----------------------------------------------------------------------------------


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    big = next((r for r in result["http"] if r["procedures"] >= 20_000), None)
    if big is not None:
        for run in big["runs"]:
            if run["clients"] == 8:
                checks.append(
                    {
                        "target": f"p95 < {TARGET_P95_MS:.0f} ms at 8 clients, {run['queries']}"
                        f" queries, {big['procedures']:,} procedures",
                        "measured": f"{run['p95_ms']} ms",
                        "met": (run["p95_ms"] or 1e9) < TARGET_P95_MS,
                    }
                )
        best = max(
            (r["per_second"] or 0 for r in big["runs"] if r["queries"] == "short"), default=0
        )
        checks.append(
            {
                "target": f">= {TARGET_RPS:.0f} answers/s, short queries, {big['procedures']:,}",
                "measured": f"{best} /s (best of 1, 8, 32 clients)",
                "met": best >= TARGET_RPS,
            }
        )
    for run in result["http"]:
        rebuild = run.get("rebuild") or {}
        checks.append(
            {
                "target": f"no error during a rebuild ({run['corpus']})",
                "measured": f"{rebuild.get('errors')} errors in {rebuild.get('answers')} answers,"
                f" generation switched: {rebuild.get('generation_switched')}",
                "met": rebuild.get("errors") == 0 and bool(rebuild.get("generation_switched")),
            }
        )
    for browser in result["browser"]:
        if browser["procedures"] == 5000:
            median = browser["kbtool serve"]["median_s"]
            checks.append(
                {
                    "target": f"first result < {TARGET_FIRST_RESULT_S} s at 5,000 (kbtool serve)",
                    "measured": (
                        f"{median} s (Material: {browser['Material (static)']['median_s']} s)"
                    ),
                    "met": median is not None and median < TARGET_FIRST_RESULT_S,
                }
            )
    return checks


def print_report(result: dict[str, Any]) -> None:
    print("\nHTTP search through kbtool serve (2 workers; load generator on the same 2 cores)")
    print(
        f"{'corpus':<16}{'procs':>7} {'queries':<9}{'clients':>8}{'median ms':>11}"
        f"{'p95 ms':>9}{'answers/s':>11}{'errors':>8}"
    )
    for corpus in result["http"]:
        for run in [*corpus["runs"], {**corpus["rebuild"], "queries": "rebuild"}]:
            print(
                f"{corpus['corpus']:<16}{corpus['procedures']:>7} {run['queries']:<9}"
                f"{run['clients']:>8}{run['median_ms']!s:>11}{run['p95_ms']!s:>9}"
                f"{run['per_second']!s:>11}{run['errors']:>8}"
            )
    if result["browser"]:
        print("\nBrowser: open the site with ?q=, time to the first result (cold cache, median)")
        for browser in result["browser"]:
            print(
                f"{browser['procedures']:>6} procedures: kbtool serve"
                f" {browser['kbtool serve']['median_s']} s, Material's search"
                f" {browser['Material (static)']['median_s']} s"
                f" (search_index.json {browser['search_index_bytes'] / 1e6:.1f} MB)"
            )
    print("\nTargets")
    for check in result["targets"]:
        print(f"  [{'met' if check['met'] else 'MISSED'}] {check['target']}: {check['measured']}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--corpus-root",
        type=Path,
        help="folder holding officedocs-dev/ (optional; synthetic without it)",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run of a minute or two")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium part")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP load part")
    parser.add_argument("--browser-sizes", default=",".join(map(str, BROWSER_SIZES)))
    parser.add_argument("--browser-repeat", type=int, default=5, help="page opens per mode")
    parser.add_argument("--workdir", type=Path, help="keep the work files here")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.corpus_root is not None:  # the runs work in other folders
        args.corpus_root = args.corpus_root.resolve()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kbtool-serve-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"machine": machine(), "http": [], "browser": []}
    try:
        for corpus in [] if args.no_http else corpora(args.corpus_root, workdir, args.quick):
            result["http"].append(bench_http(corpus, args.quick))
        browser_ok = CHROMIUM.exists() and CHROMEDRIVER.exists()
        if not args.no_browser and not browser_ok:
            log("no Chromium (run .ci/install-browser): browser part skipped")
        if not args.no_browser and browser_ok:
            sizes = [200] if args.quick else [int(s) for s in args.browser_sizes.split(",")]
            repeat = 2 if args.quick else args.browser_repeat
            for size in sizes:
                result["browser"].append(bench_browser(size, workdir, repeat))
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    result["targets"] = targets(result)
    print_report(result)
    write_results(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
