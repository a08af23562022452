"""FR rules: published procedures are reviewed on schedule.

The clean procedure was reviewed 2026-10-01 with review_every 180: due 2027-03-30.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import procedure
from tests.lint.rules.helpers import MAIN, assert_finding, line_of, lint_kb, of

FAILING = [
    pytest.param(
        {},
        "2027-06-01",
        "",
        "FR001",
        "reviewed:",
        "overdue for review by 63 days (due 2027-03-30)",
        id="overdue",
    ),
    pytest.param(
        {"review_every": None},
        "2026-11-01",
        "[review]\nevery = 20\n",
        "FR001",
        "reviewed:",
        "overdue for review by 11 days",
        id="global-interval",
    ),
    pytest.param(
        {"review_every": None},
        "2026-11-01",
        "[review.by_service]\nEmail = 30\n",
        "FR001",
        "reviewed:",
        "by 1 days",
        id="per-service-interval",
    ),
    pytest.param(
        {}, "2027-03-10", "", "FR002", "reviewed:", "review due in 20 days", id="due-soon"
    ),
    pytest.param(
        {},
        "2027-03-20",
        "[review]\ndue_soon = 10\n",
        "FR002",
        "reviewed:",
        "due in 10 days",
        id="due-soon-window",
    ),
    pytest.param(
        {"reviewed": "2027-01-10"},
        "2026-11-01",
        "",
        "FR003",
        "reviewed:",
        "2027-01-10 is in the future",
        id="future",
    ),
    pytest.param(
        {"reviewed": None},
        "2026-11-01",
        "",
        "FR004",
        None,
        "published without a review date",
        id="never-reviewed",
    ),
]


@pytest.mark.parametrize(("changes", "today", "config", "code", "needle", "fragment"), FAILING)
def test_freshness_rule_fails(
    kb_root: Path,
    changes: dict[str, str | None],
    today: str,
    config: str,
    code: str,
    needle: str | None,
    fragment: str,
) -> None:
    text = procedure(changes)
    findings = lint_kb(kb_root, {MAIN: text}, today=today, config=config)
    assert_finding(findings, code, line_of(text, needle), fragment)


PASSING = [
    pytest.param({}, "2027-03-30", "FR001", id="due-today-is-not-overdue"),
    pytest.param({"status": "retired"}, "2030-01-01", "FR001", id="retired-not-checked"),
    pytest.param({"status": "draft"}, "2030-01-01", "FR001", id="draft-not-checked"),
    pytest.param({}, "2027-02-27", "FR002", id="due-in-31-days"),
    pytest.param({"status": "retired"}, "2027-03-10", "FR002", id="retired-not-due"),
    pytest.param({}, "2026-10-01", "FR003", id="reviewed-today"),
    pytest.param(
        {"reviewed": "2027-01-10", "status": "retired"}, "2026-11-01", "FR003", id="retired-future"
    ),
    pytest.param(
        {"reviewed": None, "status": "draft"},
        "2026-11-01",
        "FR004",
        id="draft-needs-no-review-date",
    ),
    pytest.param(
        {"reviewed": None, "status": "retired"},
        "2026-11-01",
        "FR004",
        id="retired-needs-no-review-date",
    ),
    pytest.param({"reviewed": "2026-02-30"}, "2026-11-01", "FR004", id="bad-date-is-FM011"),
]


@pytest.mark.parametrize(("changes", "today", "code"), PASSING)
def test_freshness_rule_passes(
    kb_root: Path, changes: dict[str, str | None], today: str, code: str
) -> None:
    findings = lint_kb(kb_root, {MAIN: procedure(changes)}, today=today)
    assert of(findings, code) == [], findings


def test_procedure_interval_wins_over_service_interval(kb_root: Path) -> None:
    config = "[review.by_service]\nEmail = 30\n"
    text = procedure({"review_every": "365"})
    assert of(lint_kb(kb_root, {MAIN: text}, config=config, today="2027-06-01"), "FR001") == []
