"""End to end in Debian's headless Chromium: search, the card and banners, escaping.

The built site (see conftest.py) is served on 127.0.0.1 and driven with Selenium through
/usr/bin/chromedriver. Material's search runs in a web worker, so results are awaited.
Without Chromium these tests fail (never skip): run `.ci/install-browser`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.site.conftest import Build, serve

pytestmark = pytest.mark.browser

WAIT = 20  # seconds; the search worker builds its index on first use


@pytest.fixture(scope="module")
def site_url(built: Build) -> Iterator[str]:
    with serve(built.site) as url:
        yield url


def search(driver, site_url: str, query: str) -> list[tuple[str, str]]:  # noqa: ANN001
    """Type `query` into Material's search box; (href, title text) of the results."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(site_url)
    driver.find_element(By.CSS_SELECTOR, "label.md-search__icon, .md-search__input").click()
    box = WebDriverWait(driver, WAIT).until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input"))
    )
    box.send_keys(query)
    WebDriverWait(driver, WAIT).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "li.md-search-result__item")
    )
    from selenium.common.exceptions import StaleElementReferenceException

    for _attempt in range(5):  # results are re-rendered as the worker answers each keystroke
        try:
            links = driver.find_elements(By.CSS_SELECTOR, "li.md-search-result__item > a")
            return [
                (
                    link.get_attribute("href") or "",
                    link.find_element(By.TAG_NAME, "h1").text
                    if link.find_elements(By.TAG_NAME, "h1")
                    else link.text,
                )
                for link in links
            ]
        except StaleElementReferenceException:
            time.sleep(0.2)
    raise AssertionError(f"the search results for {query!r} never settled")


@pytest.mark.parametrize(
    ("query", "expected", "within"),
    [
        # Words of the symptoms as a caller says them: among the first results.
        ("teal mailbox icon", "procedures/email/outlook-profile/", 3),
        ("tunnel disconnects", "procedures/network/vpn-drops/", 3),
        # An error code read out, or words of the title: first.
        ("0x8004010F", "procedures/email/outlook-profile/", 1),
        ("archive padlock", "procedures/email/overdue-archive/", 1),
    ],
)
def test_search_finds_the_procedure_for_a_symptom(
    browser,
    site_url: str,
    query: str,
    expected: str,
    within: int,  # noqa: ANN001
) -> None:
    results = search(browser, site_url, query)
    assert results, f"no results for {query!r}"
    assert any(expected in href for href, _ in results[:within]), results


def test_procedure_page_shows_card_and_overdue_banner(browser, site_url: str) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    results = search(browser, site_url, "archive padlock")
    browser.get(results[0][0])
    banner = browser.find_element(By.CSS_SELECTOR, ".kbtool-banner--overdue")
    assert banner.is_displayed()
    assert "Overdue for review" in banner.text
    card = browser.find_element(By.CSS_SELECTOR, ".kbtool-card")
    assert card.is_displayed()
    for text in ("KB-0002", "Jane Doe", "Alan Smith", "overdue by 110 days", "Team lead"):
        assert text in card.text, text
    h1 = browser.find_element(By.CSS_SELECTOR, "article h1")
    assert banner.location["y"] > h1.location["y"]
    assert card.location["y"] > banner.location["y"]


def test_script_in_a_title_renders_as_text(browser, site_url: str) -> None:  # noqa: ANN001
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    browser.get(site_url + "procedures/printing/hostile/")
    h1 = browser.find_element(By.CSS_SELECTOR, "article h1")
    assert h1.text.startswith("<script>alert('title')</script> Printer jams")
    assert "<script>alert('title')</script>" in browser.title
    owner = browser.find_element(By.CSS_SELECTOR, ".kbtool-person strong")
    assert owner.text == "<script>alert('roster')</script> Eve"
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    injected = browser.execute_script(
        "return [...document.querySelectorAll('script, img[onerror]')]"
        ".filter(e => (e.textContent + (e.getAttribute('onerror') || ''))"
        ".includes('alert(')).length"
    )
    assert injected == 0
    # Search results show the hostile title as text too.
    results = search(browser, site_url, "Printer jams")
    assert any("<script>alert('title')</script>" in title for _, title in results), results
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
