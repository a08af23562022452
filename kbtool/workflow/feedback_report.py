"""`kbtool feedback`: what agents said about procedures, for the people who answer for them.

Problem reports ("Report a problem with this procedure") and "Did this solve it?" answered No,
grouped by the procedure's acting owner (the owner, or the backup while the owner is away or
has left), with the backup named, newest first. A piece of feedback is handled once the
procedure's `reviewed:` date is after the day it was given: the review is when its owner looks
at the procedure again, so that is what closes it. Feedback about a procedure that no longer
exists is listed under "(unknown procedure)", never dropped silently.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from kbtool.events import Event
from kbtool.events.model import PROBLEM_REPORT, SOLVED
from kbtool.model.knowledge_base import KnowledgeBase
from kbtool.model.procedure import Procedure
from kbtool.model.review import ownership, review_state
from kbtool.workflow.event_source import day_start, reading

UNKNOWN_OWNER = "(nobody available)"
UNKNOWN_PROCEDURE = "(unknown procedure)"


@dataclass(frozen=True)
class FeedbackItem:
    procedure: str  # its id (or path)
    title: str
    service: str | None
    kind: str  # "problem_report" or "not_solved"
    category: str | None
    text: str | None
    time: dt.datetime
    handled: bool


@dataclass
class OwnerFeedback:
    owner: str
    name: str
    backup: str | None
    items: list[FeedbackItem] = field(default_factory=list)
    #: GitHub handles from the roster, for the scheduled job's issues.
    owner_github: str | None = None
    backup_github: str | None = None


@dataclass
class FeedbackReport:
    today: dt.date
    since: dt.date | None
    owners: list[OwnerFeedback]
    handled: int
    problem: str | None

    @property
    def open(self) -> int:
        return sum(len(o.items) for o in self.owners)


class ProcedureLookup:
    """The procedure an event names (its id in any case, else its path), from maps built once:
    reports look up every event, and scanning the procedures each time was quadratic."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._exact: dict[str, Procedure] = {}
        self._folded: dict[str, list[Procedure]] = {}
        self._paths: dict[str, Procedure] = {}
        self._reviewed: dict[str, dt.date | None] = {}
        self._found: dict[str, Procedure | None] = {}
        for procedure in kb.procedures:
            self._paths[procedure.rel_path] = procedure
            if procedure.id is not None:
                self._exact.setdefault(procedure.id, procedure)
                self._folded.setdefault(procedure.id.casefold(), []).append(procedure)

    def __call__(self, ident: str | None) -> Procedure | None:
        if not ident:
            return None
        if ident not in self._found:
            self._found[ident] = self._find(ident)
        return self._found[ident]

    def _find(self, ident: str) -> Procedure | None:
        if ident in self._exact:
            return self._exact[ident]
        alike = self._folded.get(ident.casefold(), [])
        if len({p.id for p in alike}) == 1:
            return alike[0]
        if alike:
            return None  # ids differing only in case: the linter reports them (FM010)
        return self._paths.get(ident) or self._paths.get(ident + ".md")

    def reviewed(self, procedure: Procedure, today: dt.date) -> dt.date | None:
        if procedure.rel_path not in self._reviewed:
            state = review_state(procedure, self.kb.config, today)
            self._reviewed[procedure.rel_path] = state.reviewed
        return self._reviewed[procedure.rel_path]


def feedback_items(
    lookup: ProcedureLookup, events: list[Event], today: dt.date
) -> list[tuple[Procedure | None, FeedbackItem]]:
    """Every problem report and "did not solve it" in `events`, with its procedure."""
    items: list[tuple[Procedure | None, FeedbackItem]] = []
    for event in events:
        negative = event.kind == SOLVED and event.solved is False
        if event.kind != PROBLEM_REPORT and not negative:
            continue
        procedure = lookup(event.procedure)
        reviewed = lookup.reviewed(procedure, today) if procedure else None
        items.append(
            (
                procedure,
                FeedbackItem(
                    procedure=(procedure.id or procedure.rel_path)
                    if procedure
                    else event.procedure or "",
                    title=procedure.title if procedure else UNKNOWN_PROCEDURE,
                    service=procedure.service if procedure else None,
                    kind=PROBLEM_REPORT if event.kind == PROBLEM_REPORT else "not_solved",
                    category=event.category,
                    text=event.text,
                    time=event.time,
                    handled=reviewed is not None and reviewed > event.time.date(),
                ),
            )
        )
    return items


def build_feedback(
    kb: KnowledgeBase, today: dt.date, *, since: dt.date | None = None
) -> FeedbackReport:
    events, problem = reading(kb.config, lambda store: store.feedback(day_start(since)))
    if problem is None and not kb.config.events.enabled:
        problem = "events are not recorded ([events] enabled = false)"
    owners: dict[str, OwnerFeedback] = {}
    handled = 0
    for procedure, item in feedback_items(ProcedureLookup(kb), events or [], today):
        if item.handled:
            handled += 1
            continue
        who = ownership(procedure, kb.roster, today) if procedure else None
        handle = (who.acting_owner if who else None) or UNKNOWN_OWNER
        if handle not in owners:
            person = kb.roster.person(handle) if kb.roster is not None else None
            backup = who.backup if who and who.backup != handle else None
            backup_person = kb.roster.person(backup) if kb.roster is not None else None
            owners[handle] = OwnerFeedback(
                handle,
                person.name if person else handle,
                backup,
                owner_github=person.github if person else None,
                backup_github=backup_person.github if backup_person else None,
            )
        owners[handle].items.append(item)
    for group in owners.values():
        group.items.sort(key=lambda i: i.time, reverse=True)
    ordered = sorted(owners.values(), key=lambda o: (-len(o.items), o.owner))
    return FeedbackReport(today, since, ordered, handled, problem)


@dataclass(frozen=True)
class ServiceFeedback:
    open_reports: int
    solved_yes: int
    solved_no: int

    @property
    def solved_rate(self) -> float | None:
        answers = self.solved_yes + self.solved_no
        return self.solved_yes / answers if answers else None


def service_feedback(kb: KnowledgeBase, today: dt.date) -> dict[str, ServiceFeedback] | None:
    """Per service: open problem reports and "Did this solve it?" answers (the review
    dashboard's columns); None when there is no events store or it cannot be read."""
    from kbtool.events.store import store_exists

    if not kb.config.events.enabled or not store_exists(kb.config):
        return None
    read, problem = reading(
        kb.config, lambda store: (store.feedback(None), store.solved_counts(None))
    )
    if read is None or problem:
        return None
    feedback, solved = read
    tally: dict[str, list[int]] = {}
    lookup = ProcedureLookup(kb)
    for procedure, item in feedback_items(lookup, feedback, today):
        if procedure is not None and item.kind == PROBLEM_REPORT and not item.handled:
            tally.setdefault(procedure.service or "", [0, 0, 0])[0] += 1
    for ident, answer, count in solved:
        procedure = lookup(ident)
        if procedure is not None:
            tally.setdefault(procedure.service or "", [0, 0, 0])[1 if answer else 2] += count
    return {service: ServiceFeedback(*counts) for service, counts in tally.items()}


# --- renderers ------------------------------------------------------------------------------


def _item_data(item: FeedbackItem) -> dict[str, Any]:
    return {
        "procedure": item.procedure,
        "title": item.title,
        "service": item.service,
        "kind": item.kind,
        "category": item.category,
        "text": item.text,
        "time": item.time.isoformat(timespec="seconds"),
    }


def feedback_data(report: FeedbackReport) -> dict[str, Any]:
    return {
        "today": report.today.isoformat(),
        "since": report.since.isoformat() if report.since else None,
        "open": report.open,
        "handled": report.handled,
        "problem": report.problem,
        "owners": [
            {
                "owner": o.owner,
                "name": o.name,
                "backup": o.backup,
                "owner_github": o.owner_github,
                "backup_github": o.backup_github,
                "items": [_item_data(i) for i in o.items],
            }
            for o in report.owners
        ],
    }


def render_json(report: FeedbackReport) -> str:
    return json.dumps(feedback_data(report), indent=2, ensure_ascii=False) + "\n"


def _what(item: FeedbackItem) -> str:
    if item.kind == "not_solved":
        return "did not solve it"
    return f"problem: {item.category or 'other'}"


def _render(report: FeedbackReport, markdown: bool) -> str:
    title = f"Feedback on procedures, {report.today.isoformat()}"
    lines = [f"## {title}" if markdown else f"{title}\n{'=' * len(title)}", ""]
    if report.problem:
        lines += [f"Note: {report.problem}", ""]
    since = f" since {report.since.isoformat()}" if report.since else ""
    lines.append(
        f"{report.open} open{since}; {report.handled} handled (reviewed since they were given)."
    )
    for group in report.owners:
        backup = f", backup {group.backup}" if group.backup else ""
        heading = f"{group.name} ({group.owner}{backup}): {len(group.items)}"
        lines += ["", f"### {_md(heading)}" if markdown else heading]
        for item in group.items:
            text = f": {' '.join(item.text.split())}" if item.text else ""
            line = f"{item.time.date().isoformat()}  {item.procedure} {item.title}  {_what(item)}"
            lines.append(f"- {_md(line + text)}" if markdown else f"  {line}{text}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "`*_[]|#":
        escaped = escaped.replace(ch, "\\" + ch)
    return " ".join(escaped.split())


def render_text(report: FeedbackReport) -> str:
    return _render(report, markdown=False)


def render_markdown(report: FeedbackReport) -> str:
    return _render(report, markdown=True)


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
