"""What may be shown: characters that act on a terminal are shown as escapes, never sent."""

from __future__ import annotations

import json

import pytest

from kbtool.core.display import (
    ACTING,
    display_width,
    json_visible,
    one_line,
    pad,
    safe_text,
    shown_as,
    visible,
)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain café 東京 🙂", "plain café 東京 🙂"),
        ("tab\tand\nlines\r\n", "tab\tand\nlines\r\n"),  # each output handles these itself
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("bell\x07 nul\x00 del\x7f", "bell\\x07 nul\\x00 del\\x7f"),
        ("c1 \x9b2J", "c1 \\x9b2J"),
        ("abc \u202edcba\u202c", "abc \\u202edcba\\u202c"),
        ("isolate \u2066x\u2069", "isolate \\u2066x\\u2069"),
        ("not characters \ufffe\uffff", "not characters \\ufffe\\uffff"),
        ("name \udcff.md", "name \ufffd.md"),  # a file name that was not UTF-8
    ],
)
def test_visible(text: str, shown: str) -> None:
    assert visible(text) == shown
    assert ACTING.search(visible(text)) is None
    visible(text).encode("utf-8")  # always writable


def test_shown_as() -> None:
    assert [shown_as(c) for c in "\x00\x1b\x9f\u202e"] == ["\\x00", "\\x1b", "\\x9f", "\\u202e"]


def test_safe_text_keeps_valid_text_as_it_is() -> None:
    text = "Straße 🙂"
    assert safe_text(text) is text
    assert safe_text("a\ud800b\udfffc") == "a\ufffdb\ufffdc"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("Title\nSecond line", "Title Second line"),
        ("  spaced \t out  ", "spaced out"),
        ("over\rwrite", "over write"),
        ("esc\x1b[2J", "esc\\x1b[2J"),
    ],
)
def test_one_line(text: str, line: str) -> None:
    assert one_line(text) == line


def test_json_visible_escapes_inside_strings_and_parses_back() -> None:
    data = {"title": "abc \u202edcba \x9b \x1b", "n": 1}
    document = json.dumps(data, ensure_ascii=False)
    shown = json_visible(document)
    assert ACTING.search(shown) is None
    assert "\\u202e" in shown and "\\u009b" in shown
    assert json.loads(shown) == data


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        ("outlook", 7),
        ("out\u200blook", 7),  # zero-width space
        ("\u200eVPN", 3),  # left-to-right mark
        ("e\u0301", 1),  # e and a combining acute accent
        ("打印机", 6),  # wide
        ("ｆｕｌｌ", 8),  # fullwidth
        ("", 0),
    ],
)
def test_display_width_counts_terminal_columns(text: str, columns: int) -> None:
    assert display_width(text) == columns
    assert display_width(pad(text, 10)) == max(10, columns)
