"""Events benchmark: `kbtool report` over 100,000 recorded events, and search while events are
written.

    .venv/bin/python benchmarks/events_bench.py [--events 100000] [--procedures 2000] [--quick]

1. A synthetic knowledge base (synth.py) is indexed, and its events store (SQLite, the
   default) is filled with `--events` events spread over 180 days, in the mix a desk makes:
   searches from the site, the API and the CLI (some finding nothing, with filters), results
   opened at realistic ranks, page views, "Did this solve it?" answers and problem reports.
   The insert rate is reported.
2. `kbtool report --format json` and `kbtool feedback --format json` are timed as a user runs
   them (fresh processes, median of `--repeat`), next to `kbtool report` on the same knowledge
   base without events (the health report's own cost, the peer).
3. Search latency through the real `kbtool serve` (one worker process): rounds of sequential
   `GET /api/search`, alternately while a second client posts events as fast as it can
   (`POST /api/events`, each queued and written by the server's writer thread) and while the
   same client only asks `GET /api/events` as fast (the same load, nothing written); median
   and p95 of each, over the same queries.

Targets (issue 12): report under 2 s at 100,000 events; search p95 unchanged within noise
while events are written. Prints a table and writes benchmarks/out/events.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from bench_common import machine, write_results  # noqa: E402
from search_metrics import percentile  # noqa: E402
from synth import WORDS, generate  # noqa: E402

DEFAULT_OUT = HERE / "out" / "events.json"
TODAY = "2026-11-01"
TARGET_REPORT_S = 2.0
CPU_SECONDS: list[float] = []
CHANNELS = ("site", "site", "site", "api", "cli")
CATEGORIES = ("wrong step", "out of date", "unclear", "missing case")


def log(message: str) -> None:
    print(f"[events-bench] {message}", file=sys.stderr, flush=True)


def kbtool(*args: str, cwd: Path) -> float:
    """Run `kbtool ARGS` in `cwd`; its wall time (its CPU time is added to CPU_SECONDS)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kbtool", "--today", TODAY, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_SECONDS.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"kbtool {' '.join(args)}: {done.stdout}{done.stderr}"[-2000:])
    return elapsed


def ids_of(procedures: Path) -> list[str]:
    found = []
    for path in sorted(procedures.rglob("*.md")):
        match = re.search(r"^id: (\S+)", path.read_text("utf-8"), re.M)
        if match:
            found.append(match.group(1))
    return found


def make_events(count: int, ids: list[str], seed: int = 7) -> list[Any]:
    """`count` events over the 180 days before TODAY, in a desk's mix."""
    from kbtool.events import Event

    rng = random.Random(seed)
    end = dt.datetime.fromisoformat(TODAY + "T18:00:00+00:00")
    events: list[Event] = []
    serial = 0
    while len(events) < count:
        serial += 1
        when = end - dt.timedelta(seconds=rng.randrange(180 * 86400))
        channel = rng.choice(CHANNELS)
        query = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
        results = 0 if rng.random() < 0.12 else rng.randint(1, 40)
        search_id = f"bench{serial:010d}"
        filters = {"service": "Email"} if rng.random() < 0.1 else {}
        events.append(
            Event("search", channel, time=when, query=query, results=results,
                  search_id=search_id if channel == "site" else None, filters=filters)
        )  # fmt: skip
        if channel != "site" or not results or rng.random() < 0.3:
            continue
        target = rng.choice(ids)
        rank = min(results, 1 + int(rng.expovariate(0.8)))
        events.append(Event("result_opened", "site", time=when, procedure=target, rank=rank,
                            search_id=search_id, query=query))  # fmt: skip
        events.append(Event("page_view", "site", time=when, procedure=target))
        if rng.random() < 0.4:
            events.append(Event("solved", "site", time=when, procedure=target,
                                solved=rng.random() < 0.75, search_id=search_id))  # fmt: skip
        if rng.random() < 0.08:
            events.append(Event("problem_report", "site", time=when, procedure=target,
                                category=rng.choice(CATEGORIES),
                                text=" ".join(rng.choice(WORDS) for _ in range(12))))  # fmt: skip
    return events[:count]


def fill(root: Path, events: list[Any]) -> float:
    from kbtool.events import open_store
    from kbtool.model.config import load_config

    store = open_store(load_config(cwd=root))
    start = time.perf_counter()
    for first in range(0, len(events), 5000):
        store.add(events[first : first + 5000])
    elapsed = time.perf_counter() - start
    assert store.count() == len(events)
    store.close()
    return elapsed


def timed(root: Path, repeat: int, *args: str) -> dict[str, float]:
    """Wall seconds (median, min) and CPU seconds (min: least disturbed by other jobs)."""
    kbtool(*args, cwd=root)  # warm: the page cache, the store's first open
    CPU_SECONDS.clear()
    runs = [kbtool(*args, cwd=root) for _ in range(repeat)]
    return {"median_s": statistics.median(runs), "min_s": min(runs), "cpu_s": min(CPU_SECONDS)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(root: Path) -> tuple[subprocess.Popen[str], str]:
    import httpx

    port = free_port()
    # Only the API is measured: an empty folder stands for the site (no `mkdocs build`).
    site = root / "site"
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text("<!doctype html><title>bench</title>", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "kbtool", "--today", TODAY, "serve", "--port", str(port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/api/health", timeout=2)
            return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("kbtool serve did not start")


def search_latency(url: str, ids: list[str], rounds: int, per_round: int) -> dict[str, Any]:
    """Alternate rounds of searches alone and searches while a client posts events."""
    import httpx

    rng = random.Random(3)
    queries = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))) for _ in range(200)]
    alone: list[float] = []
    loaded: list[float] = []
    posted = 0
    with httpx.Client(base_url=url, timeout=30) as client:
        for query in queries[:20]:
            client.get("/api/search", params={"q": query})  # warm
        for number in range(rounds * 2):
            writing = number % 2 == 1
            stop = threading.Event()
            counter = [0]
            # The same second client either way, so only the writing differs: it posts events,
            # or asks GET /api/events (answered without writing anything).
            thread = threading.Thread(target=_post_events, args=(url, ids, stop, counter, writing))
            thread.start()
            time.sleep(0.2)
            target = loaded if writing else alone
            for index in range(per_round):
                query = queries[(number * per_round + index) % len(queries)]
                start = time.perf_counter()
                answer = client.get("/api/search", params={"q": query})
                target.append(time.perf_counter() - start)
                assert answer.status_code == 200, answer.text
            stop.set()
            thread.join()
            if writing:
                posted += counter[0]
    return {
        "searches_each": len(alone),
        "events_posted_meanwhile": posted,
        "alone": _latency(alone),
        "while_writing": _latency(loaded),
    }


def _post_events(
    url: str, ids: list[str], stop: threading.Event, counter: list[int], writing: bool
) -> None:
    """Until `stop`: post page views as fast as one client can (counting those accepted), or
    with `writing` false, ask the events status as fast (the same client load, no write)."""
    import httpx

    rng = random.Random(5)
    with httpx.Client(base_url=url, timeout=30) as poster:
        while not stop.is_set():
            if not writing:
                poster.get("/api/events")
                continue
            event = {"type": "page_view", "procedure": rng.choice(ids)}
            if poster.post("/api/events", json=event).status_code == 202:
                counter[0] += 1


def _latency(seconds: list[float]) -> dict[str, float]:
    return {
        "median_ms": statistics.median(seconds) * 1000,
        "p95_ms": percentile(seconds, 95.0) * 1000,
    }


def print_report(result: dict[str, Any]) -> None:
    fill_ = result["fill"]
    print(f"\nevents store: {fill_['events']:,} events written in {fill_['seconds']:.2f} s"
          f" ({fill_['per_second']:,.0f}/s), SQLite {fill_['bytes'] / 1e6:.1f} MB")  # fmt: skip
    print(f"\n{'command':40} {'median s':>9} {'min s':>7} {'CPU s':>7}")
    for name, figures in result["commands"].items():
        print(
            f"{name:40} {figures['median_s']:9.3f} {figures['min_s']:7.3f} {figures['cpu_s']:7.3f}"
        )
    latency = result["search"]
    print(f"\nsearch over HTTP ({latency['searches_each']} each;"
          f" {latency['events_posted_meanwhile']:,} events posted meanwhile)")  # fmt: skip
    print(f"{'':16} {'median ms':>10} {'p95 ms':>8}")
    for key in ("alone", "while_writing"):
        row = latency[key]
        print(f"{key:16} {row['median_ms']:10.2f} {row['p95_ms']:8.2f}")
    print()
    for target in result["targets"]:
        mark = "PASS" if target["met"] else "MISS"
        print(f"[{mark}] {target['name']}: {target['value']}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--procedures", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--per-round", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--corpus-root", type=Path, help="unused: the store is synthetic")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.quick:
        args.events, args.procedures, args.repeat = 5000, 200, 1
        args.rounds, args.per_round = 1, 20
    with tempfile.TemporaryDirectory(prefix="kbtool-events-bench-") as folder:
        root = Path(folder) / "kb"
        log(f"{args.procedures} synthetic procedures")
        procedures = generate(root, args.procedures)
        ids = ids_of(procedures)
        kbtool("index", cwd=root)
        commands = {"kbtool report (no events)": timed(root, args.repeat, "report", "--format",
                                                        "json")}  # fmt: skip
        log(f"{args.events:,} events")
        events = make_events(args.events, ids)
        seconds = fill(root, events)
        store_file = root / ".kbtool" / "events.sqlite3"
        commands[f"kbtool report ({args.events:,} events)"] = timed(
            root, args.repeat, "report", "--format", "json"
        )
        commands[f"kbtool feedback ({args.events:,} events)"] = timed(
            root, args.repeat, "feedback", "--format", "json"
        )
        log("search latency through kbtool serve")
        process, url = serve(root)
        try:
            latency = search_latency(url, ids, args.rounds, args.per_round)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        report_s = commands[f"kbtool report ({args.events:,} events)"]["median_s"]
        report_cpu = commands[f"kbtool report ({args.events:,} events)"]["cpu_s"]
        alone, writing = latency["alone"]["p95_ms"], latency["while_writing"]["p95_ms"]
        result = {
            "benchmark": "events",
            "machine": machine(),
            "procedures": args.procedures,
            "fill": {
                "events": args.events,
                "seconds": seconds,
                "per_second": args.events / seconds,
                "bytes": sum(p.stat().st_size for p in store_file.parent.glob("events.sqlite3*")),
            },
            "commands": commands,
            "search": latency,
            "targets": [
                {
                    "name": f"kbtool report at {args.events:,} events < {TARGET_REPORT_S} s",
                    "value": f"{report_s:.2f} s wall (median), {report_cpu:.2f} s CPU",
                    "met": report_s < TARGET_REPORT_S,
                },
                {
                    "name": "search p95 while events are written, within noise (<= 1.25x alone)",
                    "value": f"{writing:.1f} ms vs {alone:.1f} ms ({writing / alone:.2f}x)",
                    "met": writing <= alone * 1.25,
                },
            ],
        }
    print_report(result)
    write_results(args.out, result)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    sys.exit(main())
