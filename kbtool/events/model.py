"""What is recorded: the kinds of events, their fields and limits, and reading one sent by a client.

Five kinds. `search`: a query with its filters, how many results, the correction shown, and
the channel it came through (`site`, `cli`, `api`). `result_opened`: which procedure of a
search's results was opened, at which rank. `page_view`: a procedure's page was shown.
`solved`: the answer to "Did this solve it?" on a procedure's page. `problem_report`: "Report a
problem with this procedure", a category and a short text.

A site's events are tied together by `search_id`, a random token the page makes per search, so
that an opened result can be traced to its search (abandoned searches, reciprocal rank) without
anything that identifies the agent.

`read_event` checks what a client sent strictly: known kinds and fields only, sizes bounded,
no control characters; the procedure must be one the knowledge base has (the caller checks it).
Times are the server's, never the client's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kbtool.core.errors import KbtoolError
from kbtool.core.fileio import utf8_safe
from kbtool.events.redact import redact

SEARCH = "search"
RESULT_OPENED = "result_opened"
PAGE_VIEW = "page_view"
SOLVED = "solved"
PROBLEM_REPORT = "problem_report"
KINDS = (SEARCH, RESULT_OPENED, PAGE_VIEW, SOLVED, PROBLEM_REPORT)

CHANNELS = ("site", "cli", "api")
#: What "Report a problem with this procedure" offers.
CATEGORIES = ("wrong step", "out of date", "unclear", "missing case")
#: The search filters an event may carry.
FILTERS = ("service", "tag", "audience", "status", "owner")

MAX_QUERY_CHARS = 500
MAX_TEXT_CHARS = 1000
MAX_FILTER_CHARS = 200
MAX_ID_CHARS = 200
MAX_RESULTS = 10_000
MAX_RANK = 1000
#: The largest event body a client may send; larger is refused (413) before it is read.
MAX_EVENT_BYTES = 8 * 1024

_SEARCH_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

#: The fields each kind accepts from a client, besides `type`.
_FIELDS: dict[str, frozenset[str]] = {
    SEARCH: frozenset({"query", "filters", "results", "corrected", "search_id", "channel"}),
    RESULT_OPENED: frozenset({"procedure", "rank", "search_id", "query", "channel"}),
    PAGE_VIEW: frozenset({"procedure", "channel"}),
    SOLVED: frozenset({"procedure", "solved", "search_id", "channel"}),
    PROBLEM_REPORT: frozenset({"procedure", "category", "text", "channel"}),
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    SEARCH: ("query", "results"),
    RESULT_OPENED: ("procedure", "rank"),
    PAGE_VIEW: ("procedure",),
    SOLVED: ("procedure", "solved"),
    PROBLEM_REPORT: ("procedure", "category"),
}


class EventError(KbtoolError):
    """An event a client sent that cannot be recorded; the message says which field and why."""


@dataclass(frozen=True)
class Event:
    """One recorded event. Free text is redacted by `redacted()` before it is stored."""

    kind: str
    channel: str
    time: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    query: str | None = None
    filters: Mapping[str, str] = field(default_factory=dict)
    results: int | None = None
    corrected: str | None = None
    search_id: str | None = None
    procedure: str | None = None
    rank: int | None = None
    solved: bool | None = None
    category: str | None = None
    text: str | None = None

    def redacted(self) -> Event:
        """This event without e-mail addresses, phone numbers or long numbers in its text."""

        def clean(value: str | None, limit: int) -> str | None:
            return None if value is None else _clean(value, limit)

        return replace(
            self,
            query=clean(self.query, MAX_QUERY_CHARS),
            corrected=clean(self.corrected, MAX_QUERY_CHARS),
            text=clean(self.text, MAX_TEXT_CHARS),
            filters={k: _clean(str(v), MAX_FILTER_CHARS) for k, v in self.filters.items() if v},
        )


def _clean(text: str, limit: int) -> str:
    # Bytes that were not UTF-8 (surrogate escapes from a terminal) cannot be stored: U+FFFD.
    return redact(_CONTROL.sub(" ", utf8_safe(text[:limit])))


def search_event(
    channel: str,
    query: str,
    results: int,
    *,
    filters: Mapping[str, Any] | None = None,
    corrected: str | None = None,
) -> Event:
    """A search as the CLI or the API records it."""
    return Event(
        SEARCH,
        channel,
        query=query,
        results=results,
        corrected=corrected,
        filters={k: str(v) for k, v in (filters or {}).items() if v and k in FILTERS},
    )


def read_event(data: Mapping[str, Any], *, default_channel: str = "site") -> Event:
    """The event a client sent as a JSON object; an `EventError` naming what is wrong.

    The procedure's id is only checked for shape here: whether the knowledge base has it is
    the caller's to check (it holds the index).
    """
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in KINDS:
        raise EventError(f"type must be one of: {', '.join(KINDS)} (got {_shown(kind)})")
    allowed = _FIELDS[kind]
    unknown = sorted(set(data) - allowed - {"type"})
    if unknown:
        raise EventError(
            f"unknown field {unknown[0]!r} for a {kind} event; known: {', '.join(sorted(allowed))}"
        )
    for name in _REQUIRED[kind]:
        if data.get(name) is None:
            raise EventError(f"a {kind} event needs {name!r}")
    channel = data.get("channel", default_channel)
    if channel not in ("site", "api"):
        raise EventError("channel must be site or api")
    return Event(
        kind,
        str(channel),
        query=_text(data, "query", MAX_QUERY_CHARS),
        corrected=_text(data, "corrected", MAX_QUERY_CHARS),
        text=_text(data, "text", MAX_TEXT_CHARS, lines=True),
        filters=_filters(data.get("filters")),
        results=_number(data, "results", MAX_RESULTS),
        search_id=_search_id(data.get("search_id")),
        procedure=_text(data, "procedure", MAX_ID_CHARS),
        rank=_number(data, "rank", MAX_RANK, low=1),
        solved=_flag(data, "solved"),
        category=_category(data.get("category")),
    )


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(data: Mapping[str, Any], name: str, limit: int, *, lines: bool = False) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise EventError(f"{name} must be a string")
    if len(value) > limit:
        raise EventError(f"{name} is too long: at most {limit} characters")
    text = value.replace("\r\n", "\n").replace("\t", " ") if lines else value
    if any(ord(ch) < 32 and not (lines and ch == "\n") or ord(ch) == 127 for ch in text):
        raise EventError(f"{name} holds control characters")
    return text


def _number(data: Mapping[str, Any], name: str, high: int, *, low: int = 0) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise EventError(f"{name} must be a whole number from {low} to {high}")
    return value


def _flag(data: Mapping[str, Any], name: str) -> bool | None:
    value = data.get(name)
    if value is None or isinstance(value, bool):
        return value
    raise EventError(f"{name} must be true or false")


def _search_id(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _SEARCH_ID.fullmatch(value):
        raise EventError("search_id must be 8 to 64 letters, digits, '-' or '_'")
    return value


def _category(value: Any) -> str | None:
    if value is None:
        return None
    if value not in CATEGORIES:
        raise EventError(f"category must be one of: {', '.join(CATEGORIES)}")
    return str(value)


def _filters(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise EventError("filters must be an object of filter: value")
    filters: dict[str, str] = {}
    for name, item in value.items():
        if name not in FILTERS:
            raise EventError(f"unknown filter {name!r}; known: {', '.join(FILTERS)}")
        if item is None or item == "":
            continue
        if not isinstance(item, str) or len(item) > MAX_FILTER_CHARS or _CONTROL.search(item):
            raise EventError(f"filters.{name} must be a short string")
        filters[name] = item
    return filters
