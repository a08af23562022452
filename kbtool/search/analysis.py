"""Text analysis shared by the index and the query: words → search terms.

One function, `terms_of`, turns a word as written into the terms it is indexed and searched
under, so documents and queries always agree:

* lower case, apostrophes dropped (`can't` → `cant`), Porter stemming (`printing` → `print`);
* identifiers split as well as kept whole: `KubePodCrashLooping` → `kubepodcrashlooping`,
  `kube`, `pod`, `crash`, `loop`, and neighbouring parts joined (`kubepod`, `podcrash`,
  `crashloop`); `max_file_bytes`, `outlook.exe` and `wi-fi` likewise, so `crash looping` and
  `crashlooping` meet `KubePodCrashLooping` and `wifi` meets `Wi-Fi`;
* very common English words dropped (they match everything and cost time).

Why the counting happens here rather than in a Whoosh analyzer chain: a chain creates a token
object per word occurrence in Python, which made a 25,000-procedure build take over a minute.
Counting raw words with the C regex engine and analysing each distinct word once (cached) is
many times faster, and BM25 needs only the counts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from whoosh.lang.porter import stem as _porter_stem

#: A word as written: letters and digits, joined by `.`, `-`, `'` or `_` inside an identifier.
WORD = re.compile(r"[^\W_]+(?:(?:[.'’_\-]|::)[^\W_]+)*|[^\W_]*_[\w]+")
_SEPARATORS = re.compile(r"[.'’_\-:]+")
#: What joins the parts of an identifier or a code (`foo.bar`, `e-mail`, `5.7.23`).
SEPARATORS = _SEPARATORS
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+[a-z]*|[^\W\d_]+")
_CAMEL_BOUNDARY = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]{2}")
_HEX_CODE = re.compile(r"^(?:0x)?[0-9a-f]{4,}$")
MAX_WORD = 40  # longer runs are hashes, base64 or URLs: not something a caller says

#: Words too common to help ranking; kept small on purpose ("not", "no" stay searchable).
STOP_WORDS = frozenset(
    """a an and are as at be been but by can could did do does for from had has have how i if
    in into is it its of on or our so such than that the their them then there these they this
    to was we were what when where which while who will with would you your""".split()  # noqa: SIM905
)

_CACHE: dict[str, tuple[str, ...]] = {}
_STEMS: dict[str, str] = {}


def stem(word: str) -> str:
    """Porter stem of a lower-case word, cached (vocabularies repeat a lot)."""
    result = _STEMS.get(word)
    if result is None:
        result = _porter_stem(word) if word.isalpha() and len(word) > 3 else word
        if len(_STEMS) < 500_000:
            _STEMS[word] = result
    return result


def terms_of(word: str) -> tuple[str, ...]:
    """The index terms of one word as written (empty for stop words and noise)."""
    cached = _CACHE.get(word)
    if cached is not None:
        return cached
    terms = _analyse_word(word)
    if len(_CACHE) < 1_000_000:
        _CACHE[word] = terms
    return terms


#: The terms of a word already analysed, or None (a plain dict lookup, for hot loops).
analysed_terms = _CACHE.get


def _analyse_word(word: str) -> tuple[str, ...]:
    if len(word) > MAX_WORD:
        return ()
    lower = word.lower()
    parts = _split_identifier(word, lower)
    whole = lower.replace("'", "").replace("’", "")
    if len(parts) <= 1:
        if len(whole) < 2 or whole in STOP_WORDS:
            return ()
        whole = _SEPARATORS.sub("", whole)
        if whole.startswith("0x") and len(whole) > 6 and _HEX_CODE.match(whole):
            return (whole, whole[2:])  # `0x8004010F` is also read out as `8004010F`
        return (stem(whole),) if whole else ()
    joined = "".join(_SEPARATORS.split(whole))
    terms: list[str] = [stem(joined)] if len(joined) >= 2 else []
    for part in parts:
        if len(part) >= 2 and part not in STOP_WORDS:
            term = stem(part)
            if term not in terms:
                terms.append(term)
    # Neighbouring parts joined too, so a word typed as one meets the longer identifier:
    # `persistentvolume` meets `KubePersistentVolumeFillingUp`.
    if len(parts) >= 3:
        for first, second in zip(parts, parts[1:], strict=False):
            pair = first + second
            if pair.isalpha():
                term = stem(pair)
                if term not in terms:
                    terms.append(term)
    return tuple(terms)


def _split_identifier(word: str, lower: str) -> list[str]:
    """The parts of an identifier (`fooBar`, `foo_bar`, `foo.bar`, `foo-bar`), else [word]."""
    if "'" in word or "’" in word:
        word = word.replace("'", "").replace("’", "")
        lower = word.lower()
    pieces = [p for p in _SEPARATORS.split(word) if p]
    if _HEX_CODE.match(lower):
        return [lower]
    parts: list[str] = []
    for piece in pieces:
        if _CAMEL_BOUNDARY.search(piece):
            parts.extend(m.lower() for m in _CAMEL.findall(piece))
        else:
            parts.append(piece.lower())
    return parts


def words(text: str) -> list[str]:
    """The words of a text as written, in order."""
    return WORD.findall(text)


def count_terms(sections: Iterable[tuple[str, float]]) -> tuple[dict[str, int], dict[str, float]]:
    """Term frequencies and boosted weights over weighted pieces of text.

    `sections` pairs text with a weight (the title counts more than the body): the weight of a
    term is the sum of its occurrences times the weight of where each occurs, which is BM25F's
    weighted term frequency over one combined field.
    """
    freqs: dict[str, int] = {}
    weights: dict[str, float] = {}
    for text, weight in sections:
        if not text:
            continue
        for word, count in Counter(WORD.findall(text)).items():
            for term in terms_of(word):
                freqs[term] = freqs.get(term, 0) + count
                weights[term] = weights.get(term, 0.0) + count * weight
    return freqs, weights


def count_terms_and_words(
    sections: Iterable[tuple[str, float]],
) -> tuple[dict[str, int], dict[str, float], list[str]]:
    """`count_terms`, and the distinct words as written (for the vocabulary), in one pass."""
    freqs: dict[str, int] = {}
    weights: dict[str, float] = {}
    seen: set[str] = set()
    for text, weight in sections:
        if not text:
            continue
        counted = Counter(WORD.findall(text))
        seen.update(counted)
        for word, count in counted.items():
            for term in terms_of(word):
                freqs[term] = freqs.get(term, 0) + count
                weights[term] = weights.get(term, 0.0) + count * weight
    return freqs, weights, list(seen)


def query_terms(text: str) -> list[tuple[str, str]]:
    """`(word as typed, term)` pairs of a query, in order, without duplicates of a term."""
    return analyse_query(text)[0]


def query_term_counts(text: str) -> dict[str, int]:
    """How often each term occurs in a query."""
    return analyse_query(text)[1]


def analyse_query(text: str) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """`query_terms` and `query_term_counts` in one pass over the query's words."""
    counts: dict[str, int] = {}
    pairs: list[tuple[str, str]] = []
    for word in WORD.findall(text):
        for term in terms_of(word):
            if term in counts:
                counts[term] += 1
            else:
                counts[term] = 1
                pairs.append((word, term))
    return pairs, counts


def exact_key(text: str) -> str:
    """The form an id or error code is matched in: lower case, letters and digits only.

    `KB-0042`, `kb 0042` and `KB0042` all become `kb0042`; `0x8004010F` also matches as
    `8004010f` (see `exact_keys`).
    """
    return "".join(ch for ch in text.lower() if ch.isalnum())


def exact_keys(code: str) -> set[str]:
    """Every key an id or error code answers to (with and without a `0x` prefix)."""
    key = exact_key(code)
    keys = {key} if key else set()
    if key.startswith("0x") and len(key) > 2:
        keys.add(key[2:])
    return keys


#: A piece of a code as typed or read out: letters and digits between anything else.
_CODE_PIECE = re.compile(r"[0-9A-Za-z]+")


def exact_matches(text: str, is_key: Callable[[str], bool], max_parts: int = 12) -> list[str]:
    """The id and error-code keys a query names, read left to right, the longest first.

    Callers read codes out in pieces (`8004 010F`, `K B 0 0 4 2`, even digit by digit): at
    each word, the longest run of it and its neighbours that joins into a key wins, and those
    words are not used again, so `8 0 0 4 0 1 0 F` names 0x8004010F and not a code `800`
    that its first pieces also spell. `is_key` says whether a key exists in the index.
    """
    pieces = _CODE_PIECE.findall(text)[:200]
    found: list[str] = []
    start = 0
    while start < len(pieces):
        best: tuple[int, str] | None = None
        joined = ""
        for end in range(start, min(len(pieces), start + max_parts)):
            joined += pieces[end].lower()
            if len(joined) > 64:
                break
            bare = joined[2:] if joined.startswith("0x") else ""
            for key in (joined, bare):
                if len(key) >= 2 and is_key(key):
                    best = (end + 1, key)
                    break
        if best is None:
            start += 1
            continue
        start, key = best
        if key not in found:
            found.append(key)
    return found


def code_runs(text: str, max_parts: int = 12, max_piece: int = 8) -> Iterator[str]:
    """Neighbouring pieces of a code joined, as the index holds the code written whole.

    Runs of two to `max_parts` pieces, each short and holding a digit, except that a run
    may start with a prefix of up to three letters (`KB 0042`, `HCW 8057`). Letters read out
    one by one do not continue a run here (`5 a day` is not a code): in prose they cost more
    than they find. Declared codes are matched digit by digit too (`exact_matches`).
    """
    pieces = _CODE_PIECE.findall(text)[:200]
    for start in range(len(pieces)):
        joined = pieces[start].lower()
        if len(joined) > max_piece or (len(joined) > 3 and not _has_digit(joined)):
            continue
        for end in range(start + 1, min(len(pieces), start + max_parts)):
            piece = pieces[end].lower()
            if len(piece) > max_piece or not _has_digit(piece):
                break
            joined += piece
            yield joined


def _has_digit(piece: str) -> bool:
    return any(ch.isdigit() for ch in piece)


class Vocabulary:
    """The words of the indexed text: spellings of each term, and the alphabetic terms.

    `forms` maps a term to its spellings as written (`configur` → `configure`,
    `configuration`): typo correction works on index terms, and this is how a correction is
    shown in words the agent recognises. `terms` is every alphabetic index term, for the
    speller (`spelling.Speller`). Each distinct word is analysed once per build.
    """

    MAX_FORMS = 6

    def __init__(self, forms: dict[str, list[str]] | None = None) -> None:
        self.forms: dict[str, list[str]] = forms if forms is not None else {}
        self.terms: set[str] = set()
        self._seen: set[str] = set()

    def add_text(self, text: str) -> None:
        self.add_words(WORD.findall(text))

    def add_words(self, words: Iterable[str]) -> None:
        """Add distinct words as written (`count_terms_and_words` gives them)."""
        new = set(words)
        new -= self._seen
        self._seen |= new
        for word in new:
            terms = terms_of(word)
            for term in terms:
                if term.isalpha():
                    self.terms.add(term)
            if len(word) < 3 or not word.isalpha():
                continue
            lower = word.lower()
            terms = terms_of(lower)
            if len(terms) == 1:
                forms = self.forms.setdefault(terms[0], [])
                if lower not in forms and len(forms) < self.MAX_FORMS:
                    forms.append(lower)
