"""A procedure page designed for a call, and generated pages that fit (issue 13).

The repository's own site (its docs and starter procedures) is built for real and opened in
headless Chromium at 1280×800: the first step of the Resolution must be on the first screen of
every starter procedure, with the title, the summary and the status line. The generated pages
must not scroll sideways at 1280 px nor on a phone (390 px). The test also takes the
screenshots the docs show; `make screenshots` writes them into docs/images/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.site.conftest import serve

REPO = Path(__file__).resolve().parents[2]
TODAY = "2026-11-23"  # fixed, like the repository lint test
STARTERS = sorted(p.relative_to(REPO / "procedures") for p in (REPO / "procedures").rglob("*.md"))
#: Where the screenshots go: docs/images/ with `make screenshots`, else the test's own folder.
SCREENSHOTS = os.environ.get("KBTOOL_SCREENSHOTS")


@pytest.fixture(scope="module")
def repo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    for name in ("docs", "procedures"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "KBTOOL_TODAY": TODAY}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "site")],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "site"


@pytest.fixture(scope="module")
def site_url(repo_site: Path) -> Iterator[str]:
    with serve(repo_site) as url:
        yield url


def screen(driver: Any, width: int, height: int, *, dark: bool = False) -> None:
    """The viewport exactly `width`×`height` CSS pixels, light or dark (what the browser
    prefers: the site's palette follows it)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    scheme = "dark" if dark else "light"
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )


@pytest.fixture
def browser_1280(browser: Any) -> Iterator[Any]:
    screen(browser, 1280, 800)
    try:
        yield browser
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def open_page(driver: Any, url: str) -> None:
    driver.get(url)
    driver.execute_script("localStorage.clear(); window.scrollTo(0, 0)")


FIRST_SCREEN = """
const seen = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; };
return {
  scrolled: window.scrollY,
  title: seen(document.querySelector('article h1')),
  summary: seen(document.querySelector('article h1 + p')),
  status: seen(document.querySelector('.kbtool-status')),
  firstStep: seen(document.querySelector('.kbtool-steps ol > li')),
  firstStepText: (document.querySelector('.kbtool-steps ol > li') || {}).innerText,
  banners: [...document.querySelectorAll('.kbtool-banner')].map(seen),
  tagNavs: document.querySelectorAll('.md-tags').length,
  tagNavsInCard: document.querySelectorAll('.kbtool-card .md-tags').length,
  text: document.querySelector('article').innerText,
};
"""


@pytest.mark.browser
@pytest.mark.parametrize("rel", STARTERS, ids=str)
def test_first_step_is_on_the_first_screen(browser_1280: Any, site_url: str, rel: Path) -> None:
    open_page(browser_1280, site_url + "procedures/" + rel.with_suffix("").as_posix() + "/")
    seen = browser_1280.execute_script(FIRST_SCREEN)
    assert seen["scrolled"] == 0
    assert seen["title"] and seen["summary"] and seen["status"], seen
    assert seen["firstStep"], f"the first step is below the fold: {seen['firstStepText']!r}"
    assert all(seen["banners"]), "a banner is below the fold"
    # Tags and error codes appear once: the tags in the card, the codes beside it.
    assert seen["tagNavs"] <= 1 and seen["tagNavs"] == seen["tagNavsInCard"]
    text = (REPO / "procedures" / rel).read_text(encoding="utf-8")
    for code in _error_codes(text):
        assert seen["text"].count(code) >= 1
        codes_line = [line for line in seen["text"].splitlines() if code in line]
        assert sum(line.startswith("Error codes") for line in codes_line) == 1, codes_line
    assert "Error codes" not in "\n".join(
        e.text for e in browser_1280.find_elements("css selector", ".kbtool-meta th")
    )


def _error_codes(text: str) -> list[str]:
    for line in text.splitlines():
        if line.startswith("error_codes:"):
            return json.loads(line.split(":", 1)[1].strip())
    return []


@pytest.mark.browser
def test_escalation_is_one_click_away(browser_1280: Any, site_url: str) -> None:
    open_page(browser_1280, site_url + "procedures/email/outlook-stuck-loading-profile/")
    browser_1280.find_element("css selector", ".kbtool-status__escalate").click()
    heading = browser_1280.find_element("css selector", "h2#escalation")
    top = browser_1280.execute_script("return arguments[0].getBoundingClientRect().top", heading)
    assert 0 <= top < 800
    assert browser_1280.execute_script("return location.hash") == "#escalation"


@pytest.mark.browser
def test_status_line_says_who_answers_and_the_review_state(
    browser_1280: Any, site_url: str
) -> None:
    open_page(browser_1280, site_url + "procedures/network/wifi-connected-no-internet/")
    status = browser_1280.find_element("css selector", ".kbtool-status").text
    assert "Published" in status
    assert "Acting owner: Jonas Fischer" in status  # the owner is on leave
    assert "jonas.fischer@example.com" in status and "+44 20 7946 0105" in status
    assert "Review due in 83 days" in status
    card = browser_1280.find_element("css selector", ".kbtool-card").text
    for text in ("Nadia Adeyemi", "away until 2027-01-15", "Last reviewed", "Escalate to"):
        assert text in card, text


GENERATED = ["services/", "services/email/", "review/", "owners/", "tags/"]


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("page", GENERATED)
def test_generated_pages_do_not_scroll_sideways(
    browser: Any, site_url: str, page: str, width: int
) -> None:
    screen(browser, width, 844 if width < 600 else 800)
    try:
        open_page(browser, site_url + page)
        wide = browser.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth,"
            " [...document.querySelectorAll('.md-content .md-typeset__scrollwrap,"
            " .md-content table')].filter(e => e.scrollWidth > e.clientWidth + 1)"
            ".map(e => e.tagName + ' ' + e.scrollWidth + '>' + e.clientWidth)]"
        )
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    document, viewport, overflowing = wide
    assert document <= viewport, wide
    assert overflowing == [], wide


def test_generated_pages_and_the_tags_page_are_not_searched(repo_site: Path) -> None:
    index = json.loads((repo_site / "search" / "search_index.json").read_text("utf-8"))
    locations = [doc["location"] for doc in index["docs"]]
    for prefix in ("services/", "owners/", "review/", "tags/"):
        assert not [loc for loc in locations if loc.startswith(prefix)], prefix
    assert any(loc.startswith("procedures/") for loc in locations)


SCHEME = "return document.body.getAttribute('data-md-color-scheme')"


@pytest.mark.browser
def test_screenshots_for_the_docs(browser: Any, site_url: str, tmp_path: Path) -> None:
    """The home page shows these; regenerate with `make screenshots`."""
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    shots = [
        ("procedure-light.png", "procedures/email/outlook-stuck-loading-profile/", False),
        ("procedure-dark.png", "procedures/email/outlook-stuck-loading-profile/", True),
        ("owners.png", "owners/", False),
    ]
    try:
        for name, page, dark in shots:
            screen(browser, 1280, 800, dark=dark)
            open_page(browser, site_url + page)
            wanted = "slate" if dark else "default"
            scheme = browser.execute_script(SCHEME)
            if scheme != wanted:  # Material's palette toggle, as a reader switches
                browser.execute_script(
                    "document.querySelector('[data-md-component=palette] label:not([hidden])')"
                    ".click()"
                )
                scheme = browser.execute_script(SCHEME)
            assert scheme == ("slate" if dark else "default"), name
            assert browser.save_screenshot(str(folder / name))
            assert (folder / name).stat().st_size > 10_000
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


# --- the page's parts, in a small knowledge base built for real ---------------------------

CALL_BODY = """
# {title}

## Symptoms

The caller sees an error.

## Resolution

- Before you start, check:
  1. The printer is on.
     - the display is lit
  2. The queue is empty.

## Escalation

Escalate to the team lead.
"""


@pytest.fixture(scope="module")
def call_site(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.site.conftest import PROCEDURES, ROSTER, mkdocs_build, write_kb
    from tests.site.conftest import site_procedure as procedure

    files = dict(PROCEDURES)
    files["printing/retired-fax.md"] = procedure(
        "KB-0007",
        "Fax machine busy tone",
        service="Printing",
        status="retired",
        extra="superseded_by: KB-0006",
    )
    files["printing/two-spaces.md"] = procedure(
        "KB-0020", "Printer queue", service="Printing", extra="related: [KB-0001]"
    ).split("\n# ", 1)[0] + CALL_BODY.format(title="Printer queue")
    roster = ROSTER.replace('phone: "+1 555 0100"}', 'phone: "+1 555 0100", chat: "@jane.doe"}')
    root = write_kb(tmp_path_factory.mktemp("call"), files, roster=roster)
    (root / "docs" / "tags.md").write_text("# Tags\n\n<!-- material/tags -->\n", "utf-8")
    result = mkdocs_build(root)
    assert result.returncode == 0, result.log
    return result


def test_a_retired_page_links_its_replacement(call_site: Any) -> None:
    html = call_site.html("procedures/printing/retired-fax/")
    banner = re.search(r'kbtool-banner--retired".*?</div>', html, re.S)
    assert banner is not None
    assert 'Replaced by <a href="../draft-toner/">KB-0006 Toner low warning</a>' in banner.group(0)
    assert "Replaced by" in _card(html)


def test_numbered_steps_indented_by_two_spaces_stay_numbered(call_site: Any) -> None:
    html = call_site.html("procedures/printing/two-spaces/")
    steps = html[html.index('<div class="kbtool-steps">') :]
    assert re.search(r"<ul>\s*<li>Before you start, check:\s*<ol>\s*<li>The printer is on\.", steps)
    assert re.search(r"<li>The printer is on\.\s*<ul>\s*<li>the display is lit</li>", steps)


def test_tags_once_in_the_card_and_the_card_has_the_contacts(call_site: Any) -> None:
    html = call_site.html("procedures/printing/two-spaces/")
    assert html.count('class="md-tags"') == 1
    card = _card(html)
    assert 'class="md-tags"' in card and 'href="../../../tags/#tag:desk"' in card
    assert 'href="tel:+15550100"' in card and "chat @jane.doe" in card
    assert '<a href="../../email/outlook-profile/">KB-0001 Outlook' in card  # related
    status = re.search(r'<div class="kbtool-status".*?</div>', html, re.S)
    assert status is not None and "+1 555 0100" in status.group(0)
    assert 'href="#escalation"' in status.group(0)


def test_the_owners_page_shows_phone_and_chat(call_site: Any) -> None:
    owners = call_site.html("owners/")
    assert "jane@example.com, phone +1 555 0100, chat @jane.doe" in owners


def _card(html: str) -> str:
    match = re.search(r'<aside class="kbtool-card".*?</aside>', html, re.S)
    assert match, "no card"
    return match.group(0)
