"""BM25F top-k over the `text` field, term at a time, reading Whoosh's postings in bulk.

Why not Whoosh's own matchers: they score one posting at a time through a tree of Python
objects (a union per query term, a scorer, a collector), about 20 µs per posting. A sentence
query at 25,000 procedures touches hundreds of thousands of postings, which took over a second.
Here each term's posting blocks are decoded whole (unpickle + a running sum, both in C) and
scored in one tight loop, and terms are taken rarest first with MaxScore pruning: once the
tenth best score is out of reach for a document that matched none of the terms read so far,
the remaining (common) terms only update the documents already in the running. The top k is
exactly the top k of BM25F; only the work spent on hopeless documents is skipped.

The statistics are Whoosh's (`Searcher.idf`, `avg_field_length`, the length column), and the
formula is `whoosh.scoring.bm25`, so scores are the ones Whoosh's BM25F gives.

A long-lived process (`kbtool serve`) asks for `vectorised` ranking: the same sums, term by
term in the same order, done by numpy over whole posting lists (4-10x faster at 25,000
procedures), with no pruning needed. The command line does not: importing numpy costs more
than it saves on one search.
"""

from __future__ import annotations

import heapq
import pickle
import zlib
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress
from operator import add, truediv
from typing import Any

from whoosh.codec import whoosh3
from whoosh.util.numeric import byte_to_length

FIELD = "text"
#: Decoded postings kept in memory between queries (postings, all terms together; 12 bytes
#: each: at most 72 MB a process).
CACHE_POSTINGS = 6_000_000


@dataclass(frozen=True)
class Ranked:
    """The best documents, best first, and how many documents matched (at least)."""

    hits: list[tuple[float, int]]  # (score, docnum)
    matched: int


class TextRanker:
    """Ranks documents of one open Whoosh searcher for weighted `text` terms."""

    def __init__(
        self,
        searcher: Any,
        *,
        b: float,
        k1: float,
        vectorised: bool = False,
        cache_postings: int = CACHE_POSTINGS,
    ) -> None:
        self._searcher = searcher
        self._cache_limit = cache_postings
        self._numpy: Any = None
        if vectorised:
            import numpy

            self._numpy = numpy
        self._k1 = k1
        self.size = int(searcher.doc_count_all())
        avgfl = searcher.avg_field_length(FIELD) or 1.0
        norm_of_byte = [k1 * ((1 - b) + b * byte_to_length(n) / avgfl) for n in range(256)]
        # Per leaf: (reader, docnum offset, per-document length norm, deleted docnums).
        self._leaves: list[tuple[Any, int, list[float], frozenset[int]]] = []
        for reader, offset in _leaf_readers(searcher):
            lengths = _length_bytes(reader, reader.doc_count_all())
            norms = [norm_of_byte[n] for n in lengths]
            self._leaves.append((reader, offset, norms, frozenset(_deleted(reader))))
        self._cache: OrderedDict[str, tuple[array[int], array[float]]] = OrderedDict()
        self._cached = 0

    def impacts(self, term: str) -> tuple[array[int], array[float]]:
        """The documents holding `term` (ascending) and `tf / (tf + norm)` in each.

        That is BM25's term-frequency part, below 1; the score multiplies it by the query
        weight, the idf and `k1 + 1`.
        """
        found = self._cache.get(term)
        if found is not None:
            self._cache.move_to_end(term)
            return found
        ids: array[int] = array("i")
        impacts: array[float] = array("d")
        for reader, offset, norms, deleted in self._leaves:
            if not reader.doc_frequency(FIELD, term):
                continue
            for block_ids, weights in _posting_blocks(reader, term):
                if deleted:
                    kept = [i for i, d in enumerate(block_ids) if d not in deleted]
                    block_ids = [block_ids[i] for i in kept]
                    weights = [weights[i] for i in kept]
                # tf / (tf + norm), computed in C: map over the block's arrays.
                impacts.extend(
                    map(truediv, weights, map(add, weights, map(norms.__getitem__, block_ids)))
                )
                ids.extend(map(offset.__add__, block_ids) if offset else block_ids)
        found = (ids, impacts)
        # The least recently used terms go first (a sentence at 25,000 procedures reads
        # several hundred thousand postings: clearing the whole cache made every long query
        # decode again the common terms all queries share).
        cache = self._cache
        while cache and self._cached + len(ids) > self._cache_limit:
            oldest = next(iter(cache))
            self._cached -= len(cache.pop(oldest)[0])
        cache[term] = found
        self._cached += len(ids)
        return found

    def top(
        self,
        terms: dict[str, float],
        k: int,
        excluded: Iterable[int] = (),
        allowed: Iterable[int] | None = None,
    ) -> Ranked:
        """The `k` best documents for `terms` (term -> query weight).

        Score of a document: the sum over the terms it holds of
        `weight * idf * (k1 + 1) * tf / (tf + k1 * (1 - b + b * length / avglength))`.
        Documents in `excluded`, or not in `allowed` when it is given, are left out.
        """
        searcher = self._searcher
        factor = self._k1 + 1
        # Rarest (highest bound) first; a term's bound is the most it adds to a score.
        plan = sorted(
            ((weight * searcher.idf(FIELD, term) * factor, term) for term, weight in terms.items()),
            reverse=True,
        )
        if self._numpy is not None:
            return self._top_vectorised(plan, k, excluded, allowed)
        size = self.size
        if allowed is None:
            scores = [0.0] * size
        else:
            scores = [_OUT] * size
            for docnum in allowed:
                scores[docnum] = 0.0
        for docnum in excluded:
            scores[docnum] = _OUT
        remaining = sum(bound for bound, _term in plan)
        done = 0.0
        # Once no document outside `candidates` can reach the top k, only they are scored.
        candidates: list[int] | None = None
        for bound, term in plan:
            if done > remaining:
                # A document that matched none of the terms so far scores at most `remaining`,
                # and one that did gains at most `remaining` more: below `floor`, it is out.
                if candidates is None:
                    best = heapq.nlargest(k, scores)
                else:
                    best = heapq.nlargest(k, map(scores.__getitem__, candidates))
                if len(best) == k and best[-1] > remaining:
                    floor = best[-1] - remaining
                    if candidates is None:
                        candidates = list(compress(range(size), map(floor.__le__, scores)))
                    else:
                        keep = map(floor.__le__, map(scores.__getitem__, candidates))
                        candidates = list(compress(candidates, keep))
            ids, impacts = self.impacts(term)
            if candidates is None or len(candidates) * 16 > len(ids):
                # Scoring a document that cannot make it costs nothing but time.
                for docnum, impact in zip(ids, impacts, strict=False):
                    scores[docnum] += bound * impact
            else:
                count = len(ids)
                for docnum in candidates:
                    index = bisect_left(ids, docnum)
                    if index < count and ids[index] == docnum:
                        scores[docnum] += bound * impacts[index]
            done += bound
            remaining -= bound
        if candidates is None:
            # Documents that scored nothing (0.0) or were left out (-inf) are not matches.
            matched = size - scores.count(0.0) - scores.count(_OUT)
            best = heapq.nlargest(k, scores)
            pool = _positions(scores, best)
        else:
            matched = len(candidates)
            best = heapq.nlargest(k, map(scores.__getitem__, candidates))
            lowest = best[-1] if best else 0.0
            pool = [d for d in candidates if scores[d] >= lowest]
        ranked = sorted(pool, key=lambda d: (-scores[d], d))[:k]
        hits = [(scores[d], d) for d in ranked if scores[d] > 0.0]
        matched = max(matched, len(hits))
        return Ranked(hits, matched)

    def _top_vectorised(
        self,
        plan: list[tuple[float, str]],
        k: int,
        excluded: Iterable[int],
        allowed: Iterable[int] | None,
    ) -> Ranked:
        """`top` with numpy: every posting of every term added, in the order of `plan` (so
        each document's sum is the one `top` makes), then the top k taken whole. No pruning:
        a whole-array step costs less than deciding what to skip."""
        np = self._numpy
        scores = np.zeros(self.size)
        for bound, term in plan:
            ids, impacts = self.impacts(term)
            if len(ids):
                # Zero-copy views of the cached arrays; a term holds a document once, so the
                # fancy-index addition adds each posting exactly once.
                scores[np.frombuffer(ids, dtype=np.intc)] += bound * np.frombuffer(
                    impacts, dtype=np.float64
                )
        if allowed is not None:
            keep = np.zeros(self.size, dtype=bool)
            keep[np.fromiter(allowed, dtype=np.intp)] = True
            scores[~keep] = 0.0
        out = np.fromiter(excluded, dtype=np.intp)
        if len(out):
            scores[out] = 0.0
        matching = np.flatnonzero(scores > 0.0)
        if len(matching) > k:
            # Every document tied with the k-th best is in the pool: ties go to the lower
            # document number, as in `top`.
            values = scores[matching]
            kth = np.partition(values, len(matching) - k)[len(matching) - k]
            pool = matching[values >= kth]
        else:
            pool = matching
        ranked = sorted(
            zip(scores[pool].tolist(), pool.tolist(), strict=True),
            key=lambda hit: (-hit[0], hit[1]),
        )
        return Ranked(ranked[:k], len(matching))

    def score(self, terms: dict[str, float], docnum: int) -> float:
        """The score of one document (0.0 when it holds none of the terms)."""
        total = 0.0
        for term, weight in terms.items():
            ids, impacts = self.impacts(term)
            index = bisect_left(ids, docnum)
            if index < len(ids) and ids[index] == docnum:
                idf = self._searcher.idf(FIELD, term)
                total += weight * idf * (self._k1 + 1) * impacts[index]
        return total


_OUT = float("-inf")


def _positions(scores: list[float], values: list[float]) -> list[int]:
    """Where in `scores` the `values` are (every occurrence): a few scans in C."""
    found: list[int] = []
    for value in set(values):
        if value <= 0.0:
            continue
        index = scores.index(value)
        while True:
            found.append(index)
            try:
                index = scores.index(value, index + 1)
            except ValueError:
                break
    return found


def _leaf_readers(searcher: Any) -> list[tuple[Any, int]]:
    return list(searcher.reader().leaf_readers())


def _deleted(reader: Any) -> set[int]:
    if not reader.has_deletions():
        return set()
    known = getattr(reader, "deleted_docs_set", None)
    if known is not None and not callable(known):
        return set(known)
    return {n for n in range(reader.doc_count_all()) if reader.is_deleted(n)}


def _length_bytes(reader: Any, count: int) -> bytes:
    """The segment's encoded field lengths, one byte per document (0: no length)."""
    perdoc = getattr(reader, "_perdoc", None)
    column = None
    if perdoc is not None and hasattr(perdoc, "_cached_reader"):
        column = perdoc._cached_reader(whoosh3._lenfield(FIELD), whoosh3.LENGTHS_COLUMN)
    if column is None:
        return bytes(count)
    if getattr(column, "_fixedlen", None) == 1 and hasattr(column, "_dbfile"):
        # A one-byte column is the lengths themselves on disk: read them in one go.
        stored = min(column._count, count)
        data = bytes(column._dbfile.get(column._basepos, stored)) if stored else b""
    else:  # pragma: no cover - another column implementation
        data = bytes(column)
    return data[:count] + bytes(max(0, count - len(data)))


def _posting_blocks(reader: Any, term: str) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """(docnums, weights) of `term` in one segment, a block at a time, deleted ones included."""
    terms = getattr(reader, "_terms", None)
    if terms is not None and hasattr(terms, "matcher"):
        schema_format = reader.schema[FIELD].format
        matcher = terms.matcher(FIELD, term.encode("utf-8"), schema_format)
    else:  # pragma: no cover - another reader implementation
        matcher = reader.postings(FIELD, term)
    if isinstance(matcher, whoosh3.W3LeafMatcher) and _BLOCK_API:
        yield from _read_blocks(matcher)
        return
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    yield ids, weights


def _read_blocks(matcher: Any) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """The blocks of an on-disk posting list, decoded whole (Whoosh's block format)."""
    postfile = matcher._postfile
    while True:
        data = postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
        if matcher._compression:
            data = zlib.decompress(data)
        ids, weights = pickle.loads(data)[:2]
        if not matcher._byteids:
            ids = list(accumulate(ids))  # stored as gaps
        count = matcher._blocklength
        if weights is None:
            weights = [1.0] * count
        elif isinstance(weights, float):
            weights = [weights] * count
        yield ids, weights
        if matcher._lastblock:
            return
        matcher._goto(matcher._nextoffset)


#: The private parts of Whoosh 2.7's block reader that `_read_blocks` relies on.
_BLOCK_API = all(hasattr(whoosh3.W3LeafMatcher, name) for name in ("_goto", "_read_data"))
