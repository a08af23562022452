"""Text from procedures, file names and the roster, made safe to show.

Anything a procedure contains may end up on an agent's terminal, in a CI log or in an XML
report. The characters that would act there rather than be read (terminal escapes, C1
controls, bidirectional overrides) are defined here once: the linter flags them, and every
output shows them as `\\xNN` or `\\uNNNN` with `visible`.
"""

from __future__ import annotations

import re
import unicodedata

#: Characters that would act on the terminal, log viewer or page rather than be read: C0 and
#: C1 controls (terminal escapes, NUL) and bidirectional overrides and isolates (text that
#: reads backwards). Tab, line feed and carriage return are not here: each output handles them
#: its own way. U+FFFE and U+FFFF are not characters at all (and XML refuses them).
ACTING = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def safe_text(text: str) -> str:
    """`text` with lone surrogates replaced, so that it can be encoded as UTF-8.

    File names that are not valid UTF-8 reach us as surrogate escapes (`\\udcff`); writing
    them to a report would raise instead of reporting.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


def shown_as(character: str) -> str:
    """How `visible` shows one acting character: `\\x1b`, `\\u202e`."""
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with invisible, acting characters shown as `\\xNN` or `\\uNNNN`."""
    return ACTING.sub(lambda m: shown_as(m[0]), safe_text(text))


def one_line(text: str) -> str:
    """`visible(text)` on one line: runs of white space, line breaks included, become a space.

    For a title, a name or a snippet printed on a line of its own: a line break in the value
    must not start what looks like another line of output, nor a carriage return overwrite it.
    """
    return visible(" ".join(text.split()))


def json_visible(document: str) -> str:
    """A JSON text with acting characters written as `\\uNNNN` escapes: the same data once
    parsed, but nothing that acts on the terminal it is printed to.

    `json.dumps` escapes C0 controls itself; C1 controls and bidirectional overrides pass
    through when `ensure_ascii` is off. Outside strings JSON is plain ASCII, so every match is
    inside a string, where the escape is valid.
    """
    return ACTING.sub(lambda m: f"\\u{ord(m[0]):04x}", document)


def display_width(text: str) -> int:
    """The columns `text` takes on a terminal: a combining mark or an invisible format
    character (a zero-width space, a direction mark) none, a wide East Asian character two.

    For aligning a text table whose cells hold what agents typed or authors wrote: `len`
    counts a zero-width space in a query as a column, and every column after it shifts."""
    if text.isascii():
        return len(text)
    width = 0
    for character in text:
        if unicodedata.category(character) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1
    return width


def pad(text: str, width: int) -> str:
    """`text` followed by spaces up to `width` display columns (`str.ljust` by columns)."""
    return text + " " * max(0, width - display_width(text))
