"""The site served by `kbtool serve`, in Debian's headless Chromium: its search box is kbtool's.

Material's own results list, highlighting and keys, filled by kbtool's worker from the API:
corrections said, ids that go straight to their page, badges, hostile titles shown as text, no
Content-Security-Policy violation anywhere; and the same built site on a plain static server
still finds procedures with Material's own search.
"""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.site.conftest import chromium, site_procedure
from tests.web.conftest import Kb, Server, index, start_server

pytestmark = pytest.mark.browser

WAIT = 20

#: Installed before any page script (DevTools), so a violation during page load counts too.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    driver = chromium(profile, page_load_timeout=WAIT, browser_log=True)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_LISTENER})
    try:
        yield driver
    finally:
        driver.quit()


def wait(driver: Any, condition: Any, timeout: float = WAIT) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def open_search(driver: Any, url: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    driver.get(url)
    driver.find_element(By.CSS_SELECTOR, "label.md-search__icon, .md-search__input").click()
    return wait(driver, ec.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input")))


def results(driver: Any) -> list[dict[str, str]]:
    """The results shown, read in one go in the page (the list is redrawn as answers come)."""
    found: list[dict[str, str]] = driver.execute_script(
        """return [...document.querySelectorAll('li.md-search-result__item')].map(item => {
          const h1 = item.querySelector('h1');
          return {href: item.querySelector('a').href, title: h1 ? h1.innerText : '',
                  text: item.innerText,
                  tags: [...item.querySelectorAll('.md-tag')].map(t => t.innerText).join(' | ')};
        });"""
    )
    return found


def search(driver: Any, url: str, query: str, *, expect: str | None = None) -> list[dict]:
    """Type `query` into the box; the results once they hold `expect`, or (without `expect`)
    once the result list has stopped changing for a second (it may be empty)."""
    box = open_search(driver, url)
    box.send_keys(query)
    if expect is not None:
        return wait(
            driver,
            lambda d: (shown := results(d)) and any(expect in r["href"] for r in shown) and shown,
        )
    last, since = None, time.monotonic()
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        shown = results(driver)
        meta = driver.execute_script(
            "return document.querySelector('.md-search-result__meta').textContent"
        )
        state = (meta, [r["href"] for r in shown])
        if state != last:
            last, since = state, time.monotonic()
        elif time.monotonic() - since > 1.0 and "Type to start" not in meta:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"the results for {query!r} never settled: {last}")


def note(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    notes = driver.find_elements(By.CSS_SELECTOR, ".kbtool-search-note")
    return notes[0].text if notes and notes[0].is_displayed() else ""


def no_csp_violations(driver: Any) -> None:
    assert driver.execute_script("return window.__csp || []") == []
    logged = [e["message"] for e in driver.get_log("browser") if "Content Security" in e["message"]]
    assert logged == []


def test_a_typo_is_corrected_and_said_and_as_typed_is_one_click(
    browser: Any, server: Server
) -> None:
    from selenium.webdriver.common.by import By

    shown = search(browser, server.url + "/", "pasword reset", expect="password-reset")
    assert shown[0]["href"].endswith("/procedures/accounts/password-reset/?h=password+reset")
    assert shown[0]["title"].startswith("KB-0008 Forgotten password reset")
    wait(browser, lambda d: "Showing results for password reset" in note(d))
    link = browser.find_element(By.LINK_TEXT, "Search instead for pasword reset")
    link.click()
    wait(browser, lambda d: "Showing results for" not in note(d))
    assert browser.find_element(By.CSS_SELECTOR, "input.md-search__input").is_displayed()
    no_csp_violations(browser)


@pytest.mark.parametrize(
    ("query", "page"),
    [
        ("KB-0007", "/procedures/printing/retired-fax/"),
        ("kb-0008", "/procedures/accounts/password-reset/"),
        ("0x8004010F", "/procedures/email/outlook-profile/"),
    ],
)
def test_an_id_or_error_code_goes_straight_to_its_page(
    browser: Any, server: Server, query: str, page: str
) -> None:
    from selenium.webdriver.common.keys import Keys

    box = open_search(browser, server.url + "/")
    box.send_keys(query)
    wait(browser, lambda d: any(page in r["href"] for r in results(d)[:1]))
    box.send_keys(Keys.ENTER)
    wait(browser, lambda d: page in d.current_url)
    no_csp_violations(browser)


@pytest.mark.parametrize(
    ("query", "page", "badge"),
    [
        ("toner low warning", "draft-toner", "draft"),
        ("grey padlock archive", "overdue-archive", "overdue for review"),
        ("tunnel disconnects", "vpn-drops", "orphaned: ask Jane Doe"),
        ("proxy credentials grey box", "nobody", "orphaned: nobody acting"),
        ("fax busy tone", "retired-fax", None),  # retired: hidden unless named by its id
    ],
)
def test_badges(browser: Any, server: Server, query: str, page: str, badge: str | None) -> None:
    if badge is None:
        shown = search(browser, server.url + "/", query)
        assert not any(page in r["href"] for r in shown)
        return
    shown = search(browser, server.url + "/", query, expect=page)
    hit = next(r for r in shown if page in r["href"])
    assert badge in hit["tags"], hit
    assert "Owner:" in hit["text"]


def test_hostile_values_show_as_text(browser: Any, server: Server) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    shown = search(browser, server.url + "/", "printer jams paper", expect="hostile")
    hit = next(r for r in shown if "hostile" in r["href"])
    assert "<script>alert('title')</script> Printer jams" in hit["title"]
    assert "<img src=x onerror=alert('summary')>" in hit["text"]
    assert "<script>alert('roster')</script> Eve" in hit["text"]
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    injected = browser.find_elements(
        By.CSS_SELECTOR, ".md-search-result script, .md-search-result img"
    )
    assert injected == []
    no_csp_violations(browser)


def test_did_you_mean_searches_the_suggestion(browser: Any, server: Server) -> None:
    from selenium.webdriver.common.by import By

    box = open_search(browser, server.url + "/")
    box.send_keys("xassword")
    wait(browser, lambda d: "Did you mean password?" in note(d))
    browser.find_element(By.LINK_TEXT, "password").click()
    wait(browser, lambda d: any("password-reset" in r["href"] for r in results(d)))
    assert box.get_attribute("value") == "password"


def test_keyboard_habits_are_materials(browser: Any, server: Server) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(server.url + "/")
    browser.find_element(By.TAG_NAME, "body").send_keys("/")
    box = browser.switch_to.active_element
    assert "md-search__input" in (box.get_attribute("class") or "").split()
    box.send_keys("outlook")
    wait(browser, lambda d: results(d))
    box.send_keys(Keys.ARROW_DOWN)
    focused = browser.switch_to.active_element
    assert "outlook-profile" in (focused.get_attribute("href") or "")


def test_generated_pages_are_not_results(browser: Any, server: Server) -> None:
    shown = search(browser, server.url + "/", "owners review dashboard services tags desk")
    for hit in shown:
        assert "/procedures/" in hit["href"], hit


def test_pages_load_without_csp_violations(browser: Any, server: Server) -> None:
    for page in (
        "/",
        "/procedures/email/outlook-profile/",
        "/owners/",
        "/review/",
        "/services/",
        "/no/such/page/",
    ):
        browser.get(server.url + page)
        time.sleep(0.3)
        no_csp_violations(browser)


def test_typing_is_debounced(browser: Any, web_kb: Kb) -> None:
    running = start_server(web_kb.root, "--access-log")
    try:
        box = open_search(browser, running.url + "/")
        query = "outlook loading profile window"
        box.send_keys(query)  # one key after the other, faster than the debounce
        wait(browser, lambda d: any("outlook-profile" in r["href"] for r in results(d)))
        time.sleep(0.5)
    finally:
        _code, output = running.stop()
    asked = [line for line in output.splitlines() if "GET /api/search?" in line]
    # The first key goes at once (no wait after a pause), then only where typing paused.
    assert 1 <= len(asked) <= 4, asked
    assert "q=outlook+loading+profile+window" in asked[-1]


def material_count(browser: Any) -> str:
    """Material's own count line as shown ('' when hidden)."""
    from selenium.webdriver.common.by import By

    meta = browser.find_elements(By.CSS_SELECTOR, ".md-search-result__meta")
    return str(meta[0].text) if meta and meta[0].is_displayed() else ""


def test_more_matches_than_listed_are_counted(browser: Any, kb_copy: Kb) -> None:
    # Twelve procedures about toner: the worker asks the API for the best ten, and Material
    # says "10 matching documents"; the note says how many matched.
    for number in range(12):
        (kb_copy.root / "procedures" / f"toner-{number}.md").write_text(
            site_procedure(
                f"KB-07{number:02d}",
                f"Toner warning on printer {number}",
                service="Printing",
                symptom="The printer shows a toner warning.",
            ),
            "utf-8",
        )
    index(kb_copy.root)
    running = start_server(kb_copy.root)
    try:
        shown = search(browser, running.url + "/", "toner warning")
        assert len(shown) == 10
        answer = httpx.get(running.url + "/api/search", params={"q": "toner warning"}).json()
        assert answer["total"] >= 12
        said = f"The best 10 of {answer['total']} matching procedures are shown"
        wait(browser, lambda d: said in note(d))
        # Material's own "10 matching documents" is not shown next to it.
        assert not material_count(browser)
        # A search with fewer matches than the list holds says no count, and Material's
        # line is back.
        search(browser, running.url + "/", "pasword reset", expect="password-reset")
        wait(browser, lambda d: "Showing results for password reset" in note(d))
        assert "matching procedures" not in note(browser)
        assert "matching document" in material_count(browser)
        no_csp_violations(browser)
    finally:
        code, output = running.stop()
    assert "Traceback" not in output, output


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def static_url(web_kb: Kb) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(web_kb.site))
    static = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=static.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{static.server_address[1]}/"
    finally:
        static.shutdown()
        static.server_close()


def test_on_a_static_host_materials_own_search_answers(browser: Any, static_url: str) -> None:
    shown = search(browser, static_url, "archive padlock", expect="overdue-archive")
    assert "overdue-archive" in shown[0]["href"]
    assert note(browser) == ""  # nothing from kbtool's worker: Material's search answered
    tags = search(browser, static_url, "owners dashboard")
    for hit in tags:
        for generated in ("/owners/", "/review/", "/services/", "/tags/"):
            assert generated not in hit["href"], hit
