"""A fast, line-accurate scan of a procedure body: headings, sections, numbered steps, links.

Why not a full Markdown parser here: the linter must handle 10,000 procedures in about twice the
time it takes just to read them and parse their front matter, and a full CommonMark parse costs
five times that budget. This scanner reads each line once and understands exactly what the rules
need (ATX and setext headings, fenced code, ordered lists, inline and reference links, inline
code spans, HTML comments). Its output is checked against markdown-it-py in the tests.

Anchors are slugged with Python-Markdown's toc `slugify`, the function the MkDocs site uses, and
de-duplicated the same way (`_1`, `_2`, ...).
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

_ATX = re.compile(r"^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_ORDERED = re.compile(r"^(\d{1,9})[.)](?:[ \t]|$)")
_BULLET = re.compile(r"^[-*+](?:[ \t]|$)")
_SETEXT = re.compile(r"^(=+|-+)[ \t]*$")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
_INLINE_LINK = re.compile(
    r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*(<[^>]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
_REF_DEF = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*(?:<([^>]*)>|(\S+))")
_DISABLE = re.compile(r"<!--\s*kbtool[:-]\s*disable[=:\s]\s*([A-Za-z0-9_, ]+?)\s*-->")
_ATTR_ID = re.compile(r"\s*\{:?\s*#([\w-]+)[^}]*\}\s*$")
_HTML_ANCHOR = re.compile(r"<a\s[^>]*?\b(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|\b_|_\b)")
_HEADING_LINKS = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_SLUG_STRIP = re.compile(r"[^\w\s-]")
_SLUG_JOIN = re.compile(r"[-\s]+")
_ID_COUNT = re.compile(r"^(.*)_([0-9]+)$")


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    line: int
    anchor: str


@dataclass(frozen=True, slots=True)
class Section:
    """A level-2 heading and the lines under it, up to the next heading of level 1 or 2."""

    title: str
    line: int
    end_line: int  # last line that belongs to the section (inclusive)
    steps: int  # ordered list items at the top level of the section
    has_content: bool


@dataclass(frozen=True, slots=True)
class Link:
    target: str
    text: str
    line: int
    col: int
    image: bool = False


@dataclass(frozen=True, slots=True)
class BodyScan:
    headings: tuple[Heading, ...]
    sections: tuple[Section, ...]
    links: tuple[Link, ...]
    disabled_codes: frozenset[str]
    first_h1: str | None
    #: Anchors made by HTML (`<a id="x">`, `<a name="x">`) rather than by headings.
    html_anchors: frozenset[str] = frozenset()

    @property
    def anchors(self) -> frozenset[str]:
        return frozenset(h.anchor for h in self.headings) | self.html_anchors

    def section(self, title: str) -> Section | None:
        wanted = title.strip().lower()
        for section in self.sections:
            if section.title.strip().lower() == wanted:
                return section
        return None


def slugify(text: str, separator: str = "-") -> str:
    """Python-Markdown's toc slugify (the MkDocs default), applied to a heading's plain text."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _SLUG_STRIP.sub("", text).strip().lower()
    return _SLUG_JOIN.sub(separator, text)


def unique_anchor(anchor: str, used: set[str]) -> str:
    """Python-Markdown toc's `unique()`: `setup`, `setup_1`, ...; an empty slug becomes `_1`.

    A heading whose own slug already ends in `_N` bumps N, exactly as the site does.
    """
    while anchor in used or not anchor:
        match = _ID_COUNT.match(anchor)
        anchor = f"{match.group(1)}_{int(match.group(2)) + 1}" if match else f"{anchor}_1"
    used.add(anchor)
    return anchor


def heading_plain_text(raw: str) -> str:
    """The text a reader sees for a heading written in Markdown (links, code, emphasis, tags)."""
    text = raw
    if "](" in text:
        text = _HEADING_LINKS.sub(r"\1", text)
    if "`" in text:
        text = text.replace("`", "")
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub("", text)
    if "<" in text:
        text = _TAGS.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return text.strip()


def scan_body(body: str, first_line: int = 1) -> BodyScan:
    """Scan a Markdown body whose first line is line `first_line` of its file."""
    if "\r" in body:  # line endings as the site reads them; every line then ends in "\n"
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    lines = body.split("\n")
    headings: list[Heading] = []
    links: list[Link] = []
    disabled: set[str] = set()
    used_anchors: set[str] = set()
    # Line indexes of top-level ordered-list items and of content, to build sections later.
    step_lines: list[int] = []
    content_lines: list[int] = []
    heading_lines: list[tuple[int, int]] = []  # (index, level)

    fence: str | None = None
    in_comment = False  # inside a multi-line HTML comment (`<!--` ... `-->`)
    in_list = False  # lines indented 4+ continue a list item rather than start indented code
    previous_blank = True
    paragraph_index = -1  # index of the previous line when it was paragraph text (setext)
    paragraph_lines = 0  # lines in the current paragraph so far

    def add_heading(level: int, raw_text: str, index: int) -> None:
        custom = _ATTR_ID.search(raw_text) if "{" in raw_text else None
        if custom:  # `## Heading {#my-id}` (attr_list, enabled on the site) sets the anchor
            raw_text = raw_text[: custom.start()]
        text = heading_plain_text(raw_text)
        if custom:
            anchor = custom.group(1)
            used_anchors.add(anchor)
        else:
            anchor = unique_anchor(slugify(text), used_anchors)
        headings.append(Heading(level, text, first_line + index, anchor))
        heading_lines.append((index, level))

    for index, line in enumerate(lines):
        if fence is not None:
            stripped = line.lstrip(" ")
            if (
                len(line) - len(stripped) < 4
                and stripped.startswith(fence)
                and not stripped.strip().strip(fence[0])
            ):
                fence = None
            continue
        if in_comment:
            if "-->" in line:
                in_comment = False
            continue
        if not line:
            paragraph_index = -1
            previous_blank = True
            continue
        if line[0].isalpha():
            # The common case, a paragraph line at the margin: nothing else starts with a letter.
            if previous_blank:
                previous_blank = False
                in_list = False  # a paragraph at the margin after a blank line ends the list
            content_lines.append(index)
            paragraph_lines = paragraph_lines + 1 if paragraph_index >= 0 else 1
            paragraph_index = index
            if "](" in line or "]:" in line or "<!--" in line:
                _scan_inline(line, first_line + index, links, disabled)
            continue
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if not stripped.strip():
            paragraph_index = -1
            previous_blank = True
            continue
        first = stripped[0]
        if first == "\t":
            indent += 4
        was_blank, previous_blank = previous_blank, False
        is_paragraph = True
        if indent < 4:
            if first in "`~" and stripped.startswith(first * 3):
                run = len(stripped) - len(stripped.lstrip(first))
                if first == "~" or "`" not in stripped[run:]:
                    fence = first * run
                    content_lines.append(index)
                    paragraph_index = -1
                    continue
            if first == "#":
                match = _ATX.match(stripped)
                if match:
                    add_heading(len(match.group(1)), match.group(2) or "", index)
                    if "](" in line:  # links in headings are links too
                        _scan_inline(line, first_line + index, links, disabled)
                    paragraph_index = -1
                    in_list = False
                    continue
            elif (
                first in "=-"
                and paragraph_index >= 0
                and paragraph_lines == 1
                and _SETEXT.match(stripped)
            ):
                # The one-line paragraph above is a setext heading, not content. (Under a longer
                # paragraph, Python-Markdown, which renders the site, makes no heading.)
                content_lines.pop()
                level = 1 if first == "=" else 2
                add_heading(level, lines[paragraph_index].strip(), paragraph_index)
                paragraph_index = -1
                continue
            elif first == "<" and stripped.startswith("<!--"):
                # An HTML comment shows nothing: not content, and no headings inside it.
                closed = "-->" in stripped[4:]
                if closed:
                    _scan_inline(line, first_line + index, links, disabled)
                in_comment = not closed
                paragraph_index = -1
                continue
            if first.isdigit() and _ORDERED.match(stripped):
                step_lines.append(index)
                is_paragraph = False
                in_list = True
            elif first in "-*+" and _BULLET.match(stripped):
                is_paragraph = False
                in_list = True
            elif was_blank and indent < 2:
                in_list = False  # a paragraph at the margin after a blank line ends the list
        elif paragraph_index < 0 and not in_list:
            content_lines.append(index)  # indented code: content, but no links or headings
            continue
        content_lines.append(index)
        if is_paragraph:
            paragraph_lines = paragraph_lines + 1 if paragraph_index >= 0 else 1
            paragraph_index = index
        else:
            paragraph_index = -1
        if "](" in line or "]:" in line or "<!--" in line:
            _scan_inline(line, first_line + index, links, disabled)

    html_anchors = frozenset(_HTML_ANCHOR.findall(body)) if "<a " in body else frozenset()
    sections = _sections(lines, heading_lines, headings, step_lines, content_lines, first_line)
    first_h1 = next((h.text for h in headings if h.level == 1), None)
    return BodyScan(
        headings=tuple(headings),
        sections=sections,
        links=tuple(links),
        disabled_codes=frozenset(disabled),
        first_h1=first_h1,
        html_anchors=html_anchors,
    )


def _scan_inline(line: str, line_number: int, links: list[Link], disabled: set[str]) -> None:
    if "<!--" in line:
        for match in _DISABLE.finditer(line):
            disabled.update(code for code in re.split(r"[\s,]+", match.group(1)) if code)
    if "`" in line:
        # Blank out code spans, keeping columns, so `[a](b)` inside code is not a link.
        line = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
    ref = _REF_DEF.match(line)
    if ref:
        group = 2 if ref.group(2) is not None else 3
        links.append(Link(ref.group(group), ref.group(1), line_number, ref.start(group) + 1))
        return
    # The pattern starts at `[` (a literal lets the regex engine skip ahead fast); an image's
    # `!` is looked up by hand.
    for match in _INLINE_LINK.finditer(line):
        target = match.group(2)
        if target.startswith("<") and target.endswith(">"):
            target = target[1:-1]
        start = match.start()
        image = start > 0 and line[start - 1] == "!"
        if image:
            start -= 1
        links.append(Link(target, match.group(1), line_number, start + 1, image))


def _sections(
    lines: list[str],
    heading_lines: list[tuple[int, int]],
    headings: list[Heading],
    step_lines: list[int],
    content_lines: list[int],
    first_line: int,
) -> tuple[Section, ...]:
    sections: list[Section] = []
    bounds = [
        (index, level, heading)
        for (index, level), heading in zip(heading_lines, headings, strict=True)
    ]
    for position, (index, level, heading) in enumerate(bounds):
        if level != 2:
            continue
        end = len(lines) - 1
        for later_index, later_level, _ in bounds[position + 1 :]:
            if later_level <= 2:
                end = later_index - 1
                break
        steps = bisect_right(step_lines, end) - bisect_right(step_lines, index)
        first_content = bisect_right(content_lines, index)
        has_content = first_content < len(content_lines) and content_lines[first_content] <= end
        sections.append(
            Section(heading.text, first_line + index, first_line + end, steps, has_content)
        )
    return tuple(sections)


_COMMENT_BLOCK = re.compile(r"<!--.*?-->", re.S)


def without_comments(text: str) -> str:
    """`text` with its HTML comments removed, each line break in them kept (so that line
    numbers still hold): notes to authors are neither searched nor shown in snippets."""
    if "<!--" not in text:
        return text
    return _COMMENT_BLOCK.sub(lambda m: "\n" * m.group(0).count("\n"), text)
