"""`kbtool report`: knowledge-base health figures for the monthly review.

Counts by status and service, the share of published procedures overdue for review, backup
coverage, procedures and review debt per owner, the oldest reviews, and the searches that
found nothing, and how the knowledge base is used (`usage_report`, from the events store).
Review state and ownership come from `kbtool.model.review`, as everywhere else.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kbtool.core.display import display_width, pad
from kbtool.model.knowledge_base import KnowledgeBase
from kbtool.model.review import ReviewStatus, ownership, review_state
from kbtool.workflow.usage_report import UsageFigures, build_usage, usage_data, usage_lines


@dataclass
class OwnerFigures:
    handle: str
    name: str
    procedures: int = 0
    overdue: int = 0
    never_reviewed: int = 0
    debt_days: int = 0  # the sum of days overdue
    overdue_days: list[int] = field(default_factory=list)  # of each overdue procedure
    orphaned: int = 0  # of theirs, because they are away or have left
    acting_for: int = 0  # orphaned procedures of others they act for as backup

    @property
    def median_overdue(self) -> int:
        return _median(self.overdue_days)


@dataclass(frozen=True)
class MissedQuery:
    query: str
    count: int
    last: str  # the time of the latest miss, as logged
    filters: dict[str, str] = field(default_factory=dict)


@dataclass
class HealthReport:
    today: dt.date
    total: int
    by_status: dict[str, int]
    by_service: dict[str, int]
    published: int
    overdue: int
    never_reviewed: int
    due_soon: int
    debt_days: int  # the sum of days overdue over every overdue procedure
    with_backup: int
    owners: list[OwnerFigures]
    oldest: list[tuple[str, str, str, dt.date, int]]  # (id, title, owner, reviewed, days ago)
    unreadable: int
    misses_logged: bool
    misses_total: int = 0
    misses_since: dt.date | None = None
    top_misses: list[MissedQuery] = field(default_factory=list)
    overdue_days: list[int] = field(default_factory=list)  # of each overdue procedure

    @property
    def median_overdue(self) -> int:
        """How overdue the typical overdue procedure is: the sum (`debt_days`) grows with
        their number, the median does not."""
        return _median(self.overdue_days)

    @property
    def longest_overdue(self) -> int:
        return max(self.overdue_days, default=0)

    usage: UsageFigures | None = None

    @property
    def overdue_share(self) -> float:
        return self.overdue / self.published if self.published else 0.0

    @property
    def backup_coverage(self) -> float:
        return self.with_backup / self.published if self.published else 1.0


def _median(values: list[int]) -> int:
    return round(statistics.median(values)) if values else 0


def build_report(
    kb: KnowledgeBase,
    today: dt.date,
    *,
    oldest: int = 10,
    top_misses: int = 10,
    misses_since: dt.date | None = None,
    unused_days: int = 90,
) -> HealthReport:
    """The figures for `kb` as of `today`."""
    config, roster = kb.config, kb.roster
    by_status: Counter[str] = Counter()
    by_service: Counter[str] = Counter()
    owners: dict[str, OwnerFigures] = {}
    published = overdue = never = due_soon = debt = with_backup = unreadable = 0
    reviewed: list[tuple[str, str, str, dt.date, int]] = []
    overdue_days: list[int] = []

    def figures(handle: str) -> OwnerFigures:
        if handle not in owners:
            person = roster.person(handle) if roster is not None else None
            owners[handle] = OwnerFigures(handle, person.name if person else handle)
        return owners[handle]

    for procedure in kb.procedures:
        if not procedure.raw:
            unreadable += 1
            continue
        by_status[procedure.status] += 1
        if procedure.status == "retired":
            continue
        by_service[procedure.service or "(none)"] += 1
        state = review_state(procedure, config, today)
        who = ownership(procedure, roster, today)
        mine = figures(procedure.owner or "(none)")
        mine.procedures += 1
        if who.orphaned:
            mine.orphaned += 1
            if who.acting_owner:
                figures(who.acting_owner).acting_for += 1
        if procedure.status != "published":
            continue
        published += 1
        if state.status is ReviewStatus.OVERDUE:
            overdue += 1
            debt += state.days_overdue
            overdue_days.append(state.days_overdue)
            mine.overdue += 1
            mine.debt_days += state.days_overdue
            mine.overdue_days.append(state.days_overdue)
        elif state.status is ReviewStatus.NEVER_REVIEWED:
            never += 1
            mine.never_reviewed += 1
        elif state.status is ReviewStatus.DUE_SOON:
            due_soon += 1
        backup = roster.person(who.backup) if roster is not None else None
        backup_active = roster is None or (backup is not None and backup.active)
        if who.backup and who.backup != who.owner and backup_active:
            with_backup += 1
        if state.reviewed is not None:
            reviewed.append(
                (
                    procedure.id or procedure.rel_path,
                    procedure.title,
                    procedure.owner or "",
                    state.reviewed,
                    (today - state.reviewed).days,
                )
            )

    reviewed.sort(key=lambda row: (row[3], row[0]))
    usage = build_usage(kb, today, since=misses_since, top=top_misses, unused_days=unused_days)
    top = [MissedQuery(g.query, g.count, g.last, g.filters) for g in usage.gaps]
    return HealthReport(
        today=today,
        total=sum(by_status.values()),
        by_status={s: by_status[s] for s in ("published", "draft", "retired")},
        by_service=dict(sorted(by_service.items())),
        published=published,
        overdue=overdue,
        never_reviewed=never,
        due_soon=due_soon,
        debt_days=debt,
        with_backup=with_backup,
        owners=sorted(owners.values(), key=lambda o: (-o.debt_days, -o.procedures, o.handle)),
        oldest=reviewed[:oldest],
        unreadable=unreadable,
        misses_logged=usage.first_event is not None,
        misses_total=usage.zero_results,
        misses_since=misses_since,
        top_misses=top,
        overdue_days=overdue_days,
        usage=usage,
    )


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


# --- renderers ------------------------------------------------------------------------------


def report_data(report: HealthReport) -> dict[str, Any]:
    """The JSON document (stable keys; shares as fractions between 0 and 1)."""
    return {
        "today": report.today.isoformat(),
        "procedures": {
            "total": report.total,
            "unreadable": report.unreadable,
            "by_status": report.by_status,
            "by_service": report.by_service,
        },
        "review": {
            "published": report.published,
            "overdue": report.overdue,
            "overdue_share": round(report.overdue_share, 4),
            "never_reviewed": report.never_reviewed,
            "due_soon": report.due_soon,
            "debt_days": report.debt_days,
            "median_days_overdue": report.median_overdue,
            "longest_days_overdue": report.longest_overdue,
        },
        "backup_coverage": {
            "published": report.published,
            "with_backup": report.with_backup,
            "share": round(report.backup_coverage, 4),
        },
        "owners": [
            {
                "owner": o.handle,
                "name": o.name,
                "procedures": o.procedures,
                "overdue": o.overdue,
                "never_reviewed": o.never_reviewed,
                "debt_days": o.debt_days,
                "median_days_overdue": o.median_overdue,
                "orphaned": o.orphaned,
                "acting_for": o.acting_for,
            }
            for o in report.owners
        ],
        "oldest_reviews": [
            {"id": i, "title": t, "owner": o, "reviewed": r.isoformat(), "days_ago": d}
            for i, t, o, r, d in report.oldest
        ],
        "search_misses": {
            "logged": report.misses_logged,
            "since": report.misses_since.isoformat() if report.misses_since else None,
            "total": report.misses_total,
            "top": [
                {"query": m.query, "filters": m.filters, "count": m.count, "last": m.last}
                for m in report.top_misses
            ],
        },
        "usage": usage_data(report.usage) if report.usage is not None else None,
    }


def render_json(report: HealthReport) -> str:
    return json.dumps(report_data(report), indent=2, ensure_ascii=False) + "\n"


def _table(headers: list[str], rows: list[list[str]], markdown: bool) -> list[str]:
    if markdown:
        out = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
        out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
        return out
    widths = [
        max([display_width(h), *(display_width(r[i]) for r in rows)]) for i, h in enumerate(headers)
    ]
    out = ["  " + "  ".join(pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    out += [
        "  " + "  ".join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return out


def _md(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
    escaped = escaped.replace(">", "&gt;").replace("`", "\\`").replace("*", "\\*")
    escaped = escaped.replace("_", "\\_").replace("[", "\\[").replace("]", "\\]")
    return " ".join(escaped.split())


def _render(report: HealthReport, markdown: bool) -> str:
    def heading(text: str) -> str:
        return f"### {text}" if markdown else f"{text}\n{'-' * len(text)}"

    title = f"Knowledge base health, {report.today.isoformat()}"
    lines = [f"## {title}" if markdown else f"{title}\n{'=' * len(title)}", ""]
    status = ", ".join(f"{n} {s}" for s, n in report.by_status.items())
    lines.append(f"{report.total} procedures: {status}.")
    if report.unreadable:
        lines.append(f"{report.unreadable} files could not be read (see `kbtool lint`).")
    lines += [
        "",
        f"- Overdue for review: {report.overdue:,} of {report.published:,} published "
        f"({_percent(report.overdue_share)}){_debt(report)}",
        f"- Never reviewed: {report.never_reviewed}; due within the warning window: "
        f"{report.due_soon}",
        f"- Backup coverage: {report.with_backup} of {report.published} published have an "
        f"active backup ({_percent(report.backup_coverage)})",
        "",
        heading("By service"),
        "",
    ]
    lines += _table(
        ["service", "procedures"], [[s, str(n)] for s, n in report.by_service.items()], markdown
    )
    lines += ["", heading("Per owner"), ""]
    rows = [
        [
            o.handle,
            o.name,
            str(o.procedures),
            str(o.overdue),
            str(o.never_reviewed),
            str(o.debt_days),
            str(o.median_overdue),
            str(o.orphaned),
            str(o.acting_for),
        ]
        for o in report.owners
    ]
    if rows:
        lines += _table(
            [
                "owner",
                "name",
                "procedures",
                "overdue",
                "never reviewed",
                "debt days",
                "median overdue",
                "orphaned",
                "acting for",
            ],
            rows,
            markdown,
        )
    else:
        lines.append("No procedures.")
    lines += ["", heading("Oldest reviews"), ""]
    if report.oldest:
        lines += _table(
            ["id", "title", "owner", "reviewed", "days ago"],
            [[i, t, o, r.isoformat(), str(d)] for i, t, o, r, d in report.oldest],
            markdown,
        )
    else:
        lines.append("No reviewed procedures.")
    if report.usage is not None:
        lines += usage_lines(report.usage, markdown, heading, _table)
    return "\n".join(lines) + "\n"


def _debt(report: HealthReport) -> str:
    """The review debt said as what it is: a sum over the overdue procedures, with the
    median and the longest, so that 2,448 procedures' debt is not read as one backlog."""
    if not report.overdue:
        return ""
    many = report.overdue != 1
    return (
        f"; the median is {report.median_overdue:,} days overdue, the longest "
        f"{report.longest_overdue:,}; review debt {report.debt_days:,} days in all (the sum "
        f"over the {report.overdue:,} overdue procedure{'s' if many else ''})"
    )


def render_text(report: HealthReport) -> str:
    return _render(report, markdown=False)


def render_markdown(report: HealthReport) -> str:
    return _render(report, markdown=True)


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
