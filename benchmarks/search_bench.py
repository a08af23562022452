"""Search benchmark: kbtool next to SQLite FTS5, plain Whoosh and tantivy, in one run.

    .venv/bin/pip install -e '.[bench]'        # tantivy, a benchmark-only extra
    .venv/bin/python benchmarks/search_bench.py --corpus-root ../shared/corpus [--quick]

Measures, on the real corpora (`officedocs-dev`, `runbooks`, `gitlab-dev`; benchmarks/README.md),
next to every peer configuration of `search_peers.ENGINES`:

- quality: MRR@10 and recall@1/5/10 for the corpus's sentence-long queries and for short
  queries of at most five words derived from them (`search_metrics.short_query`);
- index build time, and in-process query latency (median, p95) with the searcher kept open;
- the same speed figures at about 25,000 documents (`--scale`), on a scaled copy of
  officedocs-dev written to a temporary folder (`make_scaled_copy`), plus kbtool's
  incremental update after one file changed;
- `kbtool search` end to end as a subprocess (median of N runs), next to `python -c pass`.

Prints a table and writes JSON to benchmarks/out/search.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_metrics import (  # noqa: E402
    document_frequencies,
    latency_summary,
    quality,
    rank_of,
    short_query,
    wins_losses,
)
from search_peers import (  # noqa: E402
    ENGINES,
    KbtoolEngine,
    LunrEngine,
    SearchEngine,
    load_documents,
)
from typo_queries import typo_query  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS_ROOT = REPO.parent / "shared" / "corpus"
DEFAULT_OUT = REPO / "benchmarks" / "out" / "search.json"
CORPORA = ("officedocs-dev", "runbooks", "gitlab-dev")
#: Engines timed on the scaled copy by default (the title-weighted variants time the same).
SCALE_ENGINES = ("kbtool", "fts5", "whoosh", "tantivy")
SCALE_SOURCE = "officedocs-dev"
WARMUP_QUERIES = 10

ATTRIBUTION = (
    "Contains articles from Microsoft's OfficeDocs-Support repository "
    "(https://github.com/MicrosoftDocs/OfficeDocs-Support), (c) Microsoft Corporation, licensed "
    "under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); modified: front-matter "
    "descriptions removed and used as search queries. Runbooks from prometheus-operator/runbooks "
    "and alert rules from prometheus-operator/kube-prometheus (Apache-2.0). Contains pages and "
    "alert texts from GitLab's runbooks for GitLab.com (https://gitlab.com/gitlab-com/runbooks), "
    "(c) GitLab B.V., MIT License; modified: alert annotations joined into queries."
)

# The targets (kbtool at the scaled size, and against the peers).
#: MRR@10 of sentence queries kbtool must reach per corpus (issue 14).
TARGET_MRR = {"officedocs-dev": 0.938, "runbooks": 0.937, "gitlab-dev": 0.65}
TARGET_SHORT_P95_MS = 30.0
TARGET_SENTENCE_P95_MS = 150.0
TARGET_BUILD_S = 40.0
TARGET_UPDATE_S = 1.0
TARGET_E2E_MEDIAN_MS = 300.0


@dataclass(frozen=True)
class Query:
    text: str
    short: str
    target: str
    typo: str = ""  # the short query with one or two misspellings (`typo_queries.py`)


def log(message: str) -> None:
    print(f"[search-bench] {message}", file=sys.stderr, flush=True)


def load_queries(corpus_dir: Path, articles: Sequence[str], lowercase: bool = False) -> list[Query]:
    """The corpus's queries with their short forms (document frequencies from its articles).

    Short forms are always lower case; `lowercase` lower-cases the sentences too."""
    frequencies = document_frequencies(articles)
    queries: list[Query] = []
    with (corpus_dir / "queries.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                text = record["query"].lower() if lowercase else record["query"]
                short = short_query(text, frequencies)
                typo = typo_query(short, f"{corpus_dir.name}:{len(queries)}")
                queries.append(Query(text, short, record["target"], typo))
    return queries


def timed_queries(
    engine: SearchEngine, texts: Sequence[str]
) -> tuple[list[list[str]], list[float]]:
    """Results and per-query seconds, after a few untimed warm-up queries."""
    for text in texts[:WARMUP_QUERIES]:
        engine.search(text, limit=10)
    results: list[list[str]] = []
    seconds: list[float] = []
    for text in texts:
        start = time.perf_counter()
        hits = engine.search(text, limit=10)
        seconds.append(time.perf_counter() - start)
        results.append(hits)
    return results, seconds


def measure_engine(
    engine: SearchEngine,
    articles_dir: Path,
    workdir: Path,
    queries: Sequence[Query],
    with_quality: bool,
) -> dict[str, Any]:
    """Build, open, run the sentence-long then the short queries; quality when asked."""
    start = time.perf_counter()
    engine.build(articles_dir, workdir)
    figures: dict[str, Any] = {"build_s": time.perf_counter() - start}
    engine.open()
    try:
        for kind in ("sentence", "short", "typo") if with_quality else ("sentence", "short"):
            texts = [getattr(q, "text" if kind == "sentence" else kind) for q in queries]
            results, seconds = timed_queries(engine, texts)
            entry: dict[str, Any] = {"latency": latency_summary(seconds)}
            if with_quality:
                ranks = [rank_of(q.target, hits) for q, hits in zip(queries, results, strict=True)]
                entry["quality"] = quality(ranks)
                entry["ranks"] = ranks  # per query, for wins and losses (None: not in the ten)
            figures[kind] = entry
    finally:
        engine.close()
    return figures


def guarded(name: str, step: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run one measurement; a failure is recorded, not fatal to the run."""
    try:
        return step(*args)
    except Exception as error:  # noqa: BLE001 - any engine failure is a reported result
        traceback.print_exc(file=sys.stderr)
        return {"error": f"{name}: {type(error).__name__}: {error}"}


_PROSE_SKIP = re.compile(r"^\s*(#|```|~~~|\||>|-{3,}\s*$)")


def perturb(text: str, rng: random.Random, drop: float = 0.08) -> str:
    """Drop `drop` of the words on prose lines (at least one), chosen by `rng`; front
    matter, headings, code blocks, tables and quotes stay as they are, so every copy is still
    a valid article with the same title."""
    lines = text.split("\n")
    start = 0
    if lines and lines[0].rstrip() == "---":
        for index in range(1, len(lines)):
            if lines[index].rstrip() == "---":
                start = index + 1
                break
    prose: list[tuple[int, int]] = []  # (line, word) of every droppable word
    words_by_line: dict[int, list[str]] = {}
    in_code = False
    for index in range(start, len(lines)):
        line = lines[index]
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code or _PROSE_SKIP.match(line) or not line.strip():
            continue
        words_by_line[index] = line.split(" ")
        prose += [(index, i) for i, word in enumerate(words_by_line[index]) if word]
    if not prose:
        return text
    dropped = set(rng.sample(prose, max(1, round(drop * len(prose)))))
    for index, words in words_by_line.items():
        lines[index] = " ".join(w for i, w in enumerate(words) if (index, i) not in dropped)
    return "\n".join(lines)


def make_scaled_copy(source: Path, dest: Path, count: int) -> int:
    """Write `count` articles under `dest`: copy k of every source article goes to
    `cNN/<path>`; copy 0 is verbatim, later copies drop 8% of their prose words (seeded by
    copy and path) so documents are not identical. Returns the number written."""
    files = sorted(source.rglob("*.md"))
    if not files:
        raise ValueError(f"{source}: no Markdown articles")
    for index in range(count):
        copy, src = divmod(index, len(files))
        rel = files[src].relative_to(source).as_posix()
        text = files[src].read_text(encoding="utf-8", errors="replace")
        if copy:
            text = perturb(text, random.Random(f"{copy}:{rel}"))
        out = dest / f"c{copy:02d}" / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return count


def kbtool_command() -> list[str]:
    script = Path(sys.executable).parent / "kbtool"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kbtool"]


def wall_times(commands: Sequence[Sequence[str]], cwd: Path) -> tuple[list[float], list[int]]:
    """Wall time of each command run as a subprocess (two untimed warm-up runs first)."""
    for command in commands[:2]:
        subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    seconds: list[float] = []
    codes: list[int] = []
    for command in commands:
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
        seconds.append(time.perf_counter() - start)
        codes.append(done.returncode)
        if done.returncode not in (0, 1):
            raise RuntimeError(
                f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode()[-500:]}"
            )
    return seconds, codes


def end_to_end(
    articles_dir: Path, workdir: Path, queries: Sequence[Query], runs: int
) -> dict[str, Any]:
    """`kbtool --procedures DIR search QUERY` from the folder holding the index."""
    texts = [queries[i % len(queries)].short for i in range(runs)]
    commands = [[*kbtool_command(), "--procedures", str(articles_dir), "search", t] for t in texts]
    seconds, codes = wall_times(commands, workdir)
    summary = latency_summary(seconds)
    summary["found"] = float(codes.count(0))
    return summary


def python_startup(runs: int) -> dict[str, float]:
    seconds, _ = wall_times([[sys.executable, "-c", "pass"]] * runs, REPO)
    return latency_summary(seconds)


def spread(queries: Sequence[Query], count: int) -> list[Query]:
    """`count` queries evenly spread over the list (all of them when fewer)."""
    if count >= len(queries):
        return list(queries)
    return [queries[i * len(queries) // count] for i in range(count)]


def present_corpora(corpus_root: Path) -> list[str]:
    """The corpora found under the root (each needs `articles/` and `queries.jsonl`)."""
    return [
        c
        for c in CORPORA
        if (corpus_root / c / "queries.jsonl").is_file() and (corpus_root / c / "articles").is_dir()
    ]


def bench_corpora(
    corpus_root: Path,
    corpus_names: Sequence[str],
    engines: Sequence[str],
    work: Path,
    e2e_runs: int,
    max_queries: int | None = None,
    lowercase: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    corpora: dict[str, Any] = {}
    e2e: dict[str, Any] = {}
    for corpus in corpus_names:
        corpus_dir = corpus_root / corpus
        articles_dir = corpus_dir / "articles"
        documents = load_documents(articles_dir)
        queries = load_queries(corpus_dir, [f"{d.title}\n{d.body}" for d in documents], lowercase)
        total_queries = len(queries)
        if max_queries:
            queries = spread(queries, max_queries)
        entry: dict[str, Any] = {
            "documents": len(documents),
            "queries": len(queries),
            "queries_in_corpus": total_queries,
            "engines": {},
        }
        corpora[corpus] = entry
        for name in engines:
            log(f"{corpus}: {name} ({len(documents)} documents, {len(queries)} queries)")
            engine = ENGINES[name]()
            workdir = work / corpus / name
            entry["engines"][name] = guarded(
                name, measure_engine, engine, articles_dir, workdir, queries, True
            )
            if name == "kbtool" and "error" not in entry["engines"][name] and e2e_runs:
                log(f"{corpus}: kbtool search end to end x{e2e_runs}")
                e2e[corpus] = guarded(
                    "kbtool search", end_to_end, articles_dir, workdir, queries, e2e_runs
                )
    return corpora, e2e


def bench_scale(
    corpus_root: Path,
    engines: Sequence[str],
    work: Path,
    scale: int,
    query_count: int,
    e2e_runs: int,
    lowercase: bool = False,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    source_dir = corpus_root / SCALE_SOURCE
    articles_dir = work / "scaled" / "articles"
    log(f"scaled copy: writing {scale} articles")
    start = time.perf_counter()
    make_scaled_copy(source_dir / "articles", articles_dir, scale)
    copy_s = time.perf_counter() - start
    source_docs = load_documents(source_dir / "articles")
    queries = spread(
        load_queries(source_dir, [f"{d.title}\n{d.body}" for d in source_docs], lowercase),
        query_count,
    )
    result: dict[str, Any] = {
        "documents": scale,
        "queries": len(queries),
        "copy_s": copy_s,
        "engines": {},
    }
    e2e: dict[str, Any] | None = None
    for name in [e for e in engines if e in SCALE_ENGINES]:
        log(f"scaled: {name} ({scale} documents, {len(queries)} queries)")
        engine = ENGINES[name]()
        workdir = work / "scaled" / name
        figures = guarded(name, measure_engine, engine, articles_dir, workdir, queries, False)
        result["engines"][name] = figures
        if isinstance(engine, KbtoolEngine) and "error" not in figures:
            figures.update(guarded("kbtool update", kbtool_updates, engine, articles_dir))
            if e2e_runs:
                log(f"scaled: kbtool search end to end x{e2e_runs}")
                e2e = guarded("kbtool search", end_to_end, articles_dir, workdir, queries, e2e_runs)
        shutil.rmtree(workdir, ignore_errors=True)
    return result, e2e


def kbtool_updates(engine: KbtoolEngine, articles_dir: Path) -> dict[str, Any]:
    """Incremental `build_index` with nothing changed, then after one file's content changed."""
    start = time.perf_counter()
    unchanged = engine.update()
    noop_s = time.perf_counter() - start
    files = sorted(articles_dir.rglob("*.md"))
    victim = files[len(files) // 2]
    victim.write_text(
        victim.read_text(encoding="utf-8") + "\nEdited by the search benchmark.\n",
        encoding="utf-8",
    )
    start = time.perf_counter()
    changed = engine.update()
    update_s = time.perf_counter() - start
    return {
        "update_noop_s": noop_s,
        "update_one_file_s": update_s,
        "update_stats": {"noop": _stats(unchanged), "one_file": _stats(changed)},
    }


def _stats(stats: Any) -> dict[str, Any]:
    names = ("added", "updated", "removed", "total", "seconds")
    return {n: getattr(stats, n) for n in names if hasattr(stats, n)}


def git_commit() -> str:
    """The commit measured, with `+dirty` when kbtool/ has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "kbtool"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return head + ("+dirty" if dirty else "") if head else "unknown"


def versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for module in ("whoosh", "tantivy", "kbtool"):
        try:
            from importlib.metadata import version

            dist = {"whoosh": "whoosh-reloaded"}.get(module, module)
            found[module] = version(dist)
        except Exception:  # noqa: BLE001 - missing optional package
            found[module] = "not installed"
    return found


# --- report -----------------------------------------------------------------------------


def _num(value: Any, fmt: str) -> str:
    return format(value, fmt) if isinstance(value, int | float) else "-"


def _get(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def best_peer(engines: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]] | None:
    """The peer configuration with the highest MRR@10 for `kind` queries."""
    peers = [
        (name, figures)
        for name, figures in engines.items()
        if not name.startswith("kbtool") and _get(figures, kind, "quality", "mrr10") is not None
    ]
    if not peers:
        return None
    return max(peers, key=lambda item: item[1][kind]["quality"]["mrr10"])


def versus_best(engines: dict[str, Any], kind: str) -> str:
    """kbtool's wins and losses per query against the best peer, e.g. `+12 -5 vs lunrx10`."""
    best = best_peer(engines, kind)
    mine = _get(engines, "kbtool", kind, "ranks")
    if best is None or mine is None or "ranks" not in best[1].get(kind, {}):
        return ""
    wins, losses = wins_losses(mine, best[1][kind]["ranks"])
    return f"+{wins} -{losses} vs {best[0]}"


def format_report(result: dict[str, Any]) -> str:
    lines: list[str] = []
    lines.append(
        "Search quality (one relevant document per query; plain-text queries, and as written"
        " for kbtool-typed)"
    )
    header = (
        f"{'corpus':<15} {'queries':>7} {'engine':<11}"
        f" {'MRR@10':>7} {'R@1':>6} {'R@5':>6} {'R@10':>6}"
        f"   short: {'MRR@10':>7} {'R@1':>6} {'R@5':>6} {'R@10':>6}"
    )
    lines += [header, "-" * len(header)]
    for corpus, entry in result["corpora"].items():
        for name, figures in entry["engines"].items():
            if "error" in figures:
                lines.append(
                    f"{corpus:<15} {entry['queries']:>7} {name:<11} ERROR {figures['error']}"
                )
                continue
            s, q = figures["sentence"]["quality"], figures["short"]["quality"]
            lines.append(
                f"{corpus:<15} {entry['queries']:>7} {name:<11}"
                f" {s['mrr10']:>7.3f} {s['recall1']:>6.3f} "
                f"{s['recall5']:>6.3f} {s['recall10']:>6.3f}          "
                f"{q['mrr10']:>7.3f} {q['recall1']:>6.3f} {q['recall5']:>6.3f}"
                f" {q['recall10']:>6.3f}"
            )
        engines = entry["engines"]
        lines.append(
            f"{'':<15} {'':>7} {'per query':<11} sentence {versus_best(engines, 'sentence')};"
            f" short {versus_best(engines, 'short')}"
        )
    lines.append("")
    lines.append(
        "Typo'd short queries (one or two misspellings each, typo_queries.py): MRR@10 and"
        " what they lose against the clean short queries"
    )
    header = f"{'corpus':<15} {'engine':<11} {'clean':>7} {'typo':>7} {'lost':>7}"
    lines += [header, "-" * len(header)]
    for corpus, entry in result["corpora"].items():
        for name, figures in entry["engines"].items():
            clean = _get(figures, "short", "quality", "mrr10")
            typo = _get(figures, "typo", "quality", "mrr10")
            if clean is None or typo is None:
                continue
            lines.append(
                f"{corpus:<15} {name:<11} {clean:>7.3f} {typo:>7.3f} {clean - typo:>+7.3f}"
            )
    lines.append("")
    lines.append("Index build and in-process query latency (searcher kept open; ms)")
    header = (
        f"{'corpus':<15} {'docs':>6} {'engine':<8} {'build s':>8}"
        f" {'sent. med':>10} {'p95':>8} {'short med':>10} {'p95':>8}"
    )
    lines += [header, "-" * len(header)]
    sized = [(c, e) for c, e in result["corpora"].items()]
    if result.get("scale"):
        sized.append(("scaled", result["scale"]))
    for label, entry in sized:
        for name, figures in entry["engines"].items():
            if "error" in figures:
                lines.append(f"{label:<15} {entry['documents']:>6} {name:<8} ERROR")
                continue
            lines.append(
                f"{label:<15} {entry['documents']:>6} {name:<8} {figures['build_s']:>8.2f}"
                f" {figures['sentence']['latency']['median_ms']:>10.2f}"
                f" {figures['sentence']['latency']['p95_ms']:>8.2f}"
                f" {figures['short']['latency']['median_ms']:>10.2f}"
                f" {figures['short']['latency']['p95_ms']:>8.2f}"
            )
    if result.get("scale"):
        lines.append(
            f"scaled: a {result['scale']['documents']}-document copy of {SCALE_SOURCE}, "
            f"{result['scale']['queries']} of its queries timed"
        )
    kb_scale = _get(result, "scale", "engines", "kbtool") or {}
    if "update_one_file_s" in kb_scale:
        lines.append(
            f"kbtool incremental update at {result['scale']['documents']} documents: "
            f"{kb_scale['update_one_file_s']:.3f} s after one changed file, "
            f"{kb_scale['update_noop_s']:.3f} s with nothing changed"
        )
    lines.append("")
    lines.append("`kbtool search` end to end (subprocess wall time, short queries; ms)")
    for label, figures in result["end_to_end"].items():
        if isinstance(figures, dict) and "error" in figures:
            lines.append(f"  {label:<22} ERROR {figures['error']}")
        elif isinstance(figures, dict):
            lines.append(
                f"  {label:<22} median {figures['median_ms']:8.1f}   p95 {figures['p95_ms']:8.1f}"
                f"   (n={int(figures['count'])})"
            )
    lines.append("")
    lines.append("Targets (kbtool)")
    for check in result["targets"]:
        mark = {True: "PASS", False: "MISS", None: "n/a "}[check["ok"]]
        lines.append(f"  [{mark}] {check['target']}: {check['measured']}")
    return "\n".join(lines)


def check_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []

    def add(target: str, ok: bool | None, measured: str) -> None:
        checks.append({"target": target, "ok": ok, "measured": measured})

    for corpus, entry in result["corpora"].items():
        engines = entry["engines"]
        for kind in ("sentence", "short"):
            mine = _get(engines, "kbtool", kind, "quality", "mrr10")
            best = best_peer(engines, kind)
            best_mrr = best[1][kind]["quality"]["mrr10"] if best else None
            add(
                f"MRR@10 above every peer on {corpus}, {kind} queries",
                None if mine is None or best_mrr is None else mine > best_mrr,
                f"kbtool {_num(mine, '.3f')}, best peer "
                + (f"{best[0]} {best_mrr:.3f}" if best else "-")
                + (f" ({versus_best(engines, kind)} per query)" if best else ""),
            )
        floor = TARGET_MRR.get(corpus)
        mine = _get(engines, "kbtool", "sentence", "quality", "mrr10")
        if floor is not None and entry["queries"] == entry["queries_in_corpus"]:
            add(
                f"MRR@10 at least {floor:.3f} on {corpus}",
                None if mine is None else round(mine, 3) >= floor,
                f"{_num(mine, '.3f')}",
            )
    scale = result.get("scale") or {}
    kb = _get(scale, "engines", "kbtool") or {}
    docs = scale.get("documents", "-")
    for kind, limit in (("short", TARGET_SHORT_P95_MS), ("sentence", TARGET_SENTENCE_P95_MS)):
        p95 = _get(kb, kind, "latency", "p95_ms")
        add(
            f"p95 < {limit:.0f} ms for {kind} queries at {docs} documents",
            None if p95 is None else p95 < limit,
            f"{_num(p95, '.1f')} ms",
        )
    build = kb.get("build_s")
    add(
        f"full build < {TARGET_BUILD_S:.0f} s at {docs} documents",
        None if build is None else build < TARGET_BUILD_S,
        f"{_num(build, '.1f')} s",
    )
    update = kb.get("update_one_file_s")
    add(
        f"incremental update after one changed file < {TARGET_UPDATE_S:.0f} s at {docs} documents",
        None if update is None else update < TARGET_UPDATE_S,
        f"{_num(update, '.3f')} s",
    )
    for label, figures in result["end_to_end"].items():
        if label == "python -c pass":
            continue
        median = _get(figures, "median_ms")
        add(
            f"`kbtool search` end to end median < {TARGET_E2E_MEDIAN_MS:.0f} ms ({label})",
            None if median is None else median < TARGET_E2E_MEDIAN_MS,
            f"{_num(median, '.0f')} ms",
        )
    return checks


# --- command line -------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="kbtool search quality and speed next to FTS5, Whoosh and tantivy."
    )
    parser.add_argument(
        "corpus_root_pos", nargs="?", type=Path, metavar="CORPUS_ROOT", help="same as --corpus-root"
    )
    parser.add_argument(
        "--corpus-root",
        type=Path,
        default=None,
        help=f"folder holding officedocs-dev/ and runbooks/ (default {DEFAULT_CORPUS_ROOT})",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 50 queries per corpus, no scaled copy, 3 end-to-end runs",
    )
    parser.add_argument(
        "--engines",
        default=",".join(ENGINES),
        help="comma-separated subset of " + ",".join(ENGINES),
    )
    parser.add_argument(
        "--scale", type=int, default=25_000, help="documents in the scaled copy (0 skips it)"
    )
    parser.add_argument(
        "--scale-queries",
        type=int,
        default=200,
        help="officedocs queries (evenly spread) timed at the scaled size",
    )
    parser.add_argument(
        "--e2e-runs",
        type=int,
        default=None,
        help="`kbtool search` subprocess runs per size (default 20, quick 3)",
    )
    parser.add_argument(
        "--max-queries",
        type=int,
        default=None,
        help="score only this many queries per corpus, evenly spread (default all; quick 50)",
    )
    parser.add_argument(
        "--lowercase",
        action="store_true",
        help="lower-case the sentence-long queries too (tantivy then also merges repeated words)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON output file")
    args = parser.parse_args(argv)
    args.corpus_root = (args.corpus_root or args.corpus_root_pos or DEFAULT_CORPUS_ROOT).resolve()
    args.engine_list = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in args.engine_list if e not in ENGINES]
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(unknown)}; choose from {', '.join(ENGINES)}")
    if args.e2e_runs is None:
        args.e2e_runs = 3 if args.quick else 20
    if args.quick:
        args.scale = 0
    if args.max_queries is None:
        args.max_queries = 50 if args.quick else 0
    args.corpus_names = present_corpora(args.corpus_root)
    if not args.corpus_names:
        parser.error(
            f"{args.corpus_root}: none of {', '.join(CORPORA)} (each needs articles/ and "
            "queries.jsonl)"
        )
    for corpus in CORPORA:
        if corpus not in args.corpus_names:
            log(f"{args.corpus_root / corpus}: missing, skipped")
    if SCALE_SOURCE not in args.corpus_names:
        args.scale = 0
    return args


def ensure_lunr(engines: list[str]) -> list[str]:
    """The engines to run: lunr's are installed first when npm is there (`npm install
    --prefix benchmarks`, the versions of benchmarks/package.json), left out when node is not."""
    if not any(e.startswith("lunr") for e in engines):
        return engines
    if LunrEngine.available() is not None and shutil.which("npm"):
        log("installing lunr (npm install --prefix benchmarks)")
        subprocess.run(
            ["npm", "install", "--prefix", str(REPO / "benchmarks"), "--no-audit", "--no-fund"],
            capture_output=True,
            check=False,
        )
    problem = LunrEngine.available()
    if problem is None:
        return engines
    log(f"lunr left out: {problem}")
    return [e for e in engines if not e.startswith("lunr")]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.engine_list = ensure_lunr(args.engine_list)
    started = time.perf_counter()
    result: dict[str, Any] = {
        "meta": {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": " ".join(["benchmarks/search_bench.py", *(argv or sys.argv[1:])]),
            "corpus_root": str(args.corpus_root),
            "quick": args.quick,
            "lowercase_queries": args.lowercase,
            "git_commit": git_commit(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "versions": versions(),
            "attribution": ATTRIBUTION,
        },
    }
    with tempfile.TemporaryDirectory(prefix="kbtool-search-bench-") as tmp:
        work = Path(tmp)
        corpora, e2e = bench_corpora(
            args.corpus_root,
            args.corpus_names,
            args.engine_list,
            work,
            args.e2e_runs,
            args.max_queries,
            args.lowercase,
        )
        result["corpora"] = corpora
        result["end_to_end"] = e2e
        result["scale"] = None
        if args.scale:
            scale, scale_e2e = bench_scale(
                args.corpus_root,
                args.engine_list,
                work,
                args.scale,
                args.scale_queries,
                args.e2e_runs,
                args.lowercase,
            )
            result["scale"] = scale
            if scale_e2e is not None:
                e2e[f"scaled {args.scale}"] = scale_e2e
        if args.e2e_runs and "kbtool" in args.engine_list:
            e2e["python -c pass"] = guarded("python", python_startup, args.e2e_runs)
    result["targets"] = check_targets(result)
    result["meta"]["total_s"] = time.perf_counter() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(format_report(result))
    print(f"\nJSON: {args.out}  ({result['meta']['total_s']:.0f} s)")
    errors = json.dumps(result).count('"error"')
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
