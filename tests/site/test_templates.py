"""Escaping for the Markdown and HTML the site generates."""

from __future__ import annotations

import markdown
import pytest
from markupsafe import Markup

from kbtool.site.templates import markdown_environment, markdown_link, markdown_text

HOSTILE = [
    "<script>alert(1)</script>",
    "a | b | c",
    "*bold* _it_ `code` [link](http://x) ![img](x.png)",
    "# heading",
    "line one\nline two",
    "{: .class onclick=alert(1) }",
    "back\\slash & ampersand &amp; entity",
    "<!-- comment -->",
    "1. not a list",
    "- not a list",
]


def render(text: str) -> str:
    return markdown.markdown(text, extensions=["tables", "attr_list"])


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_text_renders_as_exactly_the_text(value: str) -> None:
    html = render(markdown_text(value))
    expected = " ".join(value.split())
    escaped = expected.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert html == f"<p>{escaped}</p>"


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_text_in_a_table_cell_stays_in_its_cell(value: str) -> None:
    table = f"| a | b |\n| --- | --- |\n| {markdown_text(value)} | end |\n"
    html = render(table)
    assert html.count("<td>") == 2
    assert "<td>end</td>" in html
    assert "<script" not in html


def test_markdown_link_escapes_text_and_quotes_target() -> None:
    link = markdown_link("<b>x</b> [y]", "procedures/a b/c(1).md")
    html = render(str(link))
    assert html == '<p><a href="procedures/a%20b/c%281%29.md">&lt;b&gt;x&lt;/b&gt; [y]</a></p>'


def test_markdown_environment_escapes_every_value_but_markup() -> None:
    template = markdown_environment().from_string("{{ text }} {{ raw }}")
    out = template.render(text="*x*", raw=Markup("*y*"))
    assert out == "\\*x\\* *y*"
