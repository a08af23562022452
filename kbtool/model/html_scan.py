"""Raw HTML tags and attr_list attributes in a procedure body, with their positions.

Python-Markdown passes raw HTML through as it is, and its attr_list extension (enabled on the
site) turns `{: key="value" }` after a heading, a block or an inline element into attributes.
The HT lint rules read both from here. Code is not HTML: fenced and indented code blocks, code
spans, HTML comments and backslash-escaped `<` are blanked out first, keeping every other
character where it was, so positions stay exact.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")
# A reference definition holds a URL, not HTML (a footnote, `[^1]:`, holds text).
_REF_DEF = re.compile(r"^ {0,3}\[(?!\^)[^\]]+\]:")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
# A start tag as Python-Markdown and browsers read it: a name, then attributes (quoted values
# may hold `>` and newlines). `<https://...>` and `<a@b.c>` are autolinks, not tags.
_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTRIBUTE = re.compile(r"([^\s\"'<>/=]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'<>`]+)))?")
_ATTR_LIST = re.compile(r"\{:?[ \t]*([^{}\n]*?=[^{}\n]*?)[ \t]*\}")
# attr_list's own tokens: key="v", key='v', key=v, #id, .class, bare words.
_ATTR_LIST_TOKEN = re.compile(
    r"[ \t]*(?:([^\s=}\"']+)=(?:\"([^\"]*)\"|'([^']*)'|([^\s}]+))|[#.]?[^\s=}\"']+)"
)


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str  # lower case
    value: str  # entities decoded, as the browser reads it


@dataclass(frozen=True, slots=True)
class RawTag:
    """A start tag written in the body (`<img src=x onerror=...>`)."""

    name: str  # lower case
    attributes: tuple[Attribute, ...]
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class AttrList:
    """The key=value attributes of one attr_list block (`{: onclick="..." }`)."""

    attributes: tuple[Attribute, ...]
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class HtmlScan:
    tags: tuple[RawTag, ...]
    attr_lists: tuple[AttrList, ...]


EMPTY = HtmlScan((), ())


def scan_html(body: str, first_line: int = 1) -> HtmlScan:
    """Raw HTML and attr_list attributes of a body whose first line is file line `first_line`."""
    if "<" not in body and "{" not in body:
        return EMPTY  # most procedures: nothing to look for
    text = mask_code(body)
    starts = [0]
    starts.extend(i + 1 for i, c in enumerate(text) if c == "\n")

    def position(offset: int) -> tuple[int, int]:
        index = bisect_right(starts, offset) - 1
        return first_line + index, offset - starts[index] + 1

    tags = []
    if "<" in text:
        for match in _TAG.finditer(text):
            attributes = tuple(
                Attribute(m.group(1).lower(), html.unescape(_value(m.group(2, 3, 4))))
                for m in _ATTRIBUTE.finditer(match.group(2))
            )
            tags.append(RawTag(match.group(1).lower(), attributes, *position(match.start())))
    attr_lists = []
    if "{" in text:
        for match in _ATTR_LIST.finditer(text):
            attributes = _attr_list(match.group(1))
            if attributes:
                attr_lists.append(AttrList(attributes, *position(match.start())))
    return HtmlScan(tuple(tags), tuple(attr_lists))


def _value(groups: tuple[str | None, ...]) -> str:
    return next((g for g in groups if g is not None), "")


def _attr_list(inside: str) -> tuple[Attribute, ...]:
    """The key=value pairs of an attr_list, or () when `inside` is not attr_list syntax."""
    found = []
    at = 0
    while at < len(inside):
        match = _ATTR_LIST_TOKEN.match(inside, at)
        if match is None or match.end() == at:
            return ()  # `{"json": 1}` or other braces: not an attr_list
        if match.group(1):
            value = _value(match.group(2, 3, 4))
            found.append(Attribute(match.group(1).lower(), html.unescape(value)))
        at = match.end()
        while at < len(inside) and inside[at] in " \t":
            at += 1
    return tuple(found)


def mask_code(body: str) -> str:
    """`body` with code, comments and escaped `<` replaced by spaces (newlines kept)."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    fence: str | None = None
    in_list = False
    previous_blank = True
    in_code = False  # an indented code block runs on
    for index, line in enumerate(lines):
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            lines[index] = ""
            continue
        opener = _FENCE.match(line)
        if opener is not None:
            fence = opener.group(1)
            lines[index] = ""
            continue
        if not line.strip():
            previous_blank = True
            continue
        expanded = line.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip(" "))
        code_indent = 8 if in_list else 4
        if indent >= code_indent and (previous_blank or in_code):
            in_code = True
            lines[index] = ""
            continue
        in_code = False
        if line.startswith(("[", " ")) and _REF_DEF.match(line):
            lines[index] = ""  # its URL is checked as a link (HT003)
            previous_blank = False
            continue
        if _LIST_ITEM.match(expanded):
            in_list = True
        elif indent == 0 and previous_blank:
            in_list = False
        previous_blank = False
        if "`" in line:
            line = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
        if "\\<" in line:
            line = line.replace("\\<", "  ")
        lines[index] = line
    text = "\n".join(lines)
    if "<!--" in text:
        text = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    return text
