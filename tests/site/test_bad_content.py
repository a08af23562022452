"""Hostile content never runs in a reader's browser (issue 9, items 2 and 3).

Item 2: every front-matter and roster value that reaches a generated page (its content, its
`<title>`, the navigation, the metadata handed to Material, the search index, the chart) is
escaped. Item 3: raw HTML, event handlers and script URLs in a procedure's body are removed by
the site's sanitiser, and the text around them stays readable.

Each payload sets `window.__xss` when it runs. The built HTML is checked with an HTML parser
(no script, handler or script URL carrying the payload), then every page is opened in Debian's
headless Chromium, the payload's element is hovered or clicked, and nothing may have run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.site.conftest import (
    PROCEDURES,
    ROSTER,
    Build,
    mkdocs_build,
    serve,
    site_procedure,
    write_kb,
)

MARK = "__xss"
RUN = "window.__xss=1"
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "xlink:href", "srcdoc", "poster")


class _LiveScript(HTMLParser):
    """Everything in a page that a browser would run: scripts, handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            squeezed = re.sub(r"[\x00-\x20]+", "", value).lower()
            if name == "srcdoc" or (name in URL_ATTRIBUTES and squeezed.startswith(SCRIPT_SCHEMES)):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._script = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._script:
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None and (MARK in data or "alert(" in data):
            self.found.append(f"<{self._script}>{data}")


def live_script(html: str) -> list[str]:
    """What would run in `html`; Material's own scripts carry no payload and are skipped."""
    parser = _LiveScript()
    parser.feed(html)
    parser.close()
    return [item for item in parser.found if MARK in item or "alert(" in item]


def site_documents(site: Path) -> Iterator[tuple[str, str]]:
    """(name, HTML) of every page, SVG and search-index entry a browser may render."""
    for path in sorted(site.rglob("*")):
        if path.suffix in (".html", ".svg"):
            yield path.relative_to(site).as_posix(), path.read_text(encoding="utf-8")
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    for doc in index["docs"]:  # Material's search shows titles and text as HTML
        yield f"search_index.json {doc['location']}", f"{doc['title']}\n{doc['text']}"


def article(html: str) -> str:
    match = re.search(r"<article\b.*?</article>", html, re.S)
    assert match, "no article in the page"
    return match.group(0)


# --- item 2: front matter and roster values --------------------------------------------------


def payload(where: str) -> str:
    """A value that breaks out of a title, an attribute and a text node when not escaped."""
    return f"</title><script>{RUN}</script>\"'><img src=x onerror={RUN}> {where}"


def yaml(value: str) -> str:
    return json.dumps(value)  # a JSON string is a YAML double-quoted scalar


HOSTILE_HANDLE = payload("handle")

HOSTILE_ROSTER = ROSTER.replace(
    "teams:\n",
    f"""\
  hostile:
    name: {yaml(payload("name"))}
    role: agent
    team: {yaml(payload("team"))}
    email: {yaml(payload("email"))}
    phone: "+1 555 0199"  # a phone or chat with markup in it is refused with the roster
    github: {yaml(payload("github"))}
  {yaml(HOSTILE_HANDLE)}: {{name: Odd Handle, role: agent, team: desk}}
teams:
  {yaml(payload("team"))}:
    {{name: {yaml(payload("team name"))}, lead: hostile, email: {yaml(payload("te"))}}}
""",
)

#: Field (as written) -> a procedure holding a hostile value there.
HOSTILE_FIELDS: dict[str, str] = {
    "title": site_procedure("KB-0101", yaml(payload("title")), service="Hostile"),
    "summary": site_procedure(
        "KB-0102", "Summary", summary=yaml(payload("summary")), service="Hostile"
    ),
    "service": site_procedure("KB-0103", "Service", service=yaml(payload("service"))),
    "tags": site_procedure(
        "KB-0104", "Tags", service="Hostile", extra=f"tags: [{yaml(payload('tag'))}]"
    ).replace("tags: [desk]\n", ""),
    "error_codes": site_procedure(
        "KB-0105", "Codes", service="Hostile", extra=f"error_codes: [{yaml(payload('code'))}]"
    ),
    "escalate_to": site_procedure("KB-0106", "Escalate", service="Hostile").replace(
        "escalate_to: team-lead", f"escalate_to: {yaml(payload('escalate'))}"
    ),
    "escalate_to team": site_procedure("KB-0107", "Team", service="Hostile").replace(
        "escalate_to: team-lead", f"escalate_to: {yaml(payload('team'))}"
    ),
    "owner from the roster": site_procedure(
        "KB-0108", "Roster owner", service="Hostile", owner="hostile", backup="jdoe"
    ),
    "owner handle": site_procedure(
        "KB-0109", "Odd handle", service="Hostile", owner=yaml(HOSTILE_HANDLE), backup="jdoe"
    ),
    "unknown owner": site_procedure(
        "KB-0110",
        "Unknown owner",
        service="Hostile",
        owner=yaml(payload("unknown")),
        backup=yaml(payload("unknown backup")),
    ),
    "id": site_procedure(yaml(payload("id")), "Bad id", service="Hostile"),
    "away owner, hostile backup": site_procedure(
        "KB-0111", "Acting", service="Hostile", owner="away", backup="hostile"
    ),
}


@pytest.fixture(scope="module", params=["explicit nav", "automatic nav"])
def hostile_site(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Build:
    """The hostile knowledge base, built with mkdocs.yml's nav and without one (then MkDocs
    lists every page, procedures and generated pages too, by title in the navigation)."""
    files = {**PROCEDURES, **{f"hostile/{i}.md": t for i, t in enumerate(HOSTILE_FIELDS.values())}}
    root = write_kb(tmp_path_factory.mktemp("hostile"), files, roster=HOSTILE_ROSTER)
    # Material's tags plugin lists every tag, with the pages carrying it, on this page.
    (root / "docs" / "tags.md").write_text("# Tags\n\n<!-- material/tags -->\n", "utf-8")
    if request.param == "automatic nav":
        mkdocs_yml = root / "mkdocs.yml"
        text = mkdocs_yml.read_text("utf-8")
        mkdocs_yml.write_text(re.sub(r"\nnav:\n(?:  .*\n)+", "\n", text), "utf-8")
        assert "\nnav:" not in mkdocs_yml.read_text("utf-8")
    result = mkdocs_build(root)  # not strict: several of these values are lint errors too
    assert result.returncode == 0, result.log
    assert "Traceback" not in result.log
    return result


def test_every_hostile_value_reaches_the_site(hostile_site: Build) -> None:
    """The audit below means something only if each value is published somewhere."""
    text = "\n".join(html for _, html in site_documents(hostile_site.site))
    tags = (hostile_site.site / "tags" / "index.html").read_text("utf-8")
    assert f"&lt;img src=x onerror={RUN}&gt; tag" in tags
    for where in (
        "title",
        "summary",
        "service",
        "tag",
        "code",
        "escalate",
        "name",
        "team",
        "email",
        "team name",
        "unknown",
        "unknown backup",
        "id",
    ):
        assert f"&lt;img src=x onerror={RUN}&gt; {where}<" in text or (
            f"&lt;img src=x onerror={RUN}&gt; {where}" in text
        ), where


def test_no_front_matter_or_roster_value_is_live_in_any_page(hostile_site: Build) -> None:
    live = {
        name: found
        for name, html in site_documents(hostile_site.site)
        if (found := live_script(html))
    }
    assert live == {}


def test_titles_of_generated_pages_are_escaped(hostile_site: Build) -> None:
    for path in sorted(hostile_site.site.rglob("*.html")):
        head = path.read_text("utf-8").split("</head>", 1)[0]
        assert head.count("<title>") == head.count("</title>") == 1, path
        title = head.split("<title>", 1)[1].split("</title>", 1)[0]
        assert "<" not in title, (path, title)


def test_the_reported_service_payload_stays_text_under_strict(tmp_path: Path) -> None:
    """The reproduction: a service name closes the `<title>` and opens a script."""
    files = dict(PROCEDURES)
    files["email/evil.md"] = site_procedure(
        "KB-0010", "Evil service", service='"</title><script>alert(1)</script>"'
    )
    result = mkdocs_build(write_kb(tmp_path, files), "--strict")
    assert result.returncode == 0, result.log
    page = next(p for p in (result.site / "services").iterdir() if "alert" in p.name)
    html = (page / "index.html").read_text("utf-8")
    assert live_script(html) == []
    assert "<script>alert" not in html
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; - Test KB</title>" in html


# --- item 3: raw HTML and script URLs in a body ------------------------------------------------

TEXT = "Restart the print spooler"


@dataclass(frozen=True)
class Payload:
    name: str
    markdown: str  # replaces the Symptoms text, or the `## Resolution` line when it starts so
    action: str = "load"  # load | hover | click: what a reader does to the element with TEXT
    codes: tuple[str, ...] = ()  # the lint findings it must give


PAYLOADS = [
    Payload("script", f"<script>{RUN}</script>\n\n{TEXT}.", codes=("HT001",)),
    Payload("inline script", f"{TEXT} <script>{RUN}</script> now.", codes=("HT001",)),
    Payload("img onerror", f'{TEXT} <img src="missing.png" onerror="{RUN}">', codes=("HT002",)),
    Payload(
        "svg script", f"<svg><script>{RUN}</script></svg>\n\n{TEXT}.", codes=("HT001", "HT001")
    ),
    Payload(
        "svg onload",
        f'<svg onload="{RUN}"><circle r="40"/></svg> {TEXT}.',
        codes=("HT001", "HT002", "HT001"),
    ),
    Payload(
        "details ontoggle",
        f'<details open ontoggle="{RUN}"><summary>{TEXT}</summary>Then print.</details>',
        codes=("HT002",),
    ),
    Payload(
        "attr_list onmouseover on a heading",
        f'## Resolution {{: onmouseover="{RUN}" }}\n\n{TEXT}.',
        "hover",
        ("HT002",),
    ),
    Payload(
        "attr_list onclick on a paragraph", f'{TEXT}.\n{{: onclick="{RUN}" }}', "click", ("HT002",)
    ),
    Payload(
        "attr_list onerror on an image",
        f'{TEXT}. ![spooler](missing.png){{: onerror="{RUN}" }}',
        codes=("HT002",),
    ),
    Payload(
        "attr_list href on a link",
        f'[{TEXT}](https://example.com/){{: href="javascript:{RUN}" }}',
        "click",
        ("HT003",),
    ),
    Payload(
        "attr_list id breaking out of the table of contents",
        f"## Resolution {{: id='r\"><img src=x onerror={RUN}>' }}\n\n{TEXT}.",
        codes=("HT002",),
    ),
    Payload("javascript: inline link", f"[{TEXT}](javascript:{RUN})", "click", ("HT003",)),
    Payload(
        "javascript: reference link",
        f"[{TEXT}][fix]\n\n[fix]: javascript:{RUN}",
        "click",
        ("HT003",),
    ),
    Payload("javascript: in capitals", f"[{TEXT}](JaVaScRiPt:{RUN})", "click", ("HT003",)),
    Payload(
        "javascript: behind an entity", f"[{TEXT}](jav&#x61;script:{RUN})", "click", ("HT003",)
    ),
    Payload(
        "data:text/html inline link",
        f"[{TEXT}](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)",
        "click",
        ("HT003",),
    ),
    Payload(
        "data:text/html reference link",
        f"[{TEXT}][d]\n\n[d]: data:text/html,<script>{RUN}</script>",
        "click",
        ("HT003",),
    ),
    Payload(
        "raw link to javascript:", f'<a href="javascript:{RUN}">{TEXT}</a>', "click", ("HT003",)
    ),
    Payload(
        "form action javascript:",
        f'<form action="javascript:{RUN}"><button>{TEXT}</button></form>',
        "click",
        ("HT001", "HT003", "HT001"),
    ),
    Payload(
        "iframe srcdoc",
        f'<iframe srcdoc="<script>window.top.{MARK}=1</script>"></iframe>\n\n{TEXT}.',
        codes=("HT001",),
    ),
    Payload(
        "mutation through math and style",
        f"<math><mtext><table><mglyph><style><img src=x onerror={RUN}>"
        f"</style></mglyph></table></mtext></math>\n\n{TEXT}.",
        codes=("HT001", "HT001", "HT001", "HT001", "HT002"),
    ),
]
IDS = [p.name for p in PAYLOADS]


def payload_procedure(index: int, item: Payload) -> str:
    text = site_procedure(
        f"KB-{200 + index:04d}",
        f"Payload {index}",
        service="Payloads",
        symptom=TEXT + "." if item.markdown.startswith("## ") else item.markdown,
    )
    if item.markdown.startswith("## "):
        text = text.replace("## Resolution\n", item.markdown + "\n", 1)
    return text


def payload_url(index: int) -> str:
    return f"procedures/payloads/p{index}/"


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    files = {f"payloads/p{i}.md": payload_procedure(i, p) for i, p in enumerate(PAYLOADS)}
    root = write_kb(tmp_path_factory.mktemp("payloads"), files)
    result = mkdocs_build(root)
    assert result.returncode == 0, result.log
    return result


@pytest.mark.parametrize("index", range(len(PAYLOADS)), ids=IDS)
def test_body_payload_is_removed_from_the_built_page(payload_site: Build, index: int) -> None:
    html = payload_site.html(payload_url(index))
    assert live_script(html) == []
    assert TEXT in re.sub(r"<[^>]+>", "", article(html))


def test_no_body_payload_reaches_the_search_index(payload_site: Build) -> None:
    live = {
        name: found
        for name, html in site_documents(payload_site.site)
        if (found := live_script(html))
    }
    assert live == {}


@pytest.mark.parametrize("index", range(len(PAYLOADS)), ids=IDS)
def test_body_payload_raises_a_lint_finding_in_the_build(payload_site: Build, index: int) -> None:
    codes = re.findall(rf"procedures/payloads/p{index}\.md:\d+: (HT\d{{3}}) ", payload_site.log)
    assert sorted(codes) == sorted(PAYLOADS[index].codes)


def test_strict_build_fails_on_a_script_in_a_body(tmp_path: Path) -> None:
    files = {"payloads/p0.md": payload_procedure(0, PAYLOADS[0])}
    result = mkdocs_build(write_kb(tmp_path, files), "--strict")
    assert result.returncode == 1
    assert re.search(r"WARNING\s+-\s+procedures/payloads/p0\.md:\d+: HT001 ", result.log)
    assert "Traceback" not in result.log


# --- in a real browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def payload_url_base(payload_site: Build) -> Iterator[str]:
    with serve(payload_site.site) as url:
        yield url


@pytest.fixture(scope="module")
def hostile_url_base(hostile_site: Build) -> Iterator[str]:
    with serve(hostile_site.site) as url:
        yield url


def nothing_ran(driver: Any) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018
    assert driver.execute_script(f"return window.{MARK} === undefined")


HANDLERS_IN_DOM = """
return [...document.querySelectorAll('article *')].flatMap(e => [...e.attributes]
  .filter(a => a.name.startsWith('on') || a.name === 'srcdoc'
    || (/^(href|src|action|formaction|data|srcdoc)$/.test(a.name)
        && /^\\s*(javascript|vbscript|data):/i.test(a.value)))
  .map(a => e.tagName + ' ' + a.name + '=' + a.value))
"""


@pytest.mark.browser
@pytest.mark.parametrize("index", range(len(PAYLOADS)), ids=IDS)
def test_body_payload_does_not_run_in_chromium(
    browser: Any, payload_url_base: str, index: int
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    item = PAYLOADS[index]
    browser.get(payload_url_base + payload_url(index))
    nothing_ran(browser)
    assert browser.execute_script(HANDLERS_IN_DOM) == []
    body = browser.find_element(By.CSS_SELECTOR, "article").text
    assert TEXT in body
    if item.action != "load":
        target = (
            browser.find_element(By.CSS_SELECTOR, "article h2")
            if item.markdown.startswith("## ")
            else browser.find_element(By.XPATH, f"//article//text()[contains(., '{TEXT}')]/..")
        )
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
        if item.action == "hover":
            ActionChains(browser).move_to_element(target).perform()
        else:
            target.click()
        nothing_ran(browser)
        assert browser.current_url.startswith(payload_url_base), browser.current_url


@pytest.mark.browser
def test_no_front_matter_or_roster_value_runs_in_chromium(
    browser: Any, hostile_site: Build, hostile_url_base: str
) -> None:
    pages = sorted(  # every page showing a hostile value: procedures and generated pages
        p.relative_to(hostile_site.site).as_posix().removesuffix("index.html")
        for p in hostile_site.site.rglob("index.html")
        if MARK in p.read_text("utf-8")
    )
    assert {"services/", "owners/", "review/", "tags/"} <= set(pages)
    assert len([p for p in pages if p.startswith("procedures/hostile/")]) == len(HOSTILE_FIELDS)
    for page in pages:
        browser.get(hostile_url_base + page)
        nothing_ran(browser)


@pytest.mark.browser
def test_the_reported_service_title_is_text_in_chromium(browser: Any, tmp_path: Path) -> None:
    files = dict(PROCEDURES)
    files["email/evil.md"] = site_procedure(
        "KB-0010", "Evil service", service='"</title><script>alert(1)</script>"'
    )
    result = mkdocs_build(write_kb(tmp_path, files), "--strict")
    assert result.returncode == 0, result.log
    page = next(p for p in (result.site / "services").iterdir() if "alert" in p.name)
    with serve(result.site) as base:
        browser.get(f"{base}services/{page.name}/")
        nothing_ran(browser)
        assert browser.title == "</title><script>alert(1)</script> - Test KB"


# --- what Markdown and Material's extensions make is kept ---------------------------------------

RICH_EXTENSIONS = """\
markdown_extensions:
  - toc: {permalink: true}
  - abbr
  - admonition
  - attr_list
  - def_list
  - footnotes
  - md_in_html
  - tables
  - pymdownx.caret
  - pymdownx.details
  - pymdownx.highlight: {anchor_linenums: true}
  - pymdownx.inlinehilite
  - pymdownx.keys
  - pymdownx.mark
  - pymdownx.superfences
  - pymdownx.tabbed: {alternate_style: true}
  - pymdownx.tasklist: {custom_checkbox: true}
  - pymdownx.tilde
"""

RICH_BODY = """\
!!! warning "Before you start"
    Save the caller's work. Press ++ctrl+alt+del++ or <kbd>Win</kbd>+<kbd>R</kbd>.

??? note "Why this happens"
    The spooler keeps a *corrupt* job.[^1]

| Setting | Value | Default |
| :--- | :---: | ---: |
| Spooler | `Automatic` | yes |

=== "Windows 11"

    1. Open **Services**.

=== "Windows 10"

    1. Open *Services*.

- [x] Spooler stopped
- [ ] Queue cleared

Run `#!powershell Restart-Service -Name Spooler` and then:

```powershell linenums="1" hl_lines="2" title="restart.ps1"
Stop-Service -Name Spooler
Remove-Item C:\\Windows\\System32\\spool\\PRINTERS\\* -Force
Start-Service -Name Spooler
```

Spooler
:   The Windows service that queues print jobs.

==Marked==, ^^inserted^^, ~~deleted~~, H~2~O, x^2^ and a <span class="kbtool-x">span</span>.

![Printer](https://example.com/printer.png){: width="200" }
![Logo](https://example.com/logo.png "Logo")

See [the other procedure](../email/outlook-profile.md#symptoms), [the vendor](https://example.com/),
[mail us](mailto:desk@example.com) or [call](tel:+15550100).

<div class="admonition tip" markdown>
<p class="admonition-title">Tip</p>
Raw but harmless HTML, with **Markdown** inside.
</div>

*[FQDN]: Fully qualified domain name

The FQDN of the print server.

[^1]: https://learn.microsoft.com/ documents the corrupt job case.
"""


class _Tree(HTMLParser):
    """A page as a list of events, blind to serialisation (quotes, `<br />`, entities)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "tbody":  # an HTML parser adds the tbody a highlight table leaves out
            # nh3 writes `text-align: left;` as `text-align:left`
            shown = " ".join(
                f"{k}={re.sub(r'[ ;]', '', v or '') if k == 'style' else v or ''}"
                for k, v in sorted(attrs)
            )
            self.events.append(("start", tag, shown))

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("tbody", "br", "img", "input", "hr", "col", "wbr"):
            self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.events.append(("text", " ".join(data.split())))


def tree(html: str) -> list[tuple[str, ...]]:
    parser = _Tree()
    parser.feed(html)
    parser.close()
    return parser.events


def test_markdown_and_extensions_survive_sanitising(tmp_path: Path) -> None:
    """A body using every extension a Material site enables: the sanitised page is the same
    page, element for element and attribute for attribute, as the one published as written."""
    builds = {}
    for sanitised in (True, False):
        root = tmp_path / str(sanitised)
        files = {
            **PROCEDURES,
            "printing/rich.md": site_procedure(
                "KB-0300", "Print jobs stuck", service="Printing", symptom=RICH_BODY
            ),
        }
        write_kb(root, files)
        mkdocs_yml = root / "mkdocs.yml"
        text = mkdocs_yml.read_text("utf-8")
        head, tail = text.split("markdown_extensions:\n", 1)
        mkdocs_yml.write_text(head + RICH_EXTENSIONS + "nav:" + tail.split("nav:", 1)[1], "utf-8")
        if not sanitised:
            (root / "kbtool.toml").write_text("[site]\nallow_raw_html = true\n", "utf-8")
        result = mkdocs_build(root, "--strict")
        assert result.returncode == 0, result.log
        builds[sanitised] = result.html("procedures/printing/rich/")
    kept, raw = article(builds[True]), article(builds[False])
    assert tree(kept) == tree(raw)
    for made_by in (
        'class="admonition warning"',
        "<details",
        'class="highlighttable"',
        'id="__codelineno-0-1"',
        'class="task-list-item"',
        'class="footnote"',
        'class="tabbed-set tabbed-alternate"',
        '<kbd class="key-control">',
        'style="text-align:center"',
        'href="https://example.com/"',
        'src="https://example.com/logo.png"',
        'href="tel:+15550100"',
        '<abbr title="Fully qualified domain name">',
        "<mark>",
        "<del>",
        'class="headerlink"',
        "<dl>",
        'width="200"',
    ):
        assert made_by in kept, made_by


# (HTML Markdown made of a body, what the sanitiser must return)
SANITISED = [
    ('<img alt="p" src="img/printer.png">', '<img alt="p" src="img/printer.png">'),
    ('<a href="../email/x.md#symptoms">x</a>', '<a href="../email/x.md#symptoms">x</a>'),
    (
        '<a href="#steps">x</a> <a href="//example.com/">y</a>',
        '<a href="#steps">x</a> <a href="//example.com/">y</a>',
    ),
    (
        '<a href="https://example.com/" target="_blank" rel="noopener">x</a>',
        '<a href="https://example.com/" target="_blank" rel="noopener">x</a>',
    ),
    ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "<img>"),
    ('<a href="jav&#x09;ascript:alert(1)">x</a>', "<a>x</a>"),
    ('<a href="vbscript:msgbox(1)">x</a>', "<a>x</a>"),
    ('<a href="ms-settings:network">x</a>', "<a>x</a>"),
    (
        '<div style="position: fixed; top: 0; text-align: right">x</div>',
        '<div style="text-align:right">x</div>',
    ),
    ('<input type="text" autofocus onfocus="alert(1)">', "<input>"),
    ('<input type="checkbox" disabled checked>', '<input type="checkbox" disabled="" checked="">'),
    ("<p>a</p><script>alert(1)</script><style>p{}</style><p>b</p>", "<p>a</p><p>b</p>"),
    ("<iframe src=https://example.com/></iframe><p>b</p>", "<p>b</p>"),
    ("<!-- kbtool: disable ST002 --><p>b</p>", "<p>b</p>"),
    (
        "<p>1 &lt; 2 &amp; <code>&lt;b&gt;</code></p>",
        "<p>1 &lt; 2 &amp; <code>&lt;b&gt;</code></p>",
    ),
]


@pytest.mark.parametrize(("fragment", "expected"), SANITISED)
def test_the_sanitiser_keeps_safe_html_and_drops_the_rest(fragment: str, expected: str) -> None:
    from kbtool.site.sanitise import sanitise_html

    assert sanitise_html(fragment) == expected
