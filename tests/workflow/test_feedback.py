"""`kbtool feedback` and the usage figures of `kbtool report`, from a crafted events store.

TODAY is 2026-11-01 (the MIXED knowledge base): KB-0001 was reviewed on 2026-10-01, so a report
from September is handled and one from October is open; KB-0003's owner has left (jdoe acts);
KB-0004's owner is away and its backup has left (nobody acts).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kbtool.events import Event, open_store
from kbtool.model.config import load_config
from tests.conftest import TODAY


def at(day: int, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, 9, 30, tzinfo=dt.UTC)


def site(kind: str, when: dt.datetime, **fields: Any) -> Event:
    return Event(kind, "site", time=when, **fields)


EVENTS = [
    site("problem_report", at(20, 9), procedure="KB-0001", category="unclear", text="old"),
    site("problem_report", at(20), procedure="KB-0001", category="wrong step", text="Step 2"),
    site("problem_report", at(25), procedure="KB-0003", category="missing case", text="Mac?"),
    site("solved", at(28), procedure="KB-0006", solved=False),
    site("problem_report", at(10), procedure="KB-9999", category="out of date"),
    site("search", at(21), query="vpn", results=3, search_id="search-0001"),
    site("result_opened", at(21), procedure="KB-0003", rank=1, search_id="search-0001"),
    site("search", at(22), query="outlook", results=5, search_id="search-0002"),
    site("result_opened", at(22), procedure="KB-0002", rank=4, search_id="search-0002"),
    site("result_opened", at(22), procedure="KB-0001", rank=2, search_id="search-0002"),
    site("search", at(23), query="printer", results=2, search_id="search-0003"),
    site("search", at(23), query="fax toner", results=0, filters={"service": "Printing"}),
    Event("search", "cli", time=at(24), query="Fax  Toner", results=0,
          filters={"service": "Printing"}),
    Event("search", "api", time=at(24), query="fax toner", results=0),
    *[site("page_view", at(26), procedure="KB-0001") for _ in range(3)],
    site("page_view", at(26), procedure="KB-0002"),
    site("solved", at(27), procedure="KB-0001", solved=True),
    site("solved", at(27), procedure="KB-0001", solved=True),
]  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
def with_events(
    mixed_kb: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The MIXED knowledge base with EVENTS in its store: SQLite, or a real PostgreSQL."""
    if request.param == "postgresql":
        from tests.events.test_store import new_database

        monkeypatch.setenv("KBTOOL_EVENTS_URL", new_database(request.getfixturevalue("postgres")))
    store = open_store(load_config(cwd=mixed_kb))
    store.add(EVENTS)
    store.close()
    return mixed_kb


def test_feedback_groups_open_items_by_acting_owner(
    with_events: Path, run_cli: Callable[..., Any]
) -> None:
    result = run_cli("--today", TODAY, "feedback", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["open"], data["handled"]) == (4, 1)
    owners = [
        (o["owner"], o["backup"], [i["procedure"] for i in o["items"]]) for o in data["owners"]
    ]
    assert owners == [
        ("jdoe", "asmith", ["KB-0003", "KB-0001"]),  # newest first
        ("(nobody available)", None, ["KB-9999"]),
        ("asmith", "jdoe", ["KB-0006"]),
    ]
    first = data["owners"][0]["items"][0]
    assert first == {
        "procedure": "KB-0003",
        "title": "Owner left",
        "service": "Network",
        "kind": "problem_report",
        "category": "missing case",
        "text": "Mac?",
        "time": "2026-10-25T09:30:00+00:00",
    }
    assert data["owners"][2]["items"][0]["kind"] == "not_solved"


def test_feedback_since_fail_and_text(with_events: Path, run_cli: Callable[..., Any]) -> None:
    late = run_cli("--today", TODAY, "feedback", "--since", "2026-10-22", "--format", "json")
    owners = json.loads(late.output)["owners"]  # one each: in the order of their handles
    assert [(o["owner"], [i["procedure"] for i in o["items"]]) for o in owners] == [
        ("asmith", ["KB-0006"]),
        ("jdoe", ["KB-0003"]),
    ]
    assert run_cli("--today", TODAY, "feedback", "--fail").exit_code == 1
    text = run_cli("--today", TODAY, "feedback").output
    assert "4 open; 1 handled (reviewed since they were given)." in text
    assert "Jane Doe (jdoe, backup asmith): 2" in text
    assert "  2026-10-25  KB-0003 Owner left  problem: missing case: Mac?" in text
    markdown = run_cli("--today", TODAY, "feedback", "--format", "markdown").output
    assert "### Jane Doe (jdoe, backup asmith): 2" in markdown


def test_feedback_is_handled_by_a_later_review(
    with_events: Path, run_cli: Callable[..., Any]
) -> None:
    assert run_cli("--today", "2026-11-01", "review", "KB-0003").exit_code == 0
    data = json.loads(run_cli("--today", TODAY, "feedback", "--format", "json").output)
    assert (data["open"], data["handled"]) == (3, 2)
    assert run_cli("--today", TODAY, "feedback", "--since", "2026-10-29", "--fail").exit_code == 0


def test_report_usage_figures(with_events: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli("--today", TODAY, "report", "--format", "json")
    assert result.exit_code == 0, result.output
    usage = json.loads(result.output)["usage"]
    assert usage["searches"]["total"] == 6 and usage["searches"]["zero_results"] == 3
    assert usage["searches"]["by_day"]["2026-10-24"] == {"cli": 1, "api": 1}
    assert usage["knowledge_gaps"] == [
        {"query": "fax toner", "filters": {"service": "Printing"}, "count": 2,
         "last": "2026-10-24T09:30:00+00:00"},
        {"query": "fax toner", "filters": {}, "count": 1, "last": "2026-10-24T09:30:00+00:00"},
    ]  # fmt: skip
    assert usage["abandoned_searches"] == {
        "site_searches_with_results": 3,
        "abandoned": 1,
        "share": round(1 / 3, 4),
    }
    assert usage["opened_results"] == {"searches": 2, "mean_reciprocal_rank": 0.75}
    assert usage["most_viewed"][0] == {"id": "KB-0001", "title": "All fine", "views": 3}
    assert [p["id"] for p in usage["unused"]["procedures"]] == ["KB-0004", "KB-0006", "KB-0008"]
    assert usage["solved"]["by_service"] == [
        {"service": "Email", "yes": 2, "no": 1, "rate": round(2 / 3, 4)}
    ]
    assert usage["solved"]["by_procedure"][0] == {
        "id": "KB-0006", "title": "Due soon", "yes": 0, "no": 1, "rate": 0.0
    }  # fmt: skip
    assert usage["open_problem_reports"] == [
        {"owner": "jdoe", "name": "Jane Doe", "open": 2},
        {"owner": "(nobody available)", "name": "(nobody available)", "open": 1},
    ]


def test_report_text_and_unused_days(with_events: Path, run_cli: Callable[..., Any]) -> None:
    text = run_cli("--today", TODAY, "report").output
    assert "- Abandoned searches (results, none opened): 1 of 3 (33%)" in text
    assert "- Mean reciprocal rank of the first result opened: 0.75" in text
    assert "Published procedures nobody opened in 90 days" in text
    assert "  jdoe                Jane Doe            2" in text
    data = json.loads(
        run_cli("--today", TODAY, "report", "--format", "json", "--unused-days", "3").output
    )
    # Only the page views of 2026-10-26 are left within 3 days of 2026-11-01... none are.
    assert len(data["usage"]["unused"]["procedures"]) == 6
    assert run_cli("report", "--unused-days", "0").exit_code == 2


def test_a_corrupt_store_is_a_note_not_a_failure(
    mixed_kb: Path, run_cli: Callable[..., Any]
) -> None:
    (mixed_kb / ".kbtool").mkdir(exist_ok=True)
    (mixed_kb / ".kbtool" / "events.sqlite3").write_bytes(b"garbage" * 1000)
    for command in ("report", "feedback"):
        result = run_cli("--today", TODAY, command)
        assert result.exit_code == 0, result.output
        assert "Note: cannot prepare the events database" in result.output
        assert "not a database" in result.output and "Traceback" not in result.output
