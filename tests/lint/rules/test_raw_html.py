"""HT rules: raw HTML the site removes, event handlers and script URLs in a body."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.model.html_scan import mask_code, scan_html
from tests.conftest import BODY, procedure
from tests.lint.rules.helpers import MAIN, assert_finding, line_of, lint_kb, of

SYMPTOM = "Outlook shows *Loading profile* and never opens."
RUN = "window.__xss=1"


def with_symptom(snippet: str) -> str:
    return procedure(body=BODY.replace(SYMPTOM, snippet))


# (snippet in the Symptoms section, code, needle on the reported line, column, message part)
FAILING = [
    pytest.param(
        f"<script>{RUN}</script>",
        "HT001",
        "<script>",
        1,
        "raw HTML <script> is removed",
        id="script",
    ),
    pytest.param(
        f"Outlook hangs <script>{RUN}</script>.",
        "HT001",
        "<script>",
        15,
        "<script>",
        id="inline-script",
    ),
    pytest.param(f"<svg><script>{RUN}</script></svg>", "HT001", "<svg>", 1, "<svg>", id="svg"),
    pytest.param(
        '<iframe src="https://example.com/"></iframe>',
        "HT001",
        "<iframe",
        1,
        "<iframe>",
        id="iframe",
    ),
    pytest.param(
        "<style>body {display: none}</style>", "HT001", "<style>", 1, "<style>", id="style-element"
    ),
    pytest.param(
        "Type <username> in the box.",
        "HT001",
        "<username>",
        6,
        "<username> is not HTML and is removed from the published page: if it is a "
        "placeholder, write it in backticks (`<username>`)",
        id="placeholder-without-backticks",
    ),
    pytest.param(
        "$dn = <distinguished name on the server>",
        "HT001",
        "$dn",
        7,
        "<distinguished> is not HTML",
        id="placeholder-with-words",
    ),
    pytest.param(
        '<div style="position: fixed; top: 0">Log in again</div>',
        "HT001",
        "<div",
        1,
        "style 'position' of <div>",
        id="style-property",
    ),
    pytest.param(
        '<img src="a.png" usemap="#m">',
        "HT001",
        "<img",
        1,
        "attribute 'usemap' of <img>",
        id="attribute-off-the-list",
    ),
    pytest.param(
        '<input type="text" value="x">',
        "HT001",
        "<input",
        1,
        "type='text' of <input>",
        id="restricted-value",
    ),
    pytest.param(
        f'<img src="x.png" onerror="{RUN}">',
        "HT002",
        "<img",
        1,
        "event handler 'onerror' on <img>",
        id="img-onerror",
    ),
    pytest.param(
        f'<svg onload="{RUN}"></svg>', "HT002", "<svg", 1, "'onload' on <svg>", id="svg-onload"
    ),
    pytest.param(
        f'<details open ontoggle="{RUN}"><summary>S</summary>x</details>',
        "HT002",
        "<details",
        1,
        "'ontoggle' on <details>",
        id="details-ontoggle",
    ),
    pytest.param(
        f"<img src=x onerror={RUN}>", "HT002", "<img", 1, "'onerror'", id="unquoted-handler"
    ),
    pytest.param(
        f'<img\n  src="x.png"\n  ONERROR="{RUN}">',
        "HT002",
        "<img",
        1,
        "'onerror'",
        id="tag-over-several-lines",
    ),
    pytest.param(
        f'Outlook hangs.\n{{: onclick="{RUN}" }}',
        "HT002",
        "{: onclick",
        1,
        "event handler 'onclick' in an attribute list",
        id="attr-list-paragraph",
    ),
    pytest.param(
        f"[Restart](https://example.com/){{: onmouseover='{RUN}' }}",
        "HT002",
        "{: onmouseover",
        32,
        "'onmouseover'",
        id="attr-list-inline",
    ),
    pytest.param(
        f"[Restart](javascript:{RUN})",
        "HT003",
        "[Restart]",
        1,
        "link to 'javascript:window.__xss=1' would run script",
        id="javascript-link",
    ),
    pytest.param(
        f"[Restart][fix]\n\n[fix]: javascript:{RUN}",
        "HT003",
        "[fix]: ",
        8,
        "'javascript:",
        id="javascript-reference",
    ),
    pytest.param(
        f"[Restart](JaVa&#x53;cript:{RUN})",
        "HT003",
        "[Restart]",
        1,
        "would run script",
        id="javascript-entity-and-case",
    ),
    pytest.param(
        "[Restart](data:text/html;base64,PHNjcmlwdD4=)",
        "HT003",
        "[Restart]",
        1,
        "'data:text/html;base64,PHNjcmlwdD4=' would run script",
        id="data-link",
    ),
    pytest.param(
        "[d][x]\n\n[x]: data:text/html,<script>alert(1)</script>",
        "HT003",
        "[x]: ",
        6,
        "'data:text/html",
        id="data-reference",
    ),
    pytest.param(
        "![logo](data:image/svg+xml;base64,PHN2Zz4=)",
        "HT003",
        "![logo]",
        1,
        "image 'data:image/svg+xml",
        id="data-image",
    ),
    pytest.param(
        "[Share](ftp://files.example.com/x)",
        "HT003",
        "[Share]",
        1,
        "only http, https, mailto, tel and relative links are kept",
        id="other-scheme",
    ),
    pytest.param(
        f'<a href="javascript:{RUN}">Restart</a>',
        "HT003",
        "<a ",
        1,
        "<a href> 'javascript:",
        id="raw-link",
    ),
    pytest.param(
        f'<form action="javascript:{RUN}"><button>Go</button></form>',
        "HT003",
        "<form",
        1,
        "<form action> 'javascript:",
        id="form-action",
    ),
    pytest.param(
        f'[Restart](https://example.com/){{: href="javascript:{RUN}" }}',
        "HT003",
        "{: href",
        32,
        "attribute list href 'javascript:",
        id="attr-list-href",
    ),
]


@pytest.mark.parametrize(("snippet", "code", "needle", "col", "fragment"), FAILING)
def test_raw_html_rule_fails(
    kb_root: Path, snippet: str, code: str, needle: str, col: int, fragment: str
) -> None:
    text = with_symptom(snippet)
    findings = lint_kb(kb_root, {MAIN: text})
    assert_finding(findings, code, line_of(text, needle), fragment, col=col)


PASSING = [
    pytest.param("Press <kbd>Ctrl</kbd>+<kbd>Alt</kbd>+<kbd>Del</kbd>.", "", id="kbd"),
    pytest.param(
        "H<sub>2</sub>O and x<sup>2</sup>, line<br>break, <mark>this</mark>.",
        "",
        id="harmless-inline",
    ),
    pytest.param("<details><summary>More</summary>\n\nText.\n\n</details>", "", id="details"),
    pytest.param('<div class="admonition note" markdown>\nText.\n</div>', "", id="div-class"),
    pytest.param('<img src="https://example.com/a.png" alt="A" width="200">', "", id="img"),
    pytest.param('<td style="text-align: center">x</td>', "", id="table-alignment"),
    pytest.param("Type `<username>` and `<script>alert(1)</script>`.", "", id="code-span"),
    pytest.param("```html\n<script>alert(1)</script>\n<img onerror=x>\n```", "", id="fenced-code"),
    pytest.param("Run:\n\n    <script>alert(1)</script>\n", "", id="indented-code"),
    pytest.param("1. Run:\n\n        <img src=x onerror=alert(1)>\n", "", id="code-in-a-list"),
    pytest.param("<!-- <script>alert(1)</script> -->", "", id="comment"),
    pytest.param("Type \\<username> as is.", "", id="escaped"),
    pytest.param("Mail <jane@example.com> or see <https://example.com/>.", "", id="autolinks"),
    pytest.param(
        "[a](https://example.com/) [b](mailto:x@example.com) [c](tel:+15550100) "
        "[d](../other.md#x) [e](#symptoms) [f](//example.com/x)",
        "",
        id="good-urls",
    ),
    pytest.param("## Steps {: #steps .important title='Steps' }", "", id="attr-list-id-class"),
    pytest.param('The JSON is {"key": "value"} and {placeholder}.', "", id="braces"),
    pytest.param("1 < 2 and 3 > 2, a<b", "", id="comparisons"),
    pytest.param(f"<script>{RUN}</script>", "[site]\nallow_raw_html = true\n", id="allowed"),
]


@pytest.mark.parametrize(("snippet", "config"), PASSING)
def test_raw_html_rule_passes(kb_root: Path, snippet: str, config: str) -> None:
    findings = lint_kb(kb_root, {MAIN: with_symptom(snippet)}, config=config)
    assert [f for f in findings if f.code.startswith("HT")] == []


def test_allow_raw_html_keeps_handlers_and_script_urls_reported(kb_root: Path) -> None:
    snippet = f'<img src=x onerror="{RUN}"> [x](javascript:{RUN})'
    findings = lint_kb(
        kb_root, {MAIN: with_symptom(snippet)}, config="[site]\nallow_raw_html = true\n"
    )
    assert [f.code for f in findings] == ["HT002", "HT003"]


def test_a_placeholder_is_not_an_event_handler(kb_root: Path) -> None:
    findings = lint_kb(kb_root, {MAIN: with_symptom("<name of the server on site>")})
    assert [f.code for f in findings] == ["HT001"]


def test_each_problem_is_reported_once(kb_root: Path) -> None:
    snippet = f'<form action="javascript:{RUN}" onsubmit="{RUN}"><b>x</b></form>'
    findings = lint_kb(kb_root, {MAIN: with_symptom(snippet)})
    assert [f.code for f in findings] == ["HT001", "HT002", "HT003"]
    assert len(of(findings, "HT001")) == 1  # the form itself, not its handler or action


def test_positions_survive_code_and_comments_before() -> None:
    body = "`<b>` x\n```\n<script>\n```\n<!--\n<i>\n-->\n  <img onerror=x>\n"
    masked = mask_code(body)
    assert masked.count("\n") == body.count("\n")
    scan = scan_html(body, first_line=10)
    assert [(t.name, t.line, t.col) for t in scan.tags] == [("img", 17, 3)]
