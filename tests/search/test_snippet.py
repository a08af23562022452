"""Snippets: the line that holds most of the query's words, as plain text, with those words
marked `**`; never a heading or a code block."""

from __future__ import annotations

import pytest

from kbtool.search.analysis import terms_of
from kbtool.search.snippet import make_snippet, plain_line


def terms(*words: str) -> set[str]:
    return set().union(*(terms_of(word) for word in words))


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        (
            "1. Open **Outlook** with [safe mode](x.md) and ![icon](i.png) <b>now</b>",
            "Open Outlook with safe mode and icon now",
        ),
        ("- see [the guide][ref] and `outlook.exe /safe`", "see the guide and outlook.exe /safe"),
        ("> [!NOTE] careful _here_", "careful here"),
        ("## Resolution", ""),  # headings say where, not what
        ("| --- | :-: |", ""),  # a table's rule line
        ("   ", ""),
    ],
)
def test_plain_line(markdown: str, plain: str) -> None:
    assert plain_line(markdown) == plain


BODY = """\
# Printer

## Symptoms

The printer is offline.

```
printer queue restart spooler
```

Restart the print spooler and clear the printer queue on the server today.

Done.
"""


def test_the_line_with_most_query_words_wins_and_code_blocks_never_do() -> None:
    snippet = make_snippet(BODY, terms("printer", "queue", "spooler"))
    assert snippet == (
        "Restart the print **spooler** and clear the **printer** **queue** on the server today."
        " Done."
    )


def test_a_tie_goes_to_the_earlier_line() -> None:
    body = "The VPN drops.\n\nThe VPN reconnects.\n"
    assert make_snippet(body, terms("vpn")).startswith("The **VPN** drops.")


def test_without_a_match_the_first_plain_lines() -> None:
    assert make_snippet(BODY, terms("zebra")) == (
        "The printer is offline. Restart the print spooler and clear the printer queue on the"
        " server today."
    )
    assert make_snippet("", terms("zebra")) == ""
    assert make_snippet("# Only a heading\n", terms("zebra")) == ""


def test_a_long_line_is_cut_around_the_first_match() -> None:
    line = "word " * 80 + "the tunnel drops " + "filler " * 60
    snippet = make_snippet(line, terms("tunnel"), width=60)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "the **tunnel** drops" in snippet
    assert len(snippet.replace("**", "")) <= 62


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
def test_plain_line_of_tables_links_and_markup(line: str, plain: str) -> None:
    assert plain_line(line) == plain


def test_a_snippet_from_a_table_shows_no_pipes() -> None:
    body = "| Error | Meaning |\n| --- | --- |\n| 868 | the server name did not resolve |\n"
    snippet = make_snippet(body, {"resolv"})
    assert "|" not in snippet
    assert snippet == "868 · the server name did not **resolve**"


def test_the_separators_dropped_for_joined_terms_are_the_analysers() -> None:
    from kbtool.search.analysis import SEPARATORS
    from kbtool.search.snippet import _SEPARATOR_CHARS

    every = "".join(chr(c) for c in range(0x3000))
    assert "".join(ch for ch in every if SEPARATORS.fullmatch(ch)) == "".join(
        sorted(_SEPARATOR_CHARS)
    )
    body = "Send an e-mail to the help-desk: error 5.7.23 isn't the caller's fault.\n"
    assert "**e-mail**" in make_snippet(body, terms("email"))
    assert "**5.7.23**" in make_snippet(body, {"5723"})
