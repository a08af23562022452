"""The knowledge loop in Debian's headless Chromium against the real `kbtool serve`: search,
open a result, answer "No", send a problem report; then find all of it in `kbtool feedback`
and `kbtool report`. On a static host the controls stay hidden."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.site.conftest import TODAY
from tests.web.conftest import Kb, start_server
from tests.web.test_browser import (  # noqa: F401 - fixtures
    WAIT,
    browser,
    no_csp_violations,
    search,
    static_url,
    wait,
)

pytestmark = pytest.mark.browser


def kbtool_json(root: Path, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "kbtool", "--today", TODAY, *args, "--format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def status_text(driver: Any) -> str:
    text: str = driver.execute_script(
        "var s = document.querySelector('.kbtool-feedback__status'); return s ? s.textContent : '';"
    )
    return text


def test_search_open_no_report_then_feedback_and_report(browser: Any, kb_copy: Kb) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select

    server = start_server(kb_copy.root)
    try:
        search(browser, server.url + "/", "forgotten password", expect="password-reset")
        link = browser.find_element(
            By.CSS_SELECTOR, "li.md-search-result__item a[href*='password-reset']"
        )
        rank = 1 + browser.execute_script(
            "return [...document.querySelectorAll('li.md-search-result__item a')]"
            ".findIndex(a => a.href.includes('password-reset'))"
        )
        link.click()
        wait(browser, lambda d: "password-reset" in d.current_url)
        section = wait(
            browser, ec.visibility_of_element_located((By.CSS_SELECTOR, ".kbtool-feedback"))
        )
        section.find_element(By.CSS_SELECTOR, "[data-kbtool-solved='no']").click()
        wait(browser, lambda d: status_text(d).startswith("Thank you."))
        form = wait(
            browser, ec.visibility_of_element_located((By.CSS_SELECTOR, ".kbtool-feedback__form"))
        )
        Select(form.find_element(By.NAME, "category")).select_by_value("out of date")
        form.find_element(By.NAME, "text").send_keys(
            "Step 2 names the old portal <b>x</b>; caller on +44 20 7946 0958"
        )
        form.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
        wait(browser, lambda d: "goes to the procedure's owner" in status_text(d))
        no_csp_violations(browser)
    finally:
        code, output = server.stop()
        assert code == 0 and "Traceback" not in output, output

    feedback = kbtool_json(kb_copy.root, "feedback")
    items = [i for o in feedback["owners"] for i in o["items"] if i["procedure"] == "KB-0008"]
    assert [(i["kind"], i["category"], i["text"]) for i in items] == [
        (
            "problem_report",
            "out of date",
            "Step 2 names the old portal <b>x</b>; caller on [number]",
        ),
        ("not_solved", None, None),
    ]
    owner = next(o for o in feedback["owners"] if items[0] in o["items"])
    assert (owner["owner"], owner["backup"]) == ("jdoe", "asmith")

    usage = kbtool_json(kb_copy.root, "report")["usage"]
    day = next(iter(usage["searches"]["by_day"].values()))
    assert day.get("site") == 1 and "api" not in day  # typing is not recorded, the search is
    assert usage["opened_results"] == {"searches": 1, "mean_reciprocal_rank": round(1 / rank, 4)}
    assert usage["abandoned_searches"]["abandoned"] == 0
    assert usage["most_viewed"][0]["id"] == "KB-0008"
    assert usage["solved"]["by_procedure"] == [
        {"id": "KB-0008", "title": "Forgotten password reset", "yes": 0, "no": 1, "rate": 0.0}
    ]
    assert usage["open_problem_reports"] == [{"owner": "jdoe", "name": "Jane Doe", "open": 1}]


def test_on_a_static_host_the_controls_stay_hidden(browser: Any, static_url: str) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.get(static_url + "procedures/accounts/password-reset/")
    wait(browser, lambda d: d.execute_script("return document.readyState") == "complete")
    import time

    time.sleep(1.0)  # the script's request to api/events has had its answer (a 404)
    section = browser.find_element(By.CSS_SELECTOR, ".kbtool-feedback")
    assert not section.is_displayed()
    assert browser.execute_script("return document.querySelector('.kbtool-feedback').hidden")
