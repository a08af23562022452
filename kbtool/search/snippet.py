"""A one-line snippet of a procedure around the words that matched, with those words marked.

Matched words are wrapped in `**` (Markdown bold): readable as is in JSON and on a plain
terminal, and turned into real bold by the terminal renderer. Markdown markup of the source is
removed first, so the only `**` left are ours.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from kbtool.search.analysis import SEPARATORS, WORD, terms_of

MAX_LINES = 400
_FENCE = re.compile(r"^\s*(```|~~~)")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]*)\]\[[^\]]*\]")
_HTML = re.compile(r"<[^>]{1,200}>")
_LEAD = re.compile(r"^\s*(?:#{1,6}\s+|>\s*(?:\[![A-Z]+\]\s*)?|[-*+]\s+|\d{1,3}[.)]\s+)+")
_MARKUP = re.compile(r"\*\*|__|`+|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_SPACES = re.compile(r"\s+")
_CELL_BORDER = re.compile(r"(?<!\\)\|")
_RULE_CHARS = frozenset("|-: =")


def plain_line(raw: str) -> str:
    """One line of Markdown as plain text (markup and link targets removed)."""
    line = _IMAGE.sub(r"\1", raw)
    line = _LINK.sub(r"\1", line)
    line = _REF_LINK.sub(r"\1", line)
    line = _HTML.sub(" ", line)
    if line.lstrip().startswith("#"):
        return ""  # headings say where, not what
    if line.lstrip().startswith("|"):  # a table row: its cells, without the borders
        if set(line.strip()) <= _RULE_CHARS:
            return ""
        cells = [cell.strip() for cell in _CELL_BORDER.split(line.strip().strip("|"))]
        line = " · ".join(cell.replace("\\|", "|") for cell in cells if cell)
    line = _LEAD.sub("", line)
    line = _MARKUP.sub("", line)
    line = _SPACES.sub(" ", line).strip()
    return "" if set(line) <= _RULE_CHARS else line


@dataclass
class SnippetSource:
    """A procedure's body made ready for snippets: its lines, which of them are code, its
    distinct words grouped by what their terms can start with. Made once per version of a file
    (`prepare`) and kept by a long-lived searcher (a server's), it also remembers the lines of
    each term asked for, so a term searched again costs a dictionary lookup."""

    lines: list[str]
    body: str
    starts: list[int]  # where each line starts in `body`
    in_code: frozenset[int]
    #: Plain words (`printer`, `Printer`) by their first two lower-case letters: every term
    #: of such a word (its stem) starts with them.
    plain: dict[str, list[str]]
    #: The other words (identifiers, codes, `e-mail`), each with its letters once separators
    #: are dropped: every term of such a word starts with two letters found in that run.
    other: list[tuple[str, str]]
    terms: dict[str, frozenset[int]] = field(default_factory=dict)

    def lines_of(self, terms: set[str]) -> dict[str, frozenset[int]]:
        """The lines that may hold each of `terms`: those where a word with that term occurs
        (found with `str.find`, so a line may be credited with a term it does not hold: an
        upper bound, checked on the line's plain text by `snippet`)."""
        missing = {term for term in terms if term not in self.terms}
        if missing:
            found: dict[str, set[int]] = {term: set() for term in missing}
            starters = {term[:2] for term in missing}
            candidates = [w for start in starters for w in self.plain.get(start, ())]
            candidates += [w for w, run in self.other if any(s in run for s in starters)]
            body, starts = self.body, self.starts
            for word in candidates:
                held = missing.intersection(terms_of(word))
                if not held:
                    continue
                position = body.find(word)
                while position != -1:
                    index = bisect_right(starts, position) - 1
                    for term in held:
                        found[term].add(index)
                    position = body.find(word, position + len(word))
            for term, indexes in found.items():
                self.terms[term] = frozenset(indexes)
        return {term: self.terms[term] for term in terms}


def prepare(body: str) -> SnippetSource:
    """The body's first `MAX_LINES * 2` lines, and its distinct words."""
    lines = body.split("\n")[: MAX_LINES * 2]
    body = "\n".join(lines)
    in_code = _code_lines(lines) if ("```" in body or "~~~" in body) else frozenset()
    starts = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    plain: dict[str, list[str]] = {}
    other: list[tuple[str, str]] = []
    for word in set(WORD.findall(body)):
        if word.isalpha() and (word.islower() or word[1:].islower()):
            plain.setdefault(word[:2].lower(), []).append(word)
        else:
            other.append((word, SEPARATORS.sub("", word.lower())))
    return SnippetSource(lines, body, starts, in_code, plain, other)


def make_snippet(body: str, terms: set[str], width: int = 180) -> str:
    """The best line of `body` for the query `terms`, cut to about `width` characters."""
    return snippet(prepare(body), terms, width)


def snippet(source: SnippetSource, terms: set[str], width: int = 180) -> str:
    """The best line of `source` for the query `terms`, cut to about `width` characters.

    Best: the first line (outside code blocks) holding the most distinct query terms. The lines
    holding each term are looked up in `source`; only those lines are read again, as plain
    text, to count the terms they really show.
    """
    lines, in_code = source.lines, source.in_code
    bounds: dict[int, set[str]] = {}
    for term, indexes in source.lines_of(terms).items():
        for index in indexes:
            held = bounds.get(index)
            if held is None:
                bounds[index] = {term}
            else:
                held.add(term)
    best_index, best_score, best_line = -1, 0, ""
    # Most promising lines first; stop when no line left can beat (or tie earlier than) the best.
    for negative, index in sorted((-len(held), index) for index, held in bounds.items()):
        if -negative < best_score:
            break
        if -negative == best_score and index > best_index:
            continue
        if index in in_code:
            continue
        line = plain_line(lines[index])
        score = len({t for word in WORD.findall(line) for t in terms_of(word)} & terms)
        if score > best_score or (score == best_score > 0 and index < best_index):
            best_index, best_score, best_line = index, score, line
    if best_index < 0:
        best_index, best_line = _next_plain(lines, in_code, -1)
        if best_index < 0:
            return ""
    line = best_line
    if len(line) < width // 2:
        _index, following = _next_plain(lines, in_code, best_index)
        if following:
            line = f"{line} {following}"
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


def _next_plain(lines: list[str], in_code: frozenset[int], after: int) -> tuple[int, str]:
    """The first line after `after` with plain text in it, and that text."""
    for index in range(after + 1, len(lines)):
        if index not in in_code:
            line = plain_line(lines[index])
            if line:
                return index, line
    return -1, ""


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
