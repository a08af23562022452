"""Lint benchmark: `kbtool lint` end to end against the floor of merely reading the files.

For each size N (synthetic procedures from `synth.py`, about 4 KB each) and, with `--corpus`,
for Microsoft's OfficeDocs-Support articles, this times in one run, interleaved
(floor, lint, lint with one worker, floor, lint, ...):

- floor: a fresh `python -c` that walks the folder, reads every `*.md` file and parses its
  front matter with PyYAML's libyaml `CSafeLoader`: the least any linter in Python must do;
- lint: `kbtool --today D lint` as a subprocess, output discarded, exit code checked (0 or 1);
- lint, 1 worker: the same with KBTOOL_WORKERS=1 (what the parallel fast path buys).

Every time is wall-clock and includes interpreter start-up, in all cases alike, so the ratio
lint / floor compares like with like. The machine is shared: several repetitions, median and
minimum reported, and the ratio of CPU seconds (user + system, workers included), which other
jobs disturb less. Target: 10,000 procedures linted in at most 2x the floor.

    python benchmarks/lint_bench.py [--sizes 1000,10000] [--repeat 3]
        [--corpus /work/shared/corpus/officedocs-dev] [--quick]

Results: a table on standard output and `benchmarks/out/lint.json`.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from bench_common import machine, write_results  # noqa: E402
from synth import generate  # noqa: E402

TODAY = "2026-11-23"
TARGET_RATIO = 2.0
CORPUS_CONFIG = HERE / "officedocs.kbtool.toml"
DEFAULT_OUT = HERE / "out" / "lint.json"

#: The floor: walk, read, parse the front matter. Prints how many files it read.
FLOOR_CODE = """\
import os, sys, yaml
loader = yaml.CSafeLoader
count = 0
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        if not name.endswith(".md"):
            continue
        with open(os.path.join(folder, name), "rb") as handle:
            text = handle.read().decode("utf-8")
        if text.startswith("---\\n"):
            end = text.find("\\n---", 3)
            yaml.load(text[4:end], Loader=loader)
        count += 1
print(count)
"""


class BenchError(Exception):
    """A measured command failed: the figures would be meaningless."""


def kbtool_executable() -> str:
    """The `kbtool` script of the interpreter running this benchmark (the project's venv)."""
    beside = Path(sys.executable).parent / "kbtool"
    if beside.is_file():
        return str(beside)
    found = shutil.which("kbtool")
    if found is None:
        raise BenchError("kbtool is not installed; run `make install` (or pip install -e .)")
    return found


def check_floor_prerequisites() -> None:
    try:
        import yaml
    except ImportError:
        raise BenchError("PyYAML is not installed in this interpreter") from None
    if not hasattr(yaml, "CSafeLoader"):
        raise BenchError("PyYAML was built without libyaml (no CSafeLoader): the floor needs it")


def run_floor(folder: Path, expected: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", FLOOR_CODE, str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"floor failed on {folder}:\n{done.stderr}")
    if int(done.stdout.strip() or 0) != expected:
        raise BenchError(f"floor read {done.stdout.strip()} files in {folder}, expected {expected}")


def lint_command(kbtool: str, extra: Sequence[str] = (), fmt: str = "text") -> list[str]:
    return [kbtool, "--today", TODAY, *extra, "lint", "--format", fmt]


def run_lint(
    command: list[str], cwd: Path, workers: int | None, capture: bool = False
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("KBTOOL_WORKERS", None)  # measure the defaults unless asked
    if workers is not None:
        env["KBTOOL_WORKERS"] = str(workers)
    done = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        text=True,
        check=False,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if done.returncode not in (0, 1):  # 1 = findings at error severity: fine here
        raise BenchError(
            f"`{' '.join(command)}` in {cwd} exited with {done.returncode}:\n{done.stderr}"
        )
    return done


def measure(cases: dict[str, Callable[[], Any]], repeat: int) -> dict[str, dict[str, Any]]:
    """Time each case `repeat` times, interleaved (A, B, C, A, B, C...), after one warm-up each.

    The warm-up fills the page cache so every timed run reads the files from memory.
    """
    for run in cases.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, run in cases.items():
            before = _children_cpu()
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(_children_cpu() - before)
    return {
        name: {
            "median": statistics.median(values),
            "min": min(values),
            "runs": [round(v, 4) for v in values],
            "cpu_median": statistics.median(cpu[name]),
        }
        for name, values in times.items()
    }


def _children_cpu() -> float:
    """User + system CPU seconds of every finished child process (and their own children).

    Less sensitive than wall-clock time to other jobs on a shared machine; sums the CPU of
    lint's parallel workers, so it shows the work done rather than the time waited.
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ratios(timings: dict[str, dict[str, Any]]) -> dict[str, float]:
    floor, lint = timings["floor"], timings["lint"]
    result = {
        "lint_floor_median": lint["median"] / floor["median"],
        "lint_floor_min": lint["min"] / floor["min"],
        "lint_floor_cpu": lint["cpu_median"] / floor["cpu_median"],
    }
    if "lint_1worker" in timings:
        result["lint_1worker_floor_median"] = timings["lint_1worker"]["median"] / floor["median"]
    return result


def bench_synthetic(
    n: int, workdir: Path, repeat: int, kbtool: str, single: bool
) -> dict[str, Any]:
    out = workdir / f"synthetic-{n}"
    procedures = generate(out, n, seed=1)
    files = sorted(procedures.rglob("*.md"))
    total = sum(f.stat().st_size for f in files)
    command = lint_command(kbtool)
    cases: dict[str, Callable[[], Any]] = {
        "floor": lambda: run_floor(procedures, len(files)),
        "lint": lambda: run_lint(command, out, None),
    }
    if single:
        cases["lint_1worker"] = lambda: run_lint(command, out, 1)
    timings = measure(cases, repeat)
    return {
        "name": f"synthetic {n:,}" if n else "start-up (empty KB)",
        "files": len(files),
        "bytes_total": total,
        "bytes_average": round(total / len(files)) if files else 0,
        "command": " ".join(command) + "  (in the folder holding kbtool.toml)",
        "timings": timings,
        "ratios": ratios(timings),
    }


def bench_corpus(corpus: Path, repeat: int, kbtool: str, single: bool) -> dict[str, Any]:
    articles = corpus / "articles" if (corpus / "articles").is_dir() else corpus
    files = sorted(articles.rglob("*.md"))
    if not files:
        raise BenchError(f"no Markdown files under {articles}")
    total = sum(f.stat().st_size for f in files)
    extra = ["--config", str(CORPUS_CONFIG), "--procedures", str(articles)]
    command = lint_command(kbtool, extra)
    cwd = articles.parent
    cases: dict[str, Callable[[], Any]] = {
        "floor": lambda: run_floor(articles, len(files)),
        "lint": lambda: run_lint(command, cwd, None),
    }
    if single:
        cases["lint_1worker"] = lambda: run_lint(command, cwd, 1)
    timings = measure(cases, repeat)
    report = json.loads(run_lint(lint_command(kbtool, extra, "json"), cwd, None, True).stdout)
    return {
        "name": f"{corpus.name} ({len(files):,} articles)",
        "files": len(files),
        "bytes_total": total,
        "bytes_average": round(total / len(files)),
        "command": " ".join(command),
        "cwd": str(cwd),
        "timings": timings,
        "ratios": ratios(timings),
        "findings": findings_summary(report),
    }


def findings_summary(report: dict[str, Any]) -> dict[str, Any]:
    """What the linter said about a real knowledge base, from its `--format json` output."""
    findings = report["findings"]
    by_code = collections.Counter(f["code"] for f in findings)

    def files_with(code: str) -> int:
        return len({f["path"] for f in findings if f["code"] == code})

    return {
        "summary": report["summary"],
        "overdue_files": files_with("FR001"),
        "unowned_files": files_with("OW001"),
        "no_backup_files": files_with("OW005"),
        "never_reviewed_files": files_with("FR004"),
        "by_code": dict(by_code.most_common()),
    }


# --- output -----------------------------------------------------------------------------------


def _pair(timing: dict[str, Any] | None) -> str:
    return f"{timing['median']:6.2f} / {timing['min']:6.2f}" if timing else "-"


def print_table(results: list[dict[str, Any]], repeat: int) -> None:
    print(
        f"\nlint benchmark, {os.cpu_count()} CPUs, {repeat} interleaved runs each; wall seconds, "
        "median / min, interpreter start-up included everywhere;\nratio = lint / floor wall "
        "(median / min); CPU ratio = lint / floor user+system CPU seconds (medians)"
    )
    header = (
        f"{'case':<32} {'files':>7}  {'floor':>15}  {'lint':>15}  {'lint/floor':>11}  "
        f"{'CPU ratio':>9}  {'lint 1 worker':>15}"
    )
    print(header)
    print("-" * len(header))
    for row in results:
        t, r = row["timings"], row["ratios"]
        ratio = f"{r['lint_floor_median']:.2f}x/{r['lint_floor_min']:.2f}x"
        print(
            f"{row['name']:<32} {row['files']:>7,}  {_pair(t['floor'])}  {_pair(t['lint'])}  "
            f"{ratio:>11}  {r['lint_floor_cpu']:>8.2f}x  {_pair(t.get('lint_1worker'))}"
        )
    for row in results:
        if row["name"].startswith("synthetic") and row["files"] >= 10_000:
            verdict = "met" if row["ratios"]["lint_floor_median"] <= TARGET_RATIO else "NOT met"
            print(f"target (10,000 procedures <= {TARGET_RATIO:g}x floor, median): {verdict}")
    for row in results:
        if "findings" in row:
            f = row["findings"]
            top = ", ".join(f"{code} {count}" for code, count in list(f["by_code"].items())[:8])
            print(
                f"{row['name']}: {f['summary']}; overdue (FR001) {f['overdue_files']}, "
                f"unowned (OW001) {f['unowned_files']}, no backup (OW005) "
                f"{f['no_backup_files']}; top rules: {top}"
            )


# --- command line -----------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time `kbtool lint` against the floor of reading and parsing the files.",
    )
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        help="synthetic sizes, comma separated (default: %(default)s)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="timed runs of each case, interleaved (default: %(default)s)",
    )
    parser.add_argument(
        "--corpus", type=Path, help="also lint a real corpus: officedocs-dev (or its articles/)"
    )
    parser.add_argument(
        "--corpus-root",
        type=Path,
        help="folder holding the corpora; uses its officedocs-dev/ (for run_all)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a fast smoke run: 1,000 procedures, one timed run each",
    )
    parser.add_argument(
        "--no-single-worker",
        dest="single",
        action="store_false",
        help="skip the KBTOOL_WORKERS=1 runs",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="JSON results file (default: benchmarks/out/lint.json)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where to generate the synthetic procedures (default: a temp folder)",
    )
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes: {args.sizes!r} is not a comma-separated list of numbers")
    if args.quick:
        args.sizes, args.repeat = [1000], 1
    if args.repeat < 1 or not args.sizes or any(n < 1 for n in args.sizes):
        parser.error("--repeat and --sizes must be positive")
    if args.corpus is None and args.corpus_root is not None:
        candidate = args.corpus_root / "officedocs-dev"
        args.corpus = candidate if candidate.is_dir() else None
        if args.corpus is None:
            print(f"lint_bench: no officedocs-dev/ under {args.corpus_root}; skipping the corpus")
    if args.corpus is not None and not args.corpus.is_dir():
        parser.error(f"--corpus: {args.corpus} is not a folder")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        check_floor_prerequisites()
        kbtool = kbtool_executable()
        results: list[dict[str, Any]] = []
        workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kbtool-lint-bench-"))
        try:
            for n in [0, *args.sizes]:  # 0: what start-up alone costs each side
                print(f"lint_bench: synthetic, {n:,} procedures ...", flush=True)
                results.append(bench_synthetic(n, workdir, args.repeat, kbtool, args.single))
            if args.corpus is not None:
                print(f"lint_bench: corpus {args.corpus} ...", flush=True)
                results.append(
                    bench_corpus(args.corpus.resolve(), args.repeat, kbtool, args.single)
                )
        finally:
            if args.workdir is None:
                shutil.rmtree(workdir, ignore_errors=True)
    except BenchError as exc:
        print(f"lint_bench: {exc}", file=sys.stderr)
        return 1
    print_table(results, args.repeat)
    data = {
        "benchmark": "lint",
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "today": TODAY,
        "machine": machine(),
        "repeat": args.repeat,
        "target": f"10,000 procedures in <= {TARGET_RATIO:g}x floor (median)",
        "note": "wall-clock seconds; every case includes interpreter start-up",
        "results": results,
    }
    write_results(args.out, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
