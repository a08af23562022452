"""The ranking's parameters, in one place, and how a benchmark overrides them.

Every number the ranking or the analysis depends on is a field of `Tuning`, with the value
kbtool ships. `KBTOOL_SEARCH_TUNING` (a benchmark's knob, not a user setting) overrides
some of them for one process: `name=value` pairs separated by commas, e.g.
`title_cover=0,bm25_b=0.6`. That is how `benchmarks/compare.py` measures two
configurations against each other without editing code, so that a parameter can be chosen
on two corpora and checked on the third (benchmarks/README.md, the tuning discipline).

The index-time fields (`INDEX_FIELDS`) change what is written into the index; they are part
of the index's configuration fingerprint (`store.config_fingerprint`), so changing them
rebuilds the index instead of searching one built another way.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields
from typing import Any

from kbtool.core.errors import KbtoolError

ENV = "KBTOOL_SEARCH_TUNING"


@dataclass(frozen=True)
class Tuning:
    # -- index time: how much an occurrence counts, by where it is -------------------------
    title_weight: float = 3.0
    summary_weight: float = 2.0
    symptoms_weight: float = 1.5
    tags_weight: float = 2.0
    body_weight: float = 1.0
    # -- query time ------------------------------------------------------------------------
    #: BM25F length normalisation and term-frequency saturation.
    bm25_b: float = 0.75
    bm25_k1: float = 2.0
    #: BM25's `b` for a query of at most `short_b_words` words (stop words aside), as agents
    #: type them (0: `bm25_b` for every query). A few keywords name a topic: a long page that
    #: covers it is not long by chance, as it is when a pasted sentence meets a long page.
    short_b: float = 0.65
    short_b_words: int = 5
    #: Okapi's k3: how fast a repeated query word stops counting more.
    qtf_k3: float = 8.0
    #: Query terms kept, the most distinctive first.
    max_terms: int = 24
    #: Weight of a synonym, a corrected word, joined neighbours, a code read in pieces.
    synonym_weight: float = 0.8
    correction_weight: float = 0.9
    join_weight: float = 0.5
    code_run_weight: float = 2.0
    #: Title coverage: a result's score is multiplied by `1 + factor * share`, the share (by
    #: idf) of its title's terms that the query says; the factor is `title_cover` from
    #: `title_cover_terms` query terms on, in proportion below: the longer the text, the more
    #: a long, generic page gathers by chance, and the more a title the text says tells.
    #: 0 turns it off.
    title_cover: float = 1.0
    title_cover_terms: int = 24
    #: A typo is corrected to the candidate the query's other words support in the
    #: knowledge base (1), or to the closest, most widespread one (0).
    correction_context: float = 1.0
    #: A pasted text says what it is about first (an alert's title, a ticket's subject): a
    #: term first said at word `pos` is weighted `1 / (1 + pos / position_decay)` (0: off).
    position_decay: float = 60.0
    #: How many of the best BM25F results the title coverage re-ranks: this many times the
    #: results asked for, at most 200 more (50 for ten results: deeper changed no ranking of
    #: the three benchmark sets, 30 lost gitlab-dev queries).
    rerank_depth: int = 5


#: Fields that change the index itself (the rest only change how it is searched).
INDEX_FIELDS = (
    "title_weight",
    "summary_weight",
    "symptoms_weight",
    "tags_weight",
    "body_weight",
)

_parsed: tuple[str, Tuning] | None = None


def active() -> Tuning:
    """The tuning in force: the defaults with `KBTOOL_SEARCH_TUNING` applied."""
    global _parsed
    raw = os.environ.get(ENV, "")
    if _parsed is None or _parsed[0] != raw:
        _parsed = (raw, parse(raw))
    return _parsed[1]


def parse(text: str, base: Tuning | None = None) -> Tuning:
    """`base` (the defaults) with `name=value,...` applied; a `KbtoolError` names what is
    wrong (an unknown name, a value that is not a number)."""
    known = {f.name: f for f in fields(Tuning)}
    changes: dict[str, Any] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in known:
            listed = ", ".join(known)
            raise KbtoolError(f"{ENV}: {item.strip()!r} is not name=value with a name of {listed}")
        try:
            number = float(value)
        except ValueError:
            raise KbtoolError(f"{ENV}: {name}={value.strip()!r} is not a number") from None
        changes[name] = int(number) if known[name].type in (int, "int") else number
    return dataclasses.replace(base or Tuning(), **changes)


def index_part(tuning: Tuning) -> dict[str, float]:
    """The fields that change the index, for its configuration fingerprint."""
    return {name: getattr(tuning, name) for name in INDEX_FIELDS}


def describe(tuning: Tuning) -> str:
    """The fields that differ from the defaults, as `name=value,...` (empty: the defaults)."""
    default = Tuning()
    return ",".join(
        f"{f.name}={getattr(tuning, f.name):g}"
        for f in fields(Tuning)
        if getattr(tuning, f.name) != getattr(default, f.name)
    )
