"""A one-line snippet of a procedure around the words that matched, with those words marked.

Matched words are wrapped in `**` (Markdown bold): readable as is in JSON and on a plain
terminal, and turned into real bold by the terminal renderer. Markdown markup of the source is
removed first, so the only `**` left are ours.
"""

from __future__ import annotations

import re

from kbtool.search.analysis import WORD, terms_of

MAX_LINES = 400
_FENCE = re.compile(r"^\s*(```|~~~)")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]*)\]\[[^\]]*\]")
_HTML = re.compile(r"<[^>]{1,200}>")
_LEAD = re.compile(r"^\s*(?:#{1,6}\s+|>\s*(?:\[![A-Z]+\]\s*)?|[-*+]\s+|\d{1,3}[.)]\s+)+")
_MARKUP = re.compile(r"\*\*|__|`+|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_SPACES = re.compile(r"\s+")


def plain_lines(body: str) -> list[str]:
    """The body's lines as plain text (markup, links and code fences removed)."""
    lines: list[str] = []
    in_fence = False
    for raw in body.split("\n")[: MAX_LINES * 2]:
        if _FENCE.match(raw):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        line = _IMAGE.sub(r"\1", raw)
        line = _LINK.sub(r"\1", line)
        line = _REF_LINK.sub(r"\1", line)
        line = _HTML.sub(" ", line)
        if line.lstrip().startswith("#"):
            continue  # headings say where, not what
        line = _LEAD.sub("", line)
        line = _MARKUP.sub("", line)
        line = _SPACES.sub(" ", line).strip()
        if line and not set(line) <= set("|-: =") and len(lines) < MAX_LINES:
            lines.append(line)
    return lines


def make_snippet(body: str, terms: set[str], width: int = 180) -> str:
    """The best line of `body` for the query `terms`, cut to about `width` characters."""
    lines = plain_lines(body)
    if not lines:
        return ""
    best_index, best_score = 0, 0
    for index, line in enumerate(lines):
        found = {t for word in WORD.findall(line) for t in terms_of(word) if t in terms}
        if len(found) > best_score:
            best_index, best_score = index, len(found)
            if best_score == len(terms):
                break
    line = lines[best_index]
    if best_index + 1 < len(lines) and len(line) < width // 2:
        line = f"{line} {lines[best_index + 1]}"
    return _highlight(_window(line, terms, width), terms)


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
