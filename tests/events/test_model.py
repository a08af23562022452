"""Reading an event a client sent: known kinds and fields, bounded sizes, clear refusals."""

from __future__ import annotations

from typing import Any

import pytest

from kbtool.events import EventError, read_event


def test_a_problem_report_is_read() -> None:
    event = read_event(
        {
            "type": "problem_report",
            "procedure": "KB-0001",
            "category": "out of date",
            "text": "Step 3\r\nnames the old portal",
        }
    )
    assert (event.kind, event.channel, event.procedure) == ("problem_report", "site", "KB-0001")
    assert event.category == "out of date"
    assert event.text == "Step 3\nnames the old portal"


def test_a_search_with_filters_is_read() -> None:
    event = read_event(
        {
            "type": "search",
            "query": "vpn",
            "results": 3,
            "filters": {"service": "Network", "tag": ""},
            "search_id": "abcdef123456",
        }
    )
    assert event.filters == {"service": "Network"} and event.results == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "delete_everything"}, "type must be one of: search, result_opened"),
        ({}, "type must be one of"),
        ({"type": "page_view"}, "a page_view event needs 'procedure'"),
        ({"type": "page_view", "procedure": "KB-1", "time": "2020"}, "unknown field 'time'"),
        ({"type": "solved", "procedure": "KB-1", "solved": "yes"}, "solved must be true or"),
        ({"type": "problem_report", "procedure": "KB-1", "category": "rude"}, "category must"),
        (
            {
                "type": "problem_report",
                "procedure": "KB-1",
                "category": "unclear",
                "text": "x" * 1001,
            },
            "text is too long: at most 1000",
        ),
        ({"type": "search", "query": "a\x1b[2J", "results": 1}, "query holds control"),
        ({"type": "search", "query": "a", "results": -1}, "results must be a whole number"),
        ({"type": "search", "query": "a", "results": True}, "results must be a whole number"),
        ({"type": "result_opened", "procedure": "KB-1", "rank": 0}, "rank must be"),
        (
            {"type": "result_opened", "procedure": "KB-1", "rank": 1, "search_id": "../x"},
            "search_id must be",
        ),
        ({"type": "search", "query": "a", "results": 1, "filters": {"x": "y"}}, "unknown filter"),
        ({"type": "search", "query": "a", "results": 1, "channel": "cli"}, "channel must be"),
    ],
)
def test_bad_events_are_refused_with_a_reason(data: dict[str, Any], message: str) -> None:
    with pytest.raises(EventError) as caught:
        read_event(data)
    assert message in caught.value.message
