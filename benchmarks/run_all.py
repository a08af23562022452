"""Run every benchmark: each `benchmarks/*_bench.py`, one after the other, as its own process.

    python benchmarks/run_all.py [--corpus-root /work/shared/corpus] [--quick] [--only lint]

The convention a benchmark follows to be picked up: a file named `<name>_bench.py` that runs
as a script and accepts `--corpus-root DIR` (the folder holding the real corpora, e.g.
`officedocs-dev/` and `runbooks/`; skip what is missing) and `--quick` (a smoke run of a few
seconds), prints a table and writes `benchmarks/out/<name>.json`. Each one runs in a fresh
interpreter, so no benchmark's imports or caches colour another's timings, and one failing
does not stop the rest. Exit status: 0 when every benchmark succeeded, 1 otherwise.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover(only: Sequence[str] = ()) -> list[Path]:
    """The benchmark scripts, by name; `only` keeps those named (`lint` for lint_bench.py)."""
    scripts = sorted(HERE.glob("*_bench.py"))
    if only:
        wanted = set(only)
        scripts = [s for s in scripts if s.stem.removesuffix("_bench") in wanted]
    return scripts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run every kbtool benchmark.")
    parser.add_argument(
        "corpus_root_pos", nargs="?", type=Path, metavar="CORPUS_ROOT", help="same as --corpus-root"
    )
    parser.add_argument(
        "--corpus-root",
        type=Path,
        help="folder holding the real corpora (officedocs-dev/, runbooks/)",
    )
    parser.add_argument("--quick", action="store_true", help="smoke runs of a few seconds each")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this benchmark (lint, search, ...); repeatable",
    )
    args = parser.parse_args(argv)
    corpus_root = args.corpus_root or args.corpus_root_pos
    if corpus_root is not None and not corpus_root.is_dir():
        parser.error(f"corpus root {corpus_root} is not a folder")

    scripts = discover(args.only)
    if not scripts:
        parser.error("no benchmark matched" if args.only else f"no *_bench.py in {HERE}")
    failed: list[str] = []
    for script in scripts:
        command = [sys.executable, str(script)]
        if corpus_root is not None:
            command += ["--corpus-root", str(corpus_root.resolve())]
        if args.quick:
            command.append("--quick")
        print(f"\n=== {script.stem}: {' '.join(command[1:])}", flush=True)
        start = time.perf_counter()
        code = subprocess.call(command)
        elapsed = time.perf_counter() - start
        print(f"=== {script.stem}: exit {code} after {elapsed:.0f} s", flush=True)
        if code != 0:
            failed.append(script.stem)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"\nall {len(scripts)} benchmark(s) done; results in {HERE / 'out'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
