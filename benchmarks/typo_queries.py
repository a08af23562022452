"""Typo'd copies of queries, the way people mistype: seeded, so every run types the same.

Each query gets one or two misspellings (two only when it has two words to spare), each in a
different alphabetic word of at least four letters, one of:

- two neighbouring letters transposed (`presence` → `presnece`);
- a letter dropped (`calendar` → `calenar`), never the first;
- a letter doubled (`mailbox` → `maillbox`);
- a letter replaced by a neighbouring key on a QWERTY keyboard (`quota` → `qiota`).

The first letter is kept (most typos keep it, and a changed first letter is a different
word to every engine). The generator is seeded with a string (corpus and query number), so
the typo'd set is the same on every machine and in every run.
"""

from __future__ import annotations

import random
import re

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_WORD = re.compile(r"[^\W\d_]+")


def _neighbours() -> dict[str, str]:
    found: dict[str, str] = {}
    for row_index, row in enumerate(_ROWS):
        for col, char in enumerate(row):
            near = [row[c] for c in (col - 1, col + 1) if 0 <= c < len(row)]
            for other in (row_index - 1, row_index + 1):
                if 0 <= other < len(_ROWS):
                    near += [
                        _ROWS[other][c]
                        for c in (col - 1, col, col + 1)
                        if 0 <= c < len(_ROWS[other])
                    ]
            found[char] = "".join(near)
    return found


NEIGHBOURS = _neighbours()
KINDS = ("transpose", "drop", "double", "neighbour")


def misspell(word: str, rng: random.Random) -> str:
    """One realistic misspelling of a word of four letters or more (first letter kept)."""
    for _attempt in range(10):
        kind = rng.choice(KINDS)
        at = rng.randrange(1, len(word))
        if kind == "transpose" and at < len(word) - 1 and word[at] != word[at + 1]:
            typed = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        elif kind == "drop":
            typed = word[:at] + word[at + 1 :]
        elif kind == "double":
            typed = word[: at + 1] + word[at] + word[at + 1 :]
        elif kind == "neighbour" and word[at].lower() in NEIGHBOURS:
            typed = word[:at] + rng.choice(NEIGHBOURS[word[at].lower()]) + word[at + 1 :]
        else:
            continue
        if typed.lower() != word.lower():
            return typed
    return word[:1] + word[2:] + word[1] if len(word) > 2 else word


def typo_query(query: str, seed: str) -> str:
    """The query with one or two of its words misspelt (seeded by `seed`)."""
    rng = random.Random(seed)
    spans = [m.span() for m in _WORD.finditer(query) if len(m.group()) >= 4]
    if not spans:
        return query
    count = min(len(spans), rng.choice((1, 1, 2)))
    chosen = sorted(rng.sample(spans, count), reverse=True)
    for start, end in chosen:
        query = query[:start] + misspell(query[start:end], rng) + query[end:]
    return query
