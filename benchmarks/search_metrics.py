"""Ranking metrics, latency summaries and the short-query rule of the search benchmark.

Each query has exactly one relevant document (its target), so:

- reciprocal rank@10 = 1 / rank of the target when it is in the top ten, else 0;
  MRR@10 is its mean over the queries;
- recall@k = share of the queries whose target is in the top k.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence

from search_peers import plain_terms

#: Words no agent types as a keyword; never chosen for a short query.
_STOP_WORDS_TEXT = """a an and are as at be but by can do does for from has have how i if in
into is it its not of on or so such that the their then there these they this to was were what
when where which while who why will with you your yours"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

SHORT_QUERY_WORDS = 5


def rank_of(target: str, results: Sequence[str]) -> int | None:
    """1-based rank of the target in the results, None when it is not there."""
    for index, path in enumerate(results, start=1):
        if path == target:
            return index
    return None


def quality(ranks: Sequence[int | None]) -> dict[str, float]:
    """MRR@10 and recall@1/5/10 over one rank per query (None = not found)."""
    if not ranks:
        return {"mrr10": 0.0, "recall1": 0.0, "recall5": 0.0, "recall10": 0.0}
    count = len(ranks)

    def recall(k: int) -> float:
        return sum(1 for rank in ranks if rank is not None and rank <= k) / count

    mrr = sum(1.0 / rank for rank in ranks if rank is not None and rank <= 10) / count
    return {"mrr10": mrr, "recall1": recall(1), "recall5": recall(5), "recall10": recall(10)}


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (numpy's default), `pct` in 0..100."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * pct / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """Median and p95 in milliseconds."""
    return {
        "median_ms": statistics.median(seconds) * 1000.0 if seconds else float("nan"),
        "p95_ms": percentile(seconds, 95.0) * 1000.0,
        "count": float(len(seconds)),
    }


def document_frequencies(texts: Iterable[str]) -> Counter[str]:
    """In how many texts each lower-cased word occurs."""
    frequencies: Counter[str] = Counter()
    for text in texts:
        frequencies.update({word.lower() for word in plain_terms(text)})
    return frequencies


def short_query(query: str, frequencies: Counter[str], max_words: int = SHORT_QUERY_WORDS) -> str:
    """At most `max_words` keywords of a sentence-long query, the way an agent types them.

    The rule: drop stop words and repeats, keep the words with the lowest document frequency
    in the corpus (the most informative; words in no document at all are dropped as they can
    only be typos or noise to every engine), ties broken by position, and write them in the
    order they had in the sentence. Deterministic for a given corpus.
    """
    words = [w for w in dict.fromkeys(t.lower() for t in plain_terms(query)) if w not in STOP_WORDS]
    known = [w for w in words if frequencies.get(w, 0) > 0] or words
    ranked = sorted(range(len(known)), key=lambda i: (frequencies.get(known[i], 0), i))
    keep = sorted(ranked[:max_words])
    return " ".join(known[i] for i in keep)


def reciprocal_rank(rank: int | None, cutoff: int = 10) -> float:
    """1 / rank when the target is within `cutoff`, else 0."""
    return 1.0 / rank if rank is not None and rank <= cutoff else 0.0


def wins_losses(mine: Sequence[int | None], other: Sequence[int | None]) -> tuple[int, int]:
    """On how many queries the first ranking puts the target higher (wins) and lower (losses)
    than the second, by reciprocal rank@10 (ties, both outside the ten included, count as
    neither)."""
    wins = losses = 0
    for a, b in zip(mine, other, strict=True):
        ra, rb = reciprocal_rank(a), reciprocal_rank(b)
        if ra > rb:
            wins += 1
        elif ra < rb:
            losses += 1
    return wins, losses
