"""Typo correction from the index's own words, without scanning the term dictionary per query.

The build stores the index's alphabetic terms (`store.SPELLING`, one per line). A word in no
procedure is corrected to the nearest of them: same first letter (most typos keep it), within
1 edit for short words and 2 for longer ones (Damerau-Levenshtein: a swapped pair of letters
is one edit), the most widespread winning a tie. Candidates are filtered cheaply before the
distance is computed: by length, and by the letters they use (one edit changes at most two
letters of a word's letter set), so a correction costs well under a millisecond even with
hundreds of thousands of terms, instead of a walk over Whoosh's term index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator


class Speller:
    """The index's alphabetic terms, grouped by first letter, for nearest-word lookups."""

    def __init__(self, terms: Iterable[str]) -> None:
        self._by_letter: dict[str, list[str]] = {}
        for term in terms:
            if term:
                self._by_letter.setdefault(term[0], []).append(term)
        self._masks: dict[str, list[tuple[int, int, str]]] = {}

    def __len__(self) -> int:
        return sum(len(terms) for terms in self._by_letter.values())

    def _bucket(self, letter: str) -> list[tuple[int, int, str]]:
        """(length, letter mask, term) of the terms starting with `letter`, built when needed."""
        bucket = self._masks.get(letter)
        if bucket is None:
            bucket = [(len(t), letter_mask(t), t) for t in self._by_letter.get(letter, ())]
            self._masks[letter] = bucket
        return bucket

    def within(
        self, term: str, maxdist: int, *, same_first: bool = True
    ) -> Iterator[tuple[int, str]]:
        """(distance, candidate) for every known term within `maxdist` edits of `term`."""
        if not term:
            return
        length = len(term)
        mask = letter_mask(term)
        spread = 2 * maxdist
        letters = [term[0]] if same_first else list(self._by_letter)
        for letter in letters:
            for size, other_mask, candidate in self._bucket(letter):
                if abs(size - length) > maxdist or ((mask ^ other_mask).bit_count() > spread):
                    continue
                if candidate == term:
                    continue
                distance = edit_distance(candidate, term, maxdist)
                if distance <= maxdist:
                    yield distance, candidate

    def nearest(
        self,
        term: str,
        maxdist: int,
        frequency: Callable[[str], int],
        *,
        same_first: bool = True,
    ) -> str | None:
        """The closest known term still in the index (`frequency` > 0), the most frequent of
        equally close ones; None when there is none."""
        best: tuple[int, int, str] | None = None
        for distance, candidate in self.within(term, maxdist, same_first=same_first):
            df = frequency(candidate)
            if df and (best is None or (distance, -df, candidate) < best):
                best = (distance, -df, candidate)
        return best[2] if best is not None else None


def letter_mask(word: str) -> int:
    """A bit per distinct character of the word (characters folded onto 62 bits)."""
    mask = 0
    for char in word:
        mask |= 1 << (ord(char) % 62)
    return mask


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): insert, delete, replace and
    swap two neighbours each cost one. With `limit`, stops early once it is exceeded (the
    result is then some value above `limit`)."""
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if limit is not None and min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
