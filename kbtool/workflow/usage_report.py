"""The usage figures of `kbtool report`, from the events store: how the knowledge base is used.

Searches per day and channel; the searches that found nothing, with their filters (the
knowledge-gap list); abandoned searches (the site's searches with results of which none was
opened); the mean reciprocal rank of the first result opened, an online measure of search
quality; the most-viewed procedures; published procedures nobody opened for `unused_days`;
the "Did this solve it?" rate per procedure and per service; and the open problem reports per
acting owner (`kbtool feedback` lists them).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kbtool.events import Event, EventStore
from kbtool.events.model import PAGE_VIEW, PROBLEM_REPORT, RESULT_OPENED
from kbtool.model.knowledge_base import KnowledgeBase
from kbtool.model.review import ownership
from kbtool.workflow.event_source import day_start, reading
from kbtool.workflow.feedback_report import UNKNOWN_OWNER, ProcedureLookup, feedback_items

#: Days listed in the text report's searches-per-day table (JSON has every day).
DAYS_SHOWN = 14
TOP = 10


@dataclass(frozen=True)
class GapQuery:
    query: str
    filters: dict[str, str]
    count: int
    last: str  # ISO time of the latest


@dataclass(frozen=True)
class Rate:
    key: str  # a procedure id or a service
    title: str
    yes: int
    no: int

    @property
    def rate(self) -> float:
        return self.yes / (self.yes + self.no) if self.yes + self.no else 0.0


@dataclass
class UsageFigures:
    today: dt.date
    since: dt.date | None
    problem: str | None
    first_event: dt.date | None
    searches: int = 0
    by_day: dict[str, dict[str, int]] = field(default_factory=dict)
    zero_results: int = 0
    gaps: list[GapQuery] = field(default_factory=list)
    site_searches: int = 0  # with results, from the site (where opening is seen)
    abandoned: int = 0
    opened_searches: int = 0
    mrr: float | None = None
    most_viewed: list[tuple[str, str, int]] = field(default_factory=list)
    unused_days: int = 90
    unused: list[tuple[str, str, str]] = field(default_factory=list)  # (id, title, owner)
    solved_by_procedure: list[Rate] = field(default_factory=list)
    solved_by_service: list[Rate] = field(default_factory=list)
    open_reports: list[tuple[str, str, int]] = field(default_factory=list)  # (owner, name, n)

    @property
    def abandoned_share(self) -> float:
        return self.abandoned / self.site_searches if self.site_searches else 0.0


def _query_key(query: str | None) -> str:
    return " ".join((query or "").lower().split())


@dataclass
class _Raw:
    """What the store counted for one report."""

    per_day: list[tuple[str, str, int, int]]
    gaps: list[Event]
    quality: tuple[int, int, float]
    views: dict[str, int]
    seen: set[str]
    solved: list[tuple[str, bool, int]]
    feedback: list[Event]
    first: dt.datetime | None


def _read(store: EventStore, since: dt.datetime | None, unused_start: dt.datetime | None) -> _Raw:
    return _Raw(
        per_day=store.searches_per_day(since),
        gaps=store.zero_result_searches(since),
        quality=store.search_quality(since),
        views=store.counts_by_procedure([PAGE_VIEW], since),
        seen=set(store.counts_by_procedure([PAGE_VIEW, RESULT_OPENED], unused_start)),
        solved=store.solved_counts(since),
        feedback=store.feedback(since),
        first=store.first_time(),
    )


def build_usage(
    kb: KnowledgeBase,
    today: dt.date,
    *,
    since: dt.date | None = None,
    top: int = TOP,
    unused_days: int = 90,
) -> UsageFigures:
    unused_start = today - dt.timedelta(days=unused_days)
    start = day_start(since)
    raw, problem = reading(kb.config, lambda store: _read(store, start, day_start(unused_start)))
    if problem is None and not kb.config.events.enabled:
        problem = "events are not recorded ([events] enabled = false)"
    figures = UsageFigures(
        today=today,
        since=since,
        problem=problem,
        first_event=raw.first.date() if raw is not None and raw.first else None,
        unused_days=unused_days,
    )
    if raw is None:
        return figures
    by_day: dict[str, dict[str, int]] = defaultdict(dict)
    for day, channel, count, zero in raw.per_day:
        by_day[day][channel] = count
        figures.searches += count
        figures.zero_results += zero
    figures.by_day = dict(sorted(by_day.items()))
    gaps: dict[tuple[str, tuple[tuple[str, str], ...]], list[str]] = defaultdict(list)
    for event in raw.gaps:
        key = (_query_key(event.query), tuple(sorted(event.filters.items())))
        if key[0]:
            gaps[key].append(event.time.isoformat(timespec="seconds"))
    figures.gaps = sorted(
        (GapQuery(q, dict(f), len(times), max(times)) for (q, f), times in gaps.items()),
        key=lambda g: (-g.count, g.query),
    )[:top]
    searches, opened, reciprocal = raw.quality
    figures.site_searches = searches
    figures.opened_searches = opened
    figures.abandoned = searches - opened
    figures.mrr = reciprocal / opened if opened else None

    lookup = ProcedureLookup(kb)

    def title_of(ident: str) -> str:
        procedure = lookup(ident)
        return procedure.title if procedure else "(unknown procedure)"

    most = sorted(raw.views.items(), key=lambda item: (-item[1], item[0]))[:top]
    figures.most_viewed = [(i, title_of(i), n) for i, n in most]
    figures.unused = sorted(
        (p.id or p.rel_path, p.title, p.owner or "")
        for p in kb.procedures
        if p.raw and p.status == "published" and (p.id or p.rel_path) not in raw.seen
    )
    _solved_rates(lookup, figures, raw.solved)
    _open_reports(lookup, today, figures, raw.feedback)
    return figures


def _solved_rates(
    lookup: ProcedureLookup, figures: UsageFigures, counts: list[tuple[str, bool, int]]
) -> None:
    per_procedure: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_service: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    titles: dict[str, str] = {}
    for ident, answer, count in counts:
        procedure = lookup(ident)
        titles[ident] = procedure.title if procedure else "(unknown procedure)"
        slot = 0 if answer else 1
        per_procedure[ident][slot] += count
        per_service[(procedure.service if procedure else None) or "(none)"][slot] += count
    figures.solved_by_procedure = sorted(
        (Rate(k, titles[k], y, n) for k, (y, n) in per_procedure.items()),
        key=lambda r: (r.rate, -(r.yes + r.no), r.key),
    )
    figures.solved_by_service = sorted(
        (Rate(k, k, y, n) for k, (y, n) in per_service.items()), key=lambda r: r.key
    )


def _open_reports(
    lookup: ProcedureLookup, today: dt.date, figures: UsageFigures, events: list[Any]
) -> None:
    kb = lookup.kb
    counts: Counter[str] = Counter()
    who_cache: dict[str, str] = {}
    for procedure, item in feedback_items(lookup, events, today):
        if item.kind != PROBLEM_REPORT or item.handled:
            continue
        key = procedure.rel_path if procedure else ""
        if key not in who_cache:
            who = ownership(procedure, kb.roster, today) if procedure else None
            who_cache[key] = (who.acting_owner if who else None) or UNKNOWN_OWNER
        counts[who_cache[key]] += 1

    def name(handle: str) -> str:
        person = kb.roster.person(handle) if kb.roster is not None else None
        return person.name if person else handle

    figures.open_reports = [(h, name(h), n) for h, n in sorted(counts.items(), key=_by_count)]


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


# --- rendering ------------------------------------------------------------------------------


def usage_data(figures: UsageFigures) -> dict[str, Any]:
    return {
        "since": figures.since.isoformat() if figures.since else None,
        "problem": figures.problem,
        "first_event": figures.first_event.isoformat() if figures.first_event else None,
        "searches": {
            "total": figures.searches,
            "by_day": figures.by_day,
            "zero_results": figures.zero_results,
        },
        "knowledge_gaps": [
            {"query": g.query, "filters": g.filters, "count": g.count, "last": g.last}
            for g in figures.gaps
        ],
        "abandoned_searches": {
            "site_searches_with_results": figures.site_searches,
            "abandoned": figures.abandoned,
            "share": round(figures.abandoned_share, 4),
        },
        "opened_results": {
            "searches": figures.opened_searches,
            "mean_reciprocal_rank": round(figures.mrr, 4) if figures.mrr is not None else None,
        },
        "most_viewed": [{"id": i, "title": t, "views": n} for i, t, n in figures.most_viewed],
        "unused": {
            "days": figures.unused_days,
            "procedures": [{"id": i, "title": t, "owner": o} for i, t, o in figures.unused],
        },
        "solved": {
            "by_procedure": [_rate(r, "id") for r in figures.solved_by_procedure],
            "by_service": [_rate(r, "service") for r in figures.solved_by_service],
        },
        "open_problem_reports": [
            {"owner": h, "name": n, "open": c} for h, n, c in figures.open_reports
        ],
    }


def _rate(rate: Rate, key: str) -> dict[str, Any]:
    data: dict[str, Any] = {key: rate.key}
    if key == "id":
        data["title"] = rate.title
    return {**data, "yes": rate.yes, "no": rate.no, "rate": round(rate.rate, 4)}


Table = Callable[[list[str], list[list[str]], bool], list[str]]


def usage_lines(
    figures: UsageFigures, markdown: bool, heading: Callable[[str], str], table: Table
) -> list[str]:
    """The report's usage sections, in text or Markdown."""
    lines: list[str] = []
    if figures.problem:
        lines += ["", f"Note: {figures.problem}"]
    since = f" since {figures.since}" if figures.since else ""
    lines += ["", heading("Searches per day and channel"), ""]
    if figures.by_day:
        channels = ("site", "api", "cli")
        days = list(figures.by_day.items())
        shown = days if markdown else days[-DAYS_SHOWN:]
        rows = [[d, *(str(c.get(ch, 0)) for ch in channels)] for d, c in shown]
        lines.append(f"{figures.searches} searches{since}, {figures.zero_results} found nothing.")
        lines.append("")
        lines += table(["day", *channels], rows, markdown)
    else:
        lines.append("No searches recorded" + (since + "." if since else " yet."))
    lines += ["", heading("Searches that found nothing"), ""]
    if figures.gaps:
        lines.append("The knowledge-gap list, most frequent first:")
        lines.append("")
        rows = [[g.query, _filters(g.filters), str(g.count), g.last[:10]] for g in figures.gaps]
        lines += table(["query", "filters", "times", "last"], rows, markdown)
    else:
        lines.append("None recorded" + (f"{since}." if since else "."))
    lines += ["", heading("Search quality on the site"), ""]
    share = f"{figures.abandoned_share * 100:.0f}%"
    lines.append(
        f"- Abandoned searches (results, none opened): {figures.abandoned} of"
        f" {figures.site_searches} ({share})"
    )
    mrr = f"{figures.mrr:.2f}" if figures.mrr is not None else "no result opened yet"
    lines.append(f"- Mean reciprocal rank of the first result opened: {mrr}")
    lines += ["", heading("Most viewed procedures"), ""]
    if figures.most_viewed:
        lines += table(
            ["id", "title", "views"], [[i, t, str(n)] for i, t, n in figures.most_viewed], markdown
        )
    else:
        lines.append("No page views recorded.")
    lines += ["", heading(f"Published procedures nobody opened in {figures.unused_days} days"), ""]
    if figures.first_event is None or (
        figures.first_event > figures.today - dt.timedelta(days=figures.unused_days)
    ):
        began = figures.first_event.isoformat() if figures.first_event else "not yet"
        lines.append(f"(events began {began}: fewer than {figures.unused_days} days recorded)")
        lines.append("")
    if figures.unused:
        lines += table(["id", "title", "owner"], [list(u) for u in figures.unused], markdown)
    else:
        lines.append("None: every published procedure was opened.")
    lines += ["", heading('"Did this solve it?"'), ""]
    if figures.solved_by_service:
        lines += table(
            ["service", "yes", "no", "solved"],
            [_rate_row(r) for r in figures.solved_by_service],
            markdown,
        )
        lines.append("")
        lines += table(
            ["id", "title", "yes", "no", "solved"],
            [[r.key, r.title, *_rate_row(r)[1:]] for r in figures.solved_by_procedure[:TOP]],
            markdown,
        )
    else:
        lines.append("No answers recorded.")
    lines += ["", heading("Open problem reports per acting owner"), ""]
    if figures.open_reports:
        lines += table(
            ["owner", "name", "open"],
            [[h, n, str(c)] for h, n, c in figures.open_reports],
            markdown,
        )
        lines += ["", "`kbtool feedback` lists them."]
    else:
        lines.append("None open.")
    return lines


def _rate_row(rate: Rate) -> list[str]:
    return [rate.key, str(rate.yes), str(rate.no), f"{rate.rate * 100:.0f}%"]


def _filters(filters: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(filters.items())) or "-"
