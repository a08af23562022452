"""Two kbtool configurations side by side, per corpus and per query, with a paired test.

    .venv/bin/python benchmarks/compare.py --corpus-root ../shared/corpus \\
        --base "" --new "title_cover=0" [--corpora officedocs-dev,runbooks,gitlab-dev]
        [--kinds sentence,short,typo] [--max-queries N] [--show 5] [--as-typed]
    .venv/bin/python benchmarks/compare.py --corpus-root ../shared/corpus \\
        --grid "bm25_b=0.6,0.75,0.9"            # leave-one-set-out choice of one parameter

A configuration is a `KBTOOL_SEARCH_TUNING` string (`kbtool/search/tuning.py`): `name=value`
pairs over the shipped defaults; "" is kbtool as shipped. Each corpus is indexed once per
index-time configuration and searched in-process (as `search_bench.py` does), so the
figures are the benchmark's.

For each corpus and kind of query (`sentence`, `short`, and `typo`: the short queries with
the typos of `typo_queries.py`) it prints MRR@10 of both, the difference, a 95% bootstrap
confidence interval of the difference, the two-sided p-value of a paired randomization test
(the sign of each query's difference in reciprocal rank flipped at random), and the queries
won and lost. Then the verdict of the tuning discipline (benchmarks/README.md): the new
configuration is kept only when no corpus loses (no kind's difference below zero with p <
0.1) and it wins overall (the mean over corpora of the per-corpus differences above zero,
p < 0.05 in a randomization test stratified by corpus).

`--as-typed` gives kbtool each query as written, punctuation and all, as `kbtool search` gets
it; by default it gets the words only (`search_peers.plain_query`), as the benchmark's peers do.

`--grid` runs every value of one parameter and, for each corpus left out in turn, picks the
value best on the other corpora (mean MRR@10 over them and the kinds) and shows what it scores
on the corpus left out.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_bench import CORPORA, DEFAULT_CORPUS_ROOT, load_queries, spread  # noqa: E402
from search_metrics import reciprocal_rank, wins_losses  # noqa: E402
from search_peers import KbtoolAsTypedEngine, KbtoolEngine, load_documents  # noqa: E402
from typo_queries import typo_query  # noqa: E402

from kbtool.search import tuning  # noqa: E402

KINDS = ("sentence", "short", "typo")
RESAMPLES = 10_000


def log(message: str) -> None:
    print(f"[compare] {message}", file=sys.stderr, flush=True)


class Runner:
    """Queries of each corpus, and the ranks a configuration gives them (indexes reused)."""

    def __init__(
        self,
        corpus_root: Path,
        corpora: Sequence[str],
        max_queries: int,
        work: Path,
        as_typed: bool = False,
    ):
        self.engine = KbtoolAsTypedEngine if as_typed else KbtoolEngine
        self.root = corpus_root
        self.work = work
        self.queries: dict[str, dict[str, list[tuple[str, str]]]] = {}
        for corpus in corpora:
            articles = load_documents(corpus_root / corpus / "articles")
            loaded = load_queries(corpus_root / corpus, [f"{d.title}\n{d.body}" for d in articles])
            if max_queries:
                loaded = spread(loaded, max_queries)
            self.queries[corpus] = {
                "sentence": [(q.text, q.target) for q in loaded],
                "short": [(q.short, q.target) for q in loaded],
                "typo": [
                    (typo_query(q.short, f"{corpus}:{i}"), q.target) for i, q in enumerate(loaded)
                ],
            }
        self._built: dict[tuple[str, str], Path] = {}

    def ranks(self, config: str, kinds: Sequence[str]) -> dict[str, dict[str, list[int | None]]]:
        """Per corpus and kind, the rank of each query's target (None: not in the ten)."""
        tuned = tuning.parse(config)  # a typo in a name fails here, before any work
        os.environ[tuning.ENV] = config
        index_key = repr(sorted(tuning.index_part(tuned).items()))
        found: dict[str, dict[str, list[int | None]]] = {}
        for corpus, by_kind in self.queries.items():
            engine = self.engine()
            workdir = self._built.get((corpus, index_key))
            if workdir is None:
                workdir = self.work / f"{corpus}-{len(self._built)}"
                log(f"{corpus}: indexing ({tuning.describe(tuned) or 'defaults'})")
                engine.build(self.root / corpus / "articles", workdir)
                self._built[(corpus, index_key)] = workdir
            else:
                from kbtool.model.config import load_config

                engine.config = load_config(procedures=self.root / corpus / "articles", cwd=workdir)
            engine.open()
            try:
                found[corpus] = {}
                for kind in kinds:
                    found[corpus][kind] = [
                        _rank(target, engine.search(text, limit=10))
                        for text, target in by_kind[kind]
                    ]
            finally:
                engine.close()
        return found


def _rank(target: str, results: list[str]) -> int | None:
    return results.index(target) + 1 if target in results else None


def mrr(ranks: Sequence[int | None]) -> float:
    return sum(map(reciprocal_rank, ranks)) / len(ranks) if ranks else 0.0


def differences(base: Sequence[int | None], new: Sequence[int | None]) -> list[float]:
    return [reciprocal_rank(n) - reciprocal_rank(b) for b, n in zip(base, new, strict=True)]


def randomization_p(strata: Sequence[Sequence[float]], rng: random.Random) -> float:
    """Two-sided p of the mean over strata of each stratum's mean difference, under random
    sign flips of each paired difference (the null: both configurations rank alike)."""

    def statistic(signed: Sequence[Sequence[float]]) -> float:
        return sum(sum(d) / len(d) for d in signed if d) / max(1, len(signed))

    observed = abs(statistic(strata))
    if observed == 0.0:
        return 1.0
    nonzero = [[d for d in stratum if d] for stratum in strata]
    sizes = [len(stratum) for stratum in strata]
    hits = 0
    for _ in range(RESAMPLES):
        total = 0.0
        for stratum, size in zip(nonzero, sizes, strict=True):
            if size:
                total += sum(d if rng.random() < 0.5 else -d for d in stratum) / size
        if abs(total / len(strata)) >= observed - 1e-12:
            hits += 1
    return (hits + 1) / (RESAMPLES + 1)


def bootstrap_ci(diffs: Sequence[float], rng: random.Random) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean difference."""
    count = len(diffs)
    means = sorted(sum(rng.choices(diffs, k=count)) / count for _ in range(2_000))
    return means[int(0.025 * len(means))], means[int(0.975 * len(means)) - 1]


def compare(
    base: dict[str, dict[str, list[int | None]]],
    new: dict[str, dict[str, list[int | None]]],
    queries: dict[str, dict[str, list[tuple[str, str]]]],
    show: int,
    seed: int,
) -> tuple[str, bool]:
    """The report, and whether the discipline keeps the new configuration."""
    rng = random.Random(seed)
    lines = [
        f"{'corpus':<15} {'kind':<9} {'n':>5} {'base':>7} {'new':>7} {'diff':>8}"
        f" {'95% CI':>17} {'p':>7} {'won':>5} {'lost':>5}"
    ]
    lines.append("-" * len(lines[0]))
    loses = False
    per_corpus: list[list[float]] = []
    for corpus in base:
        corpus_diffs: list[float] = []
        for kind in base[corpus]:
            b, n = base[corpus][kind], new[corpus][kind]
            diffs = differences(b, n)
            corpus_diffs += diffs
            low, high = bootstrap_ci(diffs, rng)
            p = randomization_p([diffs], rng)
            won, lost = wins_losses(n, b)
            delta = mrr(n) - mrr(b)
            if delta < 0 and p < 0.1:
                loses = True
            lines.append(
                f"{corpus:<15} {kind:<9} {len(b):>5} {mrr(b):>7.3f} {mrr(n):>7.3f} {delta:>+8.4f}"
                f" [{low:>+7.4f},{high:>+7.4f}] {p:>7.3f} {won:>5} {lost:>5}"
            )
            if show:
                changed = sorted(
                    range(len(diffs)), key=lambda i: diffs[i]
                )  # worst losses first, then best wins
                picks = [i for i in changed[:show] if diffs[i] < 0]
                picks += [i for i in changed[::-1][:show] if diffs[i] > 0]
                for i in picks:
                    text, target = queries[corpus][kind][i]
                    lines.append(f"    {b[i]!s:>4} -> {n[i]!s:<4} {target}  {text[:90]}")
        per_corpus.append(corpus_diffs)
    overall = sum(sum(d) / len(d) for d in per_corpus if d) / max(1, len(per_corpus))
    p_overall = randomization_p(per_corpus, rng)
    keep = not loses and overall > 0 and p_overall < 0.05
    lines.append(
        f"overall (mean of the corpora): {overall:+.4f}, p = {p_overall:.4f}; "
        + ("a corpus loses; " if loses else "no corpus loses; ")
        + ("KEEP" if keep else "DROP")
    )
    return "\n".join(lines), keep


def grid(runner: Runner, spec: str, kinds: Sequence[str], base: str = "") -> str:
    """Every value of one parameter (over `base`), and the leave-one-corpus-out choice."""
    name, _sep, values = spec.partition("=")
    table: dict[str, dict[str, float]] = {}
    for value in values.split(","):
        config = ",".join(c for c in (base, f"{name.strip()}={value.strip()}") if c)
        ranks = runner.ranks(config, kinds)
        table[value.strip()] = {
            corpus: sum(mrr(by_kind[k]) for k in kinds) / len(kinds)
            for corpus, by_kind in ranks.items()
        }
        log(f"{config}: " + ", ".join(f"{c} {v:.4f}" for c, v in table[value.strip()].items()))
    corpora = list(runner.queries)
    lines = [f"{name}: mean MRR@10 over {', '.join(kinds)}"]
    lines.append(f"{'value':>8} " + " ".join(f"{c:>15}" for c in corpora))
    for value, scores in table.items():
        lines.append(f"{value:>8} " + " ".join(f"{scores[c]:>15.4f}" for c in corpora))
    for held_out in corpora:
        others = [c for c in corpora if c != held_out]
        if not others:
            break
        best = max(table, key=lambda v: sum(table[v][c] for c in others))
        top = max(table[v][held_out] for v in table)
        lines.append(
            f"left out {held_out}: {name}={best} (best on {', '.join(others)}) scores"
            f" {table[best][held_out]:.4f} there; the best value there scores {top:.4f}"
        )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Two kbtool search configurations compared.")
    parser.add_argument("--corpus-root", type=Path, default=DEFAULT_CORPUS_ROOT)
    parser.add_argument("--corpora", default=",".join(CORPORA))
    parser.add_argument("--base", default="", help="KBTOOL_SEARCH_TUNING of the base ('': shipped)")
    parser.add_argument(
        "--new", default=None, help="KBTOOL_SEARCH_TUNING of the configuration tried"
    )
    parser.add_argument("--grid", default=None, help="name=v1,v2,...: leave-one-set-out choice")
    parser.add_argument("--kinds", default="sentence,short")
    parser.add_argument("--max-queries", type=int, default=0)
    parser.add_argument("--show", type=int, default=0, help="queries shown per side and kind")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--as-typed",
        action="store_true",
        help="give kbtool each query as written, punctuation and all, as `kbtool search` gets"
        " it (default: the words only, as the search benchmark's peers get them)",
    )
    args = parser.parse_args(argv)
    args.corpus_list = [c for c in args.corpora.split(",") if c]
    args.kind_list = [k for k in args.kinds.split(",") if k]
    missing = [
        c for c in args.corpus_list if not (args.corpus_root / c / "queries.jsonl").is_file()
    ]
    if missing:
        parser.error(f"{args.corpus_root}: no {', '.join(missing)}")
    if [k for k in args.kind_list if k not in KINDS]:
        parser.error(f"--kinds: choose from {', '.join(KINDS)}")
    if (args.new is None) == (args.grid is None):
        parser.error("give --new (with --base) or --grid")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        for config in (args.base, args.new or ""):
            tuning.parse(config)
    except Exception as error:  # noqa: BLE001 - a bad configuration string, said plainly
        print(f"compare.py: {error}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="kbtool-compare-") as tmp:
        runner = Runner(
            args.corpus_root, args.corpus_list, args.max_queries, Path(tmp), args.as_typed
        )
        if args.grid:
            print(grid(runner, args.grid, args.kind_list, args.base))
            return 0
        base = runner.ranks(args.base, args.kind_list)
        new = runner.ranks(args.new, args.kind_list)
        report, _keep = compare(base, new, runner.queries, args.show, args.seed)
    print(f"base: {args.base or '(shipped)'}   new: {args.new or '(shipped)'}")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
