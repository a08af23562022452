"""Snippets as plain text: Markdown markup, link targets and table borders removed."""

from __future__ import annotations

import pytest

from kbtool.search.snippet import make_snippet, plain_line


@pytest.mark.parametrize(
    ("line", "plain"),
    [
        ("| Windows error 868 | DNS is not working |", "Windows error 868 · DNS is not working"),
        ("|---|:---:|", ""),
        ("| --- | --- |", ""),
        ("| a \\| b | **c** |", "a | b · c"),
        ("See [the VPN](../network/vpn.md) **now**.", "See the VPN now."),
        ("1. Close `outlook.exe`.", "Close outlook.exe."),
    ],
)
def test_plain_line(line: str, plain: str) -> None:
    assert plain_line(line) == plain


def test_a_snippet_from_a_table_shows_no_pipes() -> None:
    body = "| Error | Meaning |\n| --- | --- |\n| 868 | the server name did not resolve |\n"
    snippet = make_snippet(body, {"resolv"})
    assert "|" not in snippet
    assert snippet == "868 · the server name did not **resolve**"
