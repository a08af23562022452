"""`kbtool stale`: the freshness and ownership report, grouped by acting owner.

Review state and acting owner come from `kbtool.model.review` (the same functions the linter uses),
so the report, `kbtool lint`, search results and the site always agree. Overdue and due-soon
apply to published procedures, as in the linter; drafts are listed when they are older than a
threshold (their age counts from the `reviewed` date `kbtool new` writes, else from when the
file was first committed, else from its last change on disk); retired procedures are left out.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kbtool.core.display import display_width, pad
from kbtool.model.knowledge_base import KnowledgeBase
from kbtool.model.procedure import Procedure
from kbtool.model.review import Ownership, ReviewState, ReviewStatus, ownership, review_state
from kbtool.model.roster import Roster
from kbtool.workflow.vcs import first_committed

#: Categories in the order they are shown; a procedure may be in several.
OVERDUE, NEVER_REVIEWED, DUE_SOON, ORPHANED, UNOWNED, OLD_DRAFT = (
    "overdue",
    "never-reviewed",
    "due-soon",
    "orphaned",
    "unowned",
    "old-draft",
)
CATEGORIES = (UNOWNED, OVERDUE, NEVER_REVIEWED, ORPHANED, DUE_SOON, OLD_DRAFT)
_LABELS = {
    OVERDUE: "overdue",
    NEVER_REVIEWED: "never reviewed",
    DUE_SOON: "due soon",
    ORPHANED: "orphaned",
    UNOWNED: "unowned",
    OLD_DRAFT: "old draft",
}
NOBODY = ""  # the group key of procedures nobody can act for

#: The lint rules whose findings say the same as each category: a category whose finding is in
#: the baseline (`kbtool stale --baseline`) is accepted, not reported. Old drafts have none.
CATEGORY_CODES: dict[str, frozenset[str]] = {
    OVERDUE: frozenset({"FR001"}),
    NEVER_REVIEWED: frozenset({"FR004"}),
    DUE_SOON: frozenset({"FR002"}),
    ORPHANED: frozenset({"OW002", "OW003", "OW004"}),
    UNOWNED: frozenset({"OW001", "OW002", "OW003", "OW004", "OW008"}),
    OLD_DRAFT: frozenset(),
}


@dataclass(frozen=True)
class StaleItem:
    """One procedure that needs attention, and why."""

    procedure: Procedure
    repo_path: str  # relative to the knowledge base's root, forward slashes
    review: ReviewState
    owner: Ownership
    categories: tuple[str, ...]
    draft_age_days: int | None = None

    @property
    def id(self) -> str:
        return self.procedure.id or self.procedure.rel_path


@dataclass(frozen=True)
class OwnerGroup:
    """The procedures one person answers for today (the acting owner)."""

    handle: str  # NOBODY for unowned procedures
    name: str
    github: str | None
    items: list[StaleItem] = field(default_factory=list)


@dataclass(frozen=True)
class FreshnessReport:
    today: dt.date
    within_days: int
    drafts_older_than_days: int
    procedures_checked: int
    groups: list[OwnerGroup]
    roster: Roster | None
    #: Files whose front matter could not be read: (path from the root, line, problem).
    unreadable: list[tuple[str, int, str]] = field(default_factory=list)
    #: Procedures left out because everything wrong with them is in the baseline.
    baselined: int = 0

    @property
    def items(self) -> list[StaleItem]:
        return [item for group in self.groups for item in group.items]

    def count(self, category: str) -> int:
        return sum(category in item.categories for item in self.items)

    @property
    def failing(self) -> bool:
        """What `--fail` fails on: overdue (or published and never reviewed) or unowned."""
        return any({OVERDUE, NEVER_REVIEWED, UNOWNED} & set(item.categories) for item in self.items)


def draft_started(procedure: Procedure) -> dt.date | None:
    """When a draft was started: its `reviewed` date, else the day its file was first
    committed, else the day it was last changed on disk."""
    if procedure.reviewed is not None:
        return procedure.reviewed
    committed = first_committed(procedure.path)
    if committed is not None:
        return committed
    if procedure.mtime_ns:
        return dt.datetime.fromtimestamp(procedure.mtime_ns / 1e9).date()
    return None


def build_report(
    kb: KnowledgeBase,
    today: dt.date,
    *,
    within_days: int,
    drafts_older_than_days: int,
    baselined: Mapping[str, Collection[str]] | None = None,
) -> FreshnessReport:
    """Classify every procedure of `kb` as of `today` and group the ones needing attention.

    `baselined` (path from the root -> rule codes, `Baseline.codes_by_path()`): categories
    whose lint finding is in the baseline are accepted and left out (`CATEGORY_CODES`).
    """
    config = kb.config
    # "Due soon" uses the report's own window, everything else exactly the linter's logic.
    window_config = replace(config, due_soon_days=within_days)
    groups: dict[str, OwnerGroup] = {}
    checked = 0
    unreadable: list[tuple[str, int, str]] = []
    accepted = 0
    for procedure in kb.procedures:
        if not procedure.raw:
            # Without front matter nothing is known about its owner or review; `kbtool lint`
            # reports why. Listed so that nobody mistakes silence for health.
            issue = procedure.issues[0] if procedure.issues else None
            message = issue.message if issue else "no front matter"
            unreadable.append((_repo_path(procedure, kb), issue.line if issue else 1, message))
            continue
        if procedure.status == "retired":
            continue
        checked += 1
        state = review_state(procedure, window_config, today)
        owner = ownership(procedure, kb.roster, today)
        categories: list[str] = []
        draft_age: int | None = None
        if procedure.status == "published":
            if state.status is ReviewStatus.OVERDUE:
                categories.append(OVERDUE)
            elif state.status is ReviewStatus.NEVER_REVIEWED:
                categories.append(NEVER_REVIEWED)
            elif state.status is ReviewStatus.DUE_SOON:
                categories.append(DUE_SOON)
        elif procedure.status == "draft":
            started = draft_started(procedure)
            draft_age = (today - started).days if started is not None else None
            if draft_age is not None and draft_age > drafts_older_than_days:
                categories.append(OLD_DRAFT)
        if owner.unowned:
            categories.append(UNOWNED)
        elif owner.orphaned:
            categories.append(ORPHANED)
        if not categories:
            continue
        repo_path = _repo_path(procedure, kb)
        if baselined is not None and repo_path in baselined:
            known = baselined[repo_path]
            categories = [c for c in categories if not CATEGORY_CODES[c] & set(known)]
            if not categories:
                accepted += 1
                continue
        item = StaleItem(
            procedure=procedure,
            repo_path=repo_path,
            review=state,
            owner=owner,
            categories=tuple(c for c in CATEGORIES if c in categories),
            draft_age_days=draft_age,
        )
        handle = owner.acting_owner or NOBODY
        if handle not in groups:
            person = kb.roster.person(handle) if kb.roster is not None else None
            groups[handle] = OwnerGroup(
                handle=handle,
                name=person.name if person is not None else (handle or "nobody"),
                github=person.github if person is not None else None,
            )
        groups[handle].items.append(item)
    for group in groups.values():
        group.items.sort(key=_urgency)
    ordered = sorted(groups.values(), key=lambda g: (g.handle != NOBODY, g.handle))
    return FreshnessReport(
        today=today,
        within_days=within_days,
        drafts_older_than_days=drafts_older_than_days,
        procedures_checked=checked,
        groups=ordered,
        roster=kb.roster,
        unreadable=unreadable,
        baselined=accepted,
    )


def _urgency(item: StaleItem) -> tuple[int, int, str]:
    first = CATEGORIES.index(item.categories[0])
    days = item.review.days_left if item.review.days_left is not None else 0
    return (first, days, item.id)


def _repo_path(procedure: Procedure, kb: KnowledgeBase) -> str:
    try:
        return os.path.relpath(procedure.path, kb.config.root).replace(os.sep, "/")
    except ValueError:
        return procedure.rel_path


def github_of(roster: Roster | None, handle: str | None) -> str | None:
    person = roster.person(handle) if roster is not None else None
    return person.github if person is not None else None


def describe(item: StaleItem) -> str:
    """One line saying what is wrong, e.g. `12 days overdue (due 2026-10-20)`."""
    parts: list[str] = []
    state = item.review
    for category in item.categories:
        if category == OVERDUE:
            assert state.due is not None
            parts.append(f"{state.days_overdue} days overdue (due {state.due.isoformat()})")
        elif category == DUE_SOON:
            assert state.due is not None
            parts.append(f"due in {state.days_left} days ({state.due.isoformat()})")
        elif category == NEVER_REVIEWED:
            parts.append("published but never reviewed")
        elif category == OLD_DRAFT:
            parts.append(f"draft for {item.draft_age_days} days")
        elif category == ORPHANED:
            parts.append(
                f"orphaned: owner {item.owner.owner} is {item.owner.orphan_reason}; "
                f"{item.owner.acting_owner} (backup) acts"
            )
        elif category == UNOWNED:
            if item.owner.owner is None:
                parts.append("unowned: no owner")
            elif item.owner.orphaned:
                parts.append(
                    f"unowned: owner {item.owner.owner} is {item.owner.orphan_reason} and no "
                    "backup can act"
                )
            else:
                parts.append("unowned")
    return "; ".join(parts)


def summary_counts(report: FreshnessReport) -> dict[str, int]:
    return {
        "procedures": report.procedures_checked,
        "overdue": report.count(OVERDUE),
        "never_reviewed": report.count(NEVER_REVIEWED),
        "due_soon": report.count(DUE_SOON),
        "orphaned": report.count(ORPHANED),
        "unowned": report.count(UNOWNED),
        "old_drafts": report.count(OLD_DRAFT),
        "baselined": report.baselined,
    }


def _summary_line(report: FreshnessReport) -> str:
    counts = summary_counts(report)
    drafts = counts["old_drafts"]
    return (
        f"{counts['overdue']} overdue, {counts['never_reviewed']} never reviewed, "
        f"{counts['due_soon']} due soon, {counts['orphaned']} orphaned, "
        f"{counts['unowned']} unowned, {drafts} old draft{'' if drafts == 1 else 's'} "
        f"(of {counts['procedures']} procedures"
        + (f"; {report.baselined:,} more in the baseline, not listed)" if report.baselined else ")")
    )


# --- renderers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    """How many procedures of one acting owner (or one service) are in each category."""

    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return self.counts["total"]


def count_rows(report: FreshnessReport, by: str) -> list[CountRow]:
    """Counts per acting owner (`by="owner"`) or per service, most procedures first."""
    rows: dict[str, dict[str, int]] = {}
    for group in report.groups:
        for item in group.items:
            if by == "owner":
                label = "nobody (unowned)" if group.handle == NOBODY else group.handle
            else:
                label = item.procedure.service or "no service"
            row = rows.setdefault(label, {c: 0 for c in (*CATEGORIES, "total")})
            row["total"] += 1
            for category in item.categories:
                row[category] += 1
    ordered = sorted(rows.items(), key=lambda pair: (-pair[1]["total"], pair[0]))
    return [CountRow(label, counts) for label, counts in ordered]


def most_urgent(report: FreshnessReport, limit: int | None) -> list[StaleItem]:
    """The items across every owner, most urgent first; the first `limit` of them."""
    items = sorted(report.items, key=_urgency)
    return items if limit is None else items[:limit]


_COUNT_HEADINGS = ("overdue", "never rev.", "due soon", "orphaned", "unowned", "old drafts")
_COUNT_ORDER = (OVERDUE, NEVER_REVIEWED, DUE_SOON, ORPHANED, UNOWNED, OLD_DRAFT)


def _text_count_table(title: str, rows: list[CountRow]) -> list[str]:
    # by display columns: an owner's or a service's name may be written in any script
    width = max([display_width(title), *(display_width(row.label) for row in rows)])
    head = "  ".join(f"{h:>10}" for h in (*_COUNT_HEADINGS, "total"))
    lines = [f"{pad(title, width)}  {head}"]
    for row in rows:
        cells = "  ".join(f"{row.counts[c]:>10,}" for c in (*_COUNT_ORDER, "total"))
        lines.append(f"{pad(row.label, width)}  {cells}")
    return [*lines, ""]


def _first_of_groups(
    report: FreshnessReport, limit: int | None
) -> Iterator[tuple[OwnerGroup, list[StaleItem]]]:
    """Each group with its items, group after group, until `limit` items (None: all)."""
    left = limit
    for group in report.groups:
        if left is not None and left <= 0:
            return
        items = group.items if left is None else group.items[:left]
        if left is not None:
            left -= len(items)
        yield group, items


def _named(items: list[StaleItem]) -> list[tuple[StaleItem, str]]:
    """Each item's id (aligned) and path; the path alone when none has an id (not twice)."""
    width = max((len(item.procedure.id or "") for item in items), default=0)
    if not width:
        return [(item, item.repo_path) for item in items]
    return [(item, f"{item.procedure.id or '':<{width}}  {item.repo_path}") for item in items]


def render_text(report: FreshnessReport, *, limit: int | None = None, summary: bool = False) -> str:
    """The report for a terminal: by acting owner; `limit` lists only the first N
    procedures; `summary` gives counts per owner and per service, then the N most urgent."""
    lines = [
        f"Freshness as of {report.today.isoformat()} (due soon: within {report.within_days} "
        f"days; drafts older than {report.drafts_older_than_days} days)",
        "",
    ]
    if not report.groups:
        lines.append("Nothing is overdue, due soon, orphaned or unowned.")
    if summary and report.groups:
        lines += _text_count_table("By acting owner", count_rows(report, "owner"))
        lines += _text_count_table("By service", count_rows(report, "service"))
        shown = most_urgent(report, limit)
        if shown:
            lines.append(f"Most urgent {len(shown):,} of {len(report.items):,}")
            for item, named in _named(shown):
                who = item.owner.acting_owner or "nobody"
                lines.append(f"  {named}  {describe(item)}  [acting: {who}]")
            lines.append("")
    else:
        for group, items in _first_of_groups(report, limit):
            if group.handle == NOBODY:
                lines.append("Nobody can act (unowned)")
            else:
                lines.append(f"{group.handle} ({group.name})")
            for item, named in _named(items):
                backup = item.owner.backup or "none"
                lines.append(f"  {named}  {describe(item)}  [backup: {backup}]")
            lines.append("")
        hidden = len(report.items) - (limit if limit is not None else len(report.items))
        if hidden > 0:
            lines += [f"... and {hidden:,} more (raise --limit, or --summary for counts)", ""]
    if report.unreadable:
        lines.append("Front matter could not be read (see `kbtool lint`)")
        for path, line, message in report.unreadable:
            lines.append(f"  {path}:{line}: {message}")
        lines.append("")
    lines.append(_summary_line(report))
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell (no pipes, no HTML, no line breaks)."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("`", "\\`")
        .replace("*", "\\*")
        .replace("_", "\\_")
        .replace("[", "\\[")
        .replace("]", "\\]")
    )
    return " ".join(escaped.split())


def _who(roster: Roster | None, handle: str | None) -> str:
    if not handle:
        return "none"
    github = github_of(roster, handle)
    return f"{_md(handle)} (@{github})" if github else _md(handle)


def render_markdown(
    report: FreshnessReport, *, limit: int | None = None, summary: bool = False
) -> str:
    """For a CI job summary (`$GITHUB_STEP_SUMMARY`) or an issue: headings and tables.
    `limit` and `summary` as in `render_text`."""
    counts = summary_counts(report)
    verdict = "needs attention" if report.failing else "ok"
    lines = [
        f"## Knowledge base freshness: {verdict}",
        "",
        f"As of {report.today.isoformat()}; due soon means within {report.within_days} days.",
        "",
        "| procedures | overdue | never reviewed | due soon | orphaned | unowned | old drafts |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {counts['procedures']} | {counts['overdue']} | {counts['never_reviewed']} | "
        f"{counts['due_soon']} | {counts['orphaned']} | {counts['unowned']} | "
        f"{counts['old_drafts']} |",
        "",
    ]
    if report.baselined:
        lines += [f"{report.baselined:,} more procedures are in the baseline, not listed.", ""]
    if not report.groups:
        lines.append("Nothing is overdue, due soon, orphaned or unowned.")
        lines.append("")
    row = "| id | procedure | file | state | owner | backup |"
    rule = "| --- | --- | --- | --- | --- | --- |"

    def item_row(item: StaleItem) -> str:
        return (
            f"| {_md(item.procedure.id or '-')} | {_md(item.procedure.title)} | "
            f"{_md(item.repo_path)} | "
            f"{_md(describe(item))} | {_who(report.roster, item.owner.owner)} | "
            f"{_who(report.roster, item.owner.backup)} |"
        )

    if summary and report.groups:
        for title, by in (("By acting owner", "owner"), ("By service", "service")):
            lines += [
                f"### {title}",
                "",
                f"| {title.removeprefix('By ')} | {' | '.join(_COUNT_HEADINGS)} | total |",
                "| --- |" + " ---: |" * (len(_COUNT_HEADINGS) + 1),
            ]
            for count in count_rows(report, by):
                cells = " | ".join(f"{count.counts[c]:,}" for c in (*_COUNT_ORDER, "total"))
                lines.append(f"| {_md(count.label)} | {cells} |")
            lines.append("")
        shown = most_urgent(report, limit)
        lines += [f"### Most urgent {len(shown):,} of {len(report.items):,}", "", row, rule]
        lines += [item_row(item) for item in shown]
        lines.append("")
    else:
        for group, items in _first_of_groups(report, limit):
            if group.handle == NOBODY:
                lines.append("### Nobody can act (unowned)")
            else:
                who = f" (@{group.github})" if group.github else ""
                lines.append(f"### {_md(group.name)}: {_md(group.handle)}{who}")
            lines += ["", row, rule]
            lines += [item_row(item) for item in items]
            lines.append("")
        hidden = len(report.items) - (limit if limit is not None else len(report.items))
        if hidden > 0:
            lines += [f"... and {hidden:,} more procedures (see `kbtool stale`).", ""]
    if report.unreadable:
        lines += ["### Front matter could not be read", ""]
        lines += [f"- {_md(path)}:{line}: {_md(text)}" for path, line, text in report.unreadable]
        lines += ["", "Run `kbtool lint` for details.", ""]
    return "\n".join(lines)


def report_data(report: FreshnessReport) -> dict[str, Any]:
    """The JSON document: stable keys, dates as YYYY-MM-DD, paths with forward slashes."""
    roster = report.roster

    def item_data(item: StaleItem) -> dict[str, Any]:
        state, who = item.review, item.owner
        assignees = []
        for handle, person in ((who.owner, who.owner_person), (who.backup, who.backup_person)):
            github = github_of(roster, handle)
            available = person is None or person.available(report.today)
            if github and available and github not in assignees:
                assignees.append(github)
        return {
            "id": item.procedure.id,
            "title": item.procedure.title,
            "path": item.procedure.rel_path,
            "repo_path": item.repo_path,
            "service": item.procedure.service,
            "status": item.procedure.status,
            "categories": list(item.categories),
            "description": describe(item),
            "owner": who.owner,
            "backup": who.backup,
            "acting_owner": who.acting_owner,
            "orphaned": who.orphaned,
            "orphan_reason": who.orphan_reason,
            "unowned": who.unowned,
            "owner_github": github_of(roster, who.owner),
            "backup_github": github_of(roster, who.backup),
            "acting_owner_github": github_of(roster, who.acting_owner),
            "assignees": assignees,
            "reviewed": state.reviewed.isoformat() if state.reviewed else None,
            "review_every": state.interval_days,
            "due": state.due.isoformat() if state.due else None,
            "days_left": state.days_left,
            "days_overdue": state.days_overdue,
            "draft_age_days": item.draft_age_days,
        }

    return {
        "today": report.today.isoformat(),
        "within_days": report.within_days,
        "drafts_older_than_days": report.drafts_older_than_days,
        "failing": report.failing,
        "summary": summary_counts(report),
        "unreadable": [
            {"repo_path": path, "line": line, "message": message}
            for path, line, message in report.unreadable
        ],
        "groups": [
            {
                "acting_owner": group.handle or None,
                "name": group.name,
                "github": group.github,
                "procedures": [item_data(item) for item in group.items],
            }
            for group in report.groups
        ],
    }


def render_json(report: FreshnessReport, *, limit: int | None = None, summary: bool = False) -> str:
    """Every procedure, always (scripts such as the freshness job file issues from it);
    `limit` and `summary` are for people and change nothing here."""
    return json.dumps(report_data(report), indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
