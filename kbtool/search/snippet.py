"""A one-line snippet of a procedure around the words that matched, with those words marked.

Matched words are wrapped in `**` (Markdown bold): readable as is in JSON and on a plain
terminal, and turned into real bold by the terminal renderer. Markdown markup of the source is
removed first, so the only `**` left are ours.

Two steps, split between indexing and searching. At index time `snippet_text` turns a body
into the plain lines a snippet may show (no code blocks, headings, blank lines or markup) and
the index stores them with the document, compressed. At search time `SnippetSource` finds the
lines that hold the query's terms with `str.find` over the lower-cased text (C speed, no word
by word analysis of the whole body) and checks only those lines word by word. So a search
reads no procedure file, and a snippet shows the text that was ranked.
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from kbtool.search.analysis import SEPARATORS, WORD, terms_of

MAX_LINES = 400
_FENCE = re.compile(r"^\s*(```|~~~)")
# The patterns apply to many lines at once: none may cross a line end.
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_REF_LINK = re.compile(r"\[([^\]\n]*)\]\[[^\]\n]*\]")
_HTML = re.compile(r"<[^>\n]{1,200}>")
_LEAD = re.compile(r"^\s*(?:#{1,6}\s+|>\s*(?:\[![A-Z]+\]\s*)?|[-*+]\s+|\d{1,3}[.)]\s+)+")
#: What a line with a list marker, a quote or a heading mark starts with, past its indent.
_LEAD_STARTS = frozenset("#>-*+0123456789")
# The lookahead first: a position that is no markup character fails at once (4x faster).
_MARKUP = re.compile(r"(?=[*_`])(?:\*\*|__|`+|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")
_CELL_BORDER = re.compile(r"(?<!\\)\|")
_RULE_CHARS = frozenset("|-: =")
#: Endings the stemmer may write differently from the word (`happy` -> `happi`, `hoping` ->
#: `hope`): dropped from a term before it is looked for as a substring of the text.
_STEM_ENDINGS = "ei"
#: What `analysis.SEPARATORS` matches, one character at a time (a test keeps them the same).
_SEPARATOR_CHARS = ".'’_-:"


def plain_lines(raw_lines: list[str]) -> list[str]:
    """Lines of Markdown as plain text (markup and link targets removed; headings, table
    rule lines and blank lines become ""). Whole-text regular expressions, one pass each."""
    text = "\n".join(raw_lines)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _HTML.sub(" ", text)
    lines = text.split("\n")
    for index, line in enumerate(lines):
        start = line.lstrip()[:1]
        if start == "#":
            lines[index] = ""  # headings say where, not what
        elif start == "|":  # a table row: its cells, without the borders
            row = line.strip()
            if set(row) <= _RULE_CHARS:
                lines[index] = ""
            else:
                cells = [cell.strip() for cell in _CELL_BORDER.split(row.strip("|"))]
                lines[index] = " · ".join(cell.replace("\\|", "|") for cell in cells if cell)
        elif start in _LEAD_STARTS:
            lines[index] = _LEAD.sub("", line, count=1)
    text = _MARKUP.sub("", "\n".join(lines))
    # `split()` with no separator: runs of any white space, as `\s+`, at C speed.
    plain = (" ".join(line.split()) for line in text.split("\n"))
    return ["" if set(line) <= _RULE_CHARS else line for line in plain]


def plain_line(raw: str) -> str:
    """One line of Markdown as plain text (markup and link targets removed)."""
    return plain_lines([raw])[0]


def snippet_text(body: str) -> str:
    """The lines a snippet may show of `body` (its first `MAX_LINES * 2`), as plain text,
    outside code blocks, blank ones dropped, joined by newlines."""
    lines = body.split("\n")[: MAX_LINES * 2]
    if "```" in body or "~~~" in body:
        code = _code_lines(lines)
        lines = [line for index, line in enumerate(lines) if index not in code]
    return "\n".join(line for line in plain_lines(lines) if line)


def pack(text: str) -> bytes:
    """`snippet_text` as the index stores it."""
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


def unpack(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8", "surrogatepass")


@dataclass
class SnippetSource:
    """The plain lines of one procedure, ready for snippets. A long-lived searcher keeps the
    sources it made, and each remembers the lines of every term asked for."""

    text: str
    lines: list[str] = field(init=False)
    terms: dict[str, frozenset[int]] = field(default_factory=dict, init=False)
    _line_terms: dict[int, frozenset[str]] = field(default_factory=dict, init=False)
    _lower: tuple[str, list[int]] | None = field(default=None, init=False)
    _squashed: tuple[str, list[int]] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.lines = self.text.split("\n") if self.text else []

    def lines_of(self, terms: set[str]) -> dict[str, frozenset[int]]:
        """The lines that may hold each of `terms`: those whose text holds the term as a
        substring (an upper bound, checked word by word by `holds` where it matters)."""
        for term in terms:
            if term not in self.terms:
                self.terms[term] = frozenset(self._candidates(term))
        return {term: self.terms[term] for term in terms}

    def holds(self, index: int) -> frozenset[str]:
        """The terms of line `index`, word by word (made once per line)."""
        held = self._line_terms.get(index)
        if held is None:
            held = frozenset(t for word in WORD.findall(self.lines[index]) for t in terms_of(word))
            self._line_terms[index] = held
        return held

    def _candidates(self, term: str) -> set[int]:
        """Lines whose text holds `term` (less a stemmer's ending) as a substring: every line
        that can hold the term, and maybe a few more."""
        key = term.rstrip(_STEM_ENDINGS) or term
        found = _lines_holding(key, *self._lowered())
        if not found and not SEPARATORS.search(key):
            # Only then with separators dropped, for a joined term (`email` of `e-mail`,
            # `5723` of `5.7.23`): dropping them costs more than all the searches of a query.
            found = _lines_holding(key, *self._squashed_text())
        return found

    def _lowered(self) -> tuple[str, list[int]]:
        if self._lower is None:
            self._lower = _with_starts(self.text.lower())
        return self._lower

    def _squashed_text(self) -> tuple[str, list[int]]:
        if self._squashed is None:
            text = self._lowered()[0]
            for separator in _SEPARATOR_CHARS:  # str.replace: several times faster than a regex
                text = text.replace(separator, "")
            self._squashed = _with_starts(text)
        return self._squashed


def _lines_holding(key: str, text: str, starts: list[int]) -> set[int]:
    """The lines of `text` (starting at `starts`) where `key` occurs: one search a line."""
    found: set[int] = set()
    position = text.find(key)
    last = len(starts) - 1
    while position != -1:
        index = bisect_right(starts, position) - 1
        found.add(index)
        if index == last:
            break
        position = text.find(key, starts[index + 1])
    return found


def _with_starts(text: str) -> tuple[str, list[int]]:
    """`text` and where each of its lines starts (lower-casing keeps the newlines)."""
    return text, list(accumulate((len(line) + 1 for line in text.split("\n")[:-1]), initial=0))


def prepare(body: str) -> SnippetSource:
    """A body's snippet source, made from its Markdown (what the index stores, unpacked)."""
    return SnippetSource(snippet_text(body))


def make_snippet(body: str, terms: set[str], width: int = 180) -> str:
    """The best line of `body` for the query `terms`, cut to about `width` characters."""
    return snippet(prepare(body), terms, width)


def snippet(source: SnippetSource, terms: set[str], width: int = 180) -> str:
    """The best line of `source` for the query `terms`, cut to about `width` characters.

    Best: the first line holding the most distinct query terms; when it is short, the line
    after it follows. Without a match, the first lines. The lines that may hold each term
    are found in `source`; only the most promising are read again word by word.
    """
    lines = source.lines
    if not lines:
        return ""
    bounds: dict[int, set[str]] = {}
    for term, indexes in source.lines_of(terms).items():
        for index in indexes:
            held = bounds.get(index)
            if held is None:
                bounds[index] = {term}
            else:
                held.add(term)
    best, best_score = 0, 0
    # Most promising lines first; stop when no line left can beat (or tie earlier than) the best.
    for negative, index in sorted((-len(held), index) for index, held in bounds.items()):
        if -negative < best_score:
            break
        if -negative == best_score and index > best:
            continue
        score = len(bounds[index] & source.holds(index))
        if score > best_score or (score == best_score > 0 and index < best):
            best, best_score = index, score
    line = lines[best]
    if len(line) < width // 2 and best + 1 < len(lines):
        line = f"{line} {lines[best + 1]}"
    return _highlight(_window(line, terms, width), terms)


def _code_lines(lines: list[str]) -> frozenset[int]:
    """Indexes of the lines inside code fences, the fences included."""
    inside: set[int] = set()
    in_fence = False
    for index, raw in enumerate(lines):
        if _FENCE.match(raw):
            in_fence = not in_fence
            inside.add(index)
        elif in_fence:
            inside.add(index)
    return frozenset(inside)


def _window(line: str, terms: set[str], width: int) -> str:
    if len(line) <= width:
        return line
    first = 0
    for match in WORD.finditer(line):
        if any(t in terms for t in terms_of(match.group())):
            first = match.start()
            break
    start = max(0, min(first - width // 4, len(line) - width))
    if start > 0:
        space = line.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = start + width
    if end < len(line):
        space = line.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    return ("…" if start > 0 else "") + line[start:end].strip() + ("…" if end < len(line) else "")


def _highlight(text: str, terms: set[str]) -> str:
    def mark(match: re.Match[str]) -> str:
        word = match.group()
        return f"**{word}**" if any(t in terms for t in terms_of(word)) else word

    return WORD.sub(mark, text)
