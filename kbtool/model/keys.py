"""Front-matter keys: which of another knowledge base's keys mean one of ours, and which
unknown key is a typo of a known one.

Shared by `kbtool init` (which proposes aliases from the keys in use) and the unknown-key rule
(FM008), so that a key both see gets the same advice.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

#: Keys other knowledge bases (Microsoft Learn, Jekyll and Hugo sites, wikis) use for one of
#: kbtool's fields, the most specific first: `ms.author` wins over `author` when both are there.
FOREIGN_KEYS: dict[str, tuple[str, ...]] = {
    "owner": ("ms.author", "author", "owner_id", "maintainer"),
    "reviewed": (
        "ms.date",
        "last_reviewed",
        "reviewed_on",
        "last_review",
        "lastmod",
        "last_modified",
        "updated",
        "date",
    ),
    "summary": ("description", "abstract", "excerpt"),
    "tags": ("keywords",),
    "service": ("ms.service", "product", "category"),
}

#: How close the part after any namespace (`ms.`) must be, as difflib's ratio, to be a typo.
_TYPO_RATIO = 0.75


def _split(key: str) -> tuple[str, str]:
    namespace, _dot, local = key.lower().rpartition(".")
    return namespace, local


def typo_of(key: str, known: Iterable[str]) -> str | None:
    """The known key that `key` is most likely a misspelling of, or None.

    Only keys of the same namespace are compared (`ms.reviewer` is not a typo of our
    `reviewed`, nor `author` of `ms.author`), by the part after it, ignoring case.
    """
    namespace, local = _split(key)
    best: tuple[float, str] | None = None
    for candidate in known:
        if candidate == key:
            continue
        other_namespace, other_local = _split(candidate)
        if other_namespace != namespace:
            continue
        ratio = difflib.SequenceMatcher(None, local, other_local).ratio()
        if ratio < _TYPO_RATIO or _edits(local, other_local) > max(2, len(local) // 4):
            continue  # `keyword` is not `f1_keywords`: a typo is a letter or two
        if best is None or ratio > best[0]:
            best = (ratio, candidate)
    return best[1] if best is not None else None


def _edits(a: str, b: str) -> int:
    """Levenshtein distance, a swap of neighbours counting once (`onwer` is `owner`)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def field_for(key: str) -> str | None:
    """The kbtool field another knowledge base's `key` usually means (`description` ->
    `summary`), or None."""
    lowered = key.lower()
    for name, keys in FOREIGN_KEYS.items():
        if lowered in keys:
            return name
    return None


def alias_hint(key: str, aliases: Mapping[str, str]) -> str | None:
    """Advice for an unknown `key` that means one of our fields not mapped yet, else None."""
    name = field_for(key)
    if name is None or name in aliases:
        return None
    return f'if it is the {name}, map it: aliases = {{ {name} = "{key}" }} under [fields]'
