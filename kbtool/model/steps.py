"""What a procedure's steps are, said once for the linter, `kbtool show` and the site.

A step is an item of a numbered list in the steps section (`structure.steps_section`,
Resolution by default) that is not nested inside another numbered item: `1. ...` at the margin,
or indented under a bullet (`- Check:` then `  1. ...`). Everything indented under an item
(its sub-bullets, code blocks, further paragraphs) and the lines that continue its text
belong to it. Indentation is read the CommonMark way: what is nested under an item starts at
its text's column, two spaces under `- `, three under `1. `.

Python-Markdown, which renders the site, nests only by four spaces: under it, sub-bullets
indented by two spaces became items of the numbered list and a numbered list indented by two
under a bullet became bullets. `four_space_lists` re-indents a body so that the site renders
the lists that `steps` reads, and opens with a blank line a list written right under a
paragraph (`Do this:` then `  1. ...`), which CommonMark starts and Python-Markdown ran into
the paragraph, and sets off with blank lines a quote (an alert) right under an item's text.
(A Python-Markdown extension that changes the nesting width, such
as mdx_truly_sane_lists, would have broken every list written with four spaces instead.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbtool.model.config import Config
from kbtool.model.markdown_scan import Section
from kbtool.model.procedure import Procedure

_ITEM = re.compile(r"^( *)(?:(\d{1,9})[.)]|[-*+])(?=[ \t]|$)([ \t]*)")
_FENCE = re.compile(r"^ *(`{3,}|~{3,})")
_BLOCK_START = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|>|<!--)")

#: Section titles that hold the escalation (matched without regard to case).
ESCALATION_TITLES = ("escalation", "escalate", "when to escalate")


@dataclass(frozen=True)
class Step:
    number: int  # as written
    line: int  # 1-based line of the file where the step starts
    text: str  # the step's Markdown: its text, then what is nested under it, dedented


@dataclass
class _Item:
    indent: int  # column of the marker
    content: int  # column of the item's text: what is nested under it starts here
    ordered: bool


def _expand(line: str) -> str:
    return line.expandtabs(4) if "\t" in line else line


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _item(line: str) -> tuple[_Item, str] | None:
    """The list item `line` starts, and its text; None for any other line."""
    match = _ITEM.match(line)
    if match is None:
        return None
    gap = len(match.group(3))
    text = line[match.end() :]
    marker_end = match.end(3) - gap
    # A blank item, or one whose text starts 5+ columns after the marker (then the text is an
    # indented code block): what is nested under it starts one column after the marker.
    content = marker_end + 1 if not text or gap > 4 else match.end()
    if gap > 4:
        text = line[marker_end + 1 :]
    return _Item(len(match.group(1)), content, match.group(2) is not None), text


def section_lines(procedure: Procedure, section: Section) -> list[str]:
    """The lines under `section`'s heading, up to its end."""
    lines = procedure.body.split("\n")
    start = section.line - procedure.body_start_line + 1
    end = section.end_line - procedure.body_start_line + 1
    return lines[start:end]


def steps_section(procedure: Procedure, config: Config) -> Section | None:
    if procedure.scan is None:
        return None
    return procedure.scan.section(config.steps_section)


def escalation_section(procedure: Procedure) -> Section | None:
    if procedure.scan is None:
        return None
    for title in ESCALATION_TITLES:
        found = procedure.scan.section(title)
        if found is not None:
            return found
    return None


def steps(procedure: Procedure, config: Config) -> list[Step]:
    """The steps of the procedure's steps section (none when it has no such section)."""
    section = steps_section(procedure, config)
    if section is None:
        return []
    return parse_steps(section_lines(procedure, section), section.line + 1)


def parse_steps(lines: list[str], first_line: int = 1) -> list[Step]:
    """The steps among `lines` (the body of a section; `first_line` is the first one's line)."""
    found: list[tuple[int, int, int, list[str]]] = []  # number, line, content column, lines
    open_items: list[_Item] = []
    step_level: int | None = None  # where the step being read is in `open_items`
    fence: str | None = None
    in_comment = False
    previous_blank = True
    for offset, raw in enumerate(lines):
        line = _expand(raw)
        if fence is not None or in_comment:
            if fence is not None and _closes(line, fence):
                fence = None
            elif in_comment and "-->" in line:
                in_comment = False
            if step_level is not None:
                found[-1][3].append(line)
            continue
        if not line.strip():
            if step_level is not None:
                found[-1][3].append("")
            previous_blank = True
            continue
        indent = _indent(line)
        opened = _item(line)
        while open_items and _leaves(open_items[-1], indent, opened, previous_blank, line):
            open_items.pop()
        if step_level is not None and step_level >= len(open_items):
            step_level = None
        previous_blank = False
        fence_match = _FENCE.match(line)
        if fence_match:
            fence = fence_match.group(1)
        elif line.lstrip(" ").startswith("<!--") and "-->" not in line:
            in_comment = True
        if opened is not None:
            item, text = opened
            open_items.append(item)
            if item.ordered and step_level is None:
                number = int(_ITEM.match(line).group(2))  # type: ignore[union-attr]
                found.append((number, first_line + offset, item.content, [text]))
                step_level = len(open_items) - 1
                continue
        if step_level is not None:
            found[-1][3].append(line)
    return [Step(number, line, _dedent(body, content)) for number, line, content, body in found]


def _leaves(
    item: _Item, indent: int, opened: tuple[_Item, str] | None, previous_blank: bool, line: str
) -> bool:
    """Whether `line` is outside `item`. Another item is inside it when its marker is
    indented further than the item's marker (CommonMark asks for the column of the item's
    text, but `1. Step` with `  - detail` under it means a detail of the step); any other line
    when it starts at the item's text, or goes on with its text (a "lazy" continuation)."""
    if opened is not None:
        return indent <= item.indent
    if indent >= item.content:
        return False
    return previous_blank or _BLOCK_START.match(line) is not None


def _closes(line: str, fence: str) -> bool:
    stripped = line.lstrip(" ")
    return stripped.startswith(fence) and not stripped.strip().strip(fence[0])


def _dedent(body: list[str], content: int) -> str:
    """The step's first line, then what is nested under it, as far left as it goes."""
    nested = [_indent(line) for line in body[1:] if line.strip()]
    cut = min([i for i in nested if i > 0], default=content)
    lines = [body[0]]
    for line in body[1:]:
        lines.append(line[min(cut, _indent(line)) :])
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def four_space_lists(body: str) -> str:
    """`body` with every list re-indented to Python-Markdown's four spaces per level.

    What is nested under a list item (as CommonMark reads it: from the column of the item's
    text) is moved to four spaces deeper than the item's marker; lines outside lists, and the
    lines of fenced code relative to their fence, are kept.
    """
    if "\n" not in body or not any(_ITEM.match(line) for line in body.split("\n")):
        return body
    out: list[str] = []
    open_items: list[tuple[_Item, int]] = []  # item, the column its marker is moved to
    fence: str | None = None
    fence_shift = 0
    previous_blank = True
    # A paragraph of an item after a blank line: Python-Markdown runs the next item into it
    # unless a blank line comes between (the list is loose already).
    paragraph_in_item = False
    after_paragraph = False  # the line before was paragraph text outside any list
    previous_quote = False  # the line before was a quote inside a list item
    for raw in body.split("\n"):
        line = _expand(raw)
        if fence is not None:
            if _closes(line, fence):
                fence = None
            out.append(_shift(line, fence_shift))
            continue
        if not line.strip():
            out.append(raw)
            previous_blank = True
            after_paragraph = False
            previous_quote = False
            continue
        indent = _indent(line)
        opened = _item(line)
        while open_items and _leaves(open_items[-1][0], indent, opened, previous_blank, line):
            open_items.pop()
        if opened is not None and paragraph_in_item and not previous_blank:
            out.append("")
        elif (
            opened is not None
            and not open_items
            and after_paragraph
            and not previous_blank
            and _interrupts(line, opened)
        ):
            out.append("")  # CommonMark starts the list here; Python-Markdown needs a gap
        # A quote (a `> [!NOTE]` alert) right under an item's text: CommonMark nests it in the
        # item; Python-Markdown runs it into the text unless blank lines stand around it.
        is_quote = opened is None and line.lstrip(" ").startswith(">")
        quote_in_item = is_quote and bool(open_items)
        # Where a quote in an item starts, or where one ends.
        set_off = (
            not previous_blank and bool(out and out[-1].strip()) and quote_in_item != previous_quote
        )
        if set_off:
            out.append("")
        previous_quote = quote_in_item
        paragraph_in_item = (
            bool(open_items) and opened is None and (previous_blank or paragraph_in_item or set_off)
        )
        previous_blank = False
        if not open_items and opened is None:
            out.append(raw)
            fence_match = _FENCE.match(line)
            if fence_match:
                fence, fence_shift = fence_match.group(1), 0
            after_paragraph = not (
                fence_match or _BLOCK_START.match(line) or line.lstrip().startswith("|")
            )
            continue
        after_paragraph = False
        depth_column = open_items[-1][1] + 4 if open_items else 0
        if opened is not None:
            item, _text = opened
            # A marker indented past its parent's text, but by less than four: one level down.
            column = depth_column if open_items else item.indent
            shift = column - item.indent
            out.append(_shift(line, shift))
            open_items.append((item, column))
            continue
        parent, column = open_items[-1]
        shift = column + 4 - parent.content if indent >= parent.content else 0
        out.append(_shift(line, shift))
        fence_match = _FENCE.match(line)
        if fence_match:
            fence, fence_shift = fence_match.group(1), shift
    return "\n".join(out)


def _interrupts(line: str, opened: tuple[_Item, str]) -> bool:
    """Whether the list item `line` starts a list right under a paragraph, as CommonMark
    reads it: a bullet or a numbered item from 1, with text, indented by less than four."""
    item, text = opened
    if item.indent >= 4 or not text.strip():
        return False
    match = _ITEM.match(line)
    return not item.ordered or (match is not None and int(match.group(2)) == 1)


def _shift(line: str, shift: int) -> str:
    if shift > 0:
        return " " * shift + line
    if shift < 0:
        return line[min(-shift, _indent(line)) :]
    return line
