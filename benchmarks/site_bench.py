"""Site benchmark: `mkdocs build` with the kbtool plugin against a plain Material build.

For each size N (synthetic procedures from `synth.py`, about 4 KB each) this builds, in one
run and interleaved (plain, plugin, plain, plugin, ...):

- plain: Material for MkDocs (search and tags plugins) over the same Markdown files copied into
  docs/procedures/, with the same theme features and the same explicit navigation;
- plugin: the same site with the `kbtool` plugin: procedures published from outside docs_dir,
  metadata cards and banners, generated pages (by service, owners, review dashboard with its
  chart) and the lint pass over every procedure.

Each build is `python -m mkdocs build` in a fresh process, timed wall-clock (median) and in
CPU seconds (user + system, minimum over the repetitions: the figure other jobs on a shared
machine disturb least), interpreter start-up included on both sides. Both sites have the same
navigation: the plain one has placeholder pages where the plugin generates its index pages.
Reported: build times and the plugin/plain ratios, site size, search_index.json size, and the
weight of procedure pages (median and max HTML bytes).
Targets: the plugin adds at most 30% to build time; a procedure page weighs at most 50 KB;
5,000 procedures build in under a minute.

    python benchmarks/site_bench.py [--sizes 1000,5000] [--repeat 3] [--quick]

Results: a table on standard output and `benchmarks/out/site.json`. `--corpus-root` is
accepted (for run_all.py) and ignored: the site is measured on synthetic procedures only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from bench_common import machine, write_results  # noqa: E402
from synth import generate  # noqa: E402

TODAY = "2026-11-01"  # synth.py's reviews are spread over the 170 days before this date
DEFAULT_OUT = HERE / "out" / "site.json"
TARGET_RATIO = 1.30
TARGET_PAGE_BYTES = 50_000
TARGET_5000_SECONDS = 60.0

THEME = """\
theme:
  name: material
  features:
    - search.suggest
    - search.highlight
    - content.code.copy
    - navigation.tabs
    - navigation.sections
    - navigation.indexes
    - navigation.top
  palette:
    - scheme: default
      toggle: {icon: material/brightness-7, name: Switch to dark mode}
    - scheme: slate
      toggle: {icon: material/brightness-4, name: Switch to light mode}
markdown_extensions:
  - toc: {permalink: true}
  - admonition
  - attr_list
  - tables
validation:
  nav: {omitted_files: ignore}
  links: {unrecognized_links: ignore, anchors: ignore}
"""

PLUGIN_YML = (
    """\
site_name: Bench KB
docs_dir: docs
plugins:
  - search
  - tags
  - kbtool:
      today: "{today}"
nav:
  - Home: index.md
  - By service: services/index.md
  - Owners: owners.md
  - Review: review.md
"""
    + THEME
)

# The same navigation: the plain site gets placeholder pages where the plugin generates its own.
PLAIN_YML = (
    """\
site_name: Bench KB
docs_dir: docs
plugins:
  - search
  - tags
nav:
  - Home: index.md
  - By service: services/index.md
  - Owners: owners.md
  - Review: review.md
"""
    + THEME
)
PLACEHOLDERS = ("services/index.md", "owners.md", "review.md")


class BenchError(Exception):
    pass


def prepare(workdir: Path, n: int) -> tuple[Path, Path]:
    """Two project folders over the same N procedures: (plugin, plain)."""
    plugin = workdir / f"plugin-{n}"
    plain = workdir / f"plain-{n}"
    for folder in (plugin, plain):
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "docs").mkdir(parents=True)
        (folder / "docs" / "index.md").write_text("# Bench KB\n\nHome.\n", encoding="utf-8")
    for uri in PLACEHOLDERS:
        page = plain / "docs" / uri
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"# {uri}\n\nPlaceholder.\n", encoding="utf-8")
    procedures = generate(plugin, n, seed=1)
    shutil.copytree(
        procedures, plain / "docs" / "procedures", ignore=shutil.ignore_patterns("*.yml")
    )
    (plugin / "mkdocs.yml").write_text(PLUGIN_YML.replace("{today}", TODAY), encoding="utf-8")
    (plain / "mkdocs.yml").write_text(PLAIN_YML, encoding="utf-8")
    return plugin, plain


def build(folder: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one `mkdocs build`."""
    site = folder / "site"
    shutil.rmtree(site, ignore_errors=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("KBTOOL_TODAY", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(site)],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise BenchError(f"mkdocs build failed in {folder}:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def measure(site: Path) -> dict[str, Any]:
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    pages = [p.stat().st_size for p in (site / "procedures").rglob("index.html")]
    search = site / "search" / "search_index.json"
    return {
        "site_bytes": total,
        "search_index_bytes": search.stat().st_size if search.is_file() else 0,
        "procedure_pages": len(pages),
        "page_median_bytes": int(statistics.median(pages)) if pages else 0,
        "page_max_bytes": max(pages, default=0),
    }


def bench(n: int, workdir: Path, repeat: int) -> dict[str, Any]:
    plugin, plain = prepare(workdir, n)
    times: dict[str, list[float]] = {"plain": [], "plugin": []}
    cpu: dict[str, list[float]] = {"plain": [], "plugin": []}
    for _ in range(repeat):
        for name, folder in (("plain", plain), ("plugin", plugin)):
            wall, used = build(folder)
            times[name].append(wall)
            cpu[name].append(used)
    result: dict[str, Any] = {"procedures": n}
    for name, folder in (("plain", plain), ("plugin", plugin)):
        result[name] = {
            "seconds_median": round(statistics.median(times[name]), 2),
            "seconds_min": round(min(times[name]), 2),
            "seconds": [round(t, 2) for t in times[name]],
            "cpu_seconds_median": round(statistics.median(cpu[name]), 2),
            "cpu_seconds_min": round(min(cpu[name]), 2),
            **measure(folder / "site"),
        }
        if result[name]["procedure_pages"] != n:
            raise BenchError(f"{name}: {result[name]['procedure_pages']} procedure pages, not {n}")
    result["ratio"] = round(
        result["plugin"]["seconds_median"] / result["plain"]["seconds_median"], 3
    )
    # CPU seconds, minimum over the repetitions: the least disturbed by other jobs.
    result["cpu_ratio"] = round(
        result["plugin"]["cpu_seconds_min"] / result["plain"]["cpu_seconds_min"], 3
    )
    return result


def print_table(results: list[dict[str, Any]]) -> None:
    header = (
        f"{'N':>6} {'build':>6} {'seconds':>8} {'cpu min':>7} {'site MB':>8} "
        f"{'search MB':>9} {'page KB med':>11} {'page KB max':>11} {'ratio':>6} "
        f"{'cpu ratio':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        for name in ("plain", "plugin"):
            m = r[name]
            ratio = f"{r['ratio']:.2f}" if name == "plugin" else ""
            cpu_ratio = f"{r['cpu_ratio']:.2f}" if name == "plugin" else ""
            print(
                f"{r['procedures']:>6,} {name:>6} {m['seconds_median']:>8.1f} "
                f"{m['cpu_seconds_min']:>7.1f} "
                f"{m['site_bytes'] / 1e6:>8.1f} {m['search_index_bytes'] / 1e6:>9.1f} "
                f"{m['page_median_bytes'] / 1e3:>11.1f} {m['page_max_bytes'] / 1e3:>11.1f} "
                f"{ratio:>6} {cpu_ratio:>9}"
            )
    print(
        f"targets: plugin/plain <= {TARGET_RATIO:.2f}; procedure page <= "
        f"{TARGET_PAGE_BYTES / 1e3:.0f} KB; 5,000 procedures < {TARGET_5000_SECONDS:.0f} s"
    )


def verdicts(results: list[dict[str, Any]]) -> dict[str, bool]:
    out = {
        "ratio": all(r["ratio"] <= TARGET_RATIO for r in results),
        "cpu_ratio": all(r["cpu_ratio"] <= TARGET_RATIO for r in results),
        "page_weight": all(r["plugin"]["page_max_bytes"] <= TARGET_PAGE_BYTES for r in results),
    }
    big = [r for r in results if r["procedures"] >= 5000]
    if big:
        out["5000_under_a_minute"] = all(
            r["plugin"]["seconds_median"] < TARGET_5000_SECONDS for r in big
        )
    return out


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,5000", help="procedure counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="builds per side and size")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 100 procedures")
    parser.add_argument("--corpus-root", type=Path, help="accepted and ignored (synthetic only)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument("--workdir", type=Path, help="keep the generated projects here")
    args = parser.parse_args(argv)
    args.sizes = [100] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kbtool-site-bench-"))
    results: list[dict[str, Any]] = []
    try:
        for n in args.sizes:
            print(f"site_bench: {n:,} procedures ...", flush=True)
            results.append(bench(n, workdir, args.repeat))
    except BenchError as exc:
        print(f"site_bench: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print_table(results)
    checks = verdicts(results)
    print("targets met: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in checks.items()))
    data = {
        "benchmark": "site",
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "today": TODAY,
        "machine": machine(),
        "repeat": args.repeat,
        "targets": {
            "ratio": TARGET_RATIO,
            "page_bytes": TARGET_PAGE_BYTES,
            "seconds_5000": TARGET_5000_SECONDS,
        },
        "met": checks,
        "note": "wall-clock seconds of `python -m mkdocs build`, start-up included on both sides",
        "results": results,
    }
    write_results(args.out, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
