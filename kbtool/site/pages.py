"""The generated pages, as Markdown (plus the chart as SVG): testable without MkDocs.

`generated_pages(site)` returns `{src_uri: content}` for: procedures by service (an index and
one page per service), owners (who owns what, backups, load per person, the chain of roles)
and the review dashboard. Templates live in `templates/*.md`; every value is escaped as
Markdown text by the Markdown environment (see `kbtool.site.templates`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from markupsafe import Markup

from kbtool.model.escalation import role_label
from kbtool.model.markdown_scan import slugify
from kbtool.model.procedure import Procedure
from kbtool.model.review import ReviewStatus
from kbtool.model.roster import ROLES, Person
from kbtool.site.card import due_text
from kbtool.site.chart import CATEGORIES, review_chart_svg
from kbtool.site.model import REVIEW_LABELS, ProcedurePage, Site
from kbtool.site.templates import markdown_environment, markdown_link, page_title, relative_link
from kbtool.workflow.feedback_report import ServiceFeedback, service_feedback

SERVICES_INDEX = "services/index.md"
OWNERS = "owners.md"
REVIEW = "review.md"
REVIEW_CHART = "review-state.svg"


def service_uris(services: list[str]) -> dict[str, str]:
    """A page per service, `services/<slug>.md`; distinct services never share a page."""
    uris: dict[str, str] = {}
    used = {"index"}
    for service in services:
        slug = slugify(service) or "service"
        candidate, n = slug, 1
        while candidate in used:
            n += 1
            candidate = f"{slug}-{n}"
        used.add(candidate)
        uris[service] = f"services/{candidate}.md"
    return uris


def generated_pages(site: Site) -> dict[str, str]:
    """Every generated file, `{src_uri: content}`."""
    groups = site.by_service()
    uris = service_uris(list(groups))
    pages = {SERVICES_INDEX: services_index_markdown(site, groups, uris)}
    for service, members in groups.items():
        pages[uris[service]] = service_markdown(site, service, members, uris[service])
    pages[OWNERS] = owners_markdown(site)
    pages[REVIEW] = review_markdown(site, uris)
    pages[REVIEW_CHART] = review_chart_svg(review_counts(site), as_of=site.today.isoformat())
    return pages


# --- rows shared by the templates ---------------------------------------------------------------


def _link(page: ProcedurePage, from_uri: str, *, with_id: bool = False) -> object:
    procedure = page.procedure
    text = f"{procedure.id} {procedure.title}" if with_id and procedure.id else procedure.title
    return markdown_link(text, relative_link(from_uri, page.src_uri))


def _person_name(handle: str | None, site: Site) -> str:
    if handle is None:
        return "none"
    person = site.roster.person(handle) if site.roster is not None else None
    return f"{person.name} ({handle})" if person is not None and person.name != handle else handle


def _answering(page: ProcedurePage, site: Site) -> str:
    """Who answers for it today: the owner, or the acting backup, or nobody."""
    owns = page.owner
    if not owns.orphaned:
        return _person_name(owns.owner, site) if owns.owner else "nobody (no owner)"
    if owns.acting_owner is None:
        return f"nobody ({owns.owner} is {owns.orphan_reason})"
    acting = _person_name(owns.acting_owner, site)
    return f"{acting}, acting for {owns.owner} ({owns.orphan_reason})"


def _state(page: ProcedurePage) -> str:
    procedure = page.procedure
    if procedure.status != "published":
        return procedure.status
    status = page.review.status
    return REVIEW_LABELS[status].lower() if status in REVIEW_LABELS else status.value


@dataclass
class ProcedureRow:
    link: object
    id: str
    service: str
    audience: str
    status: str
    owner: str
    backup: str
    answering: str
    due: str
    when: str
    state: str
    reason: str = ""


def _row(page: ProcedurePage, site: Site, from_uri: str) -> ProcedureRow:
    procedure = page.procedure
    return ProcedureRow(
        link=_link(page, from_uri),
        id=procedure.id or "",
        service=page.service,
        audience=procedure.audience or "",
        status=procedure.status,
        owner=_person_name(procedure.owner, site),
        backup=_person_name(procedure.backup, site),
        answering=_answering(page, site),
        due=page.review.due.isoformat() if page.review.due else "",
        when=due_text(page.review),
        state=_state(page),
        reason=page.owner.orphan_reason or "",
    )


def _published(site: Site) -> list[ProcedurePage]:
    return [p for p in site.pages.values() if p.procedure.status == "published"]


def _render(template: str, **context: object) -> str:
    return markdown_environment().get_template(template).render(**context)


# --- procedures by service ------------------------------------------------------------------


def services_index_markdown(
    site: Site, groups: dict[str, list[ProcedurePage]], uris: dict[str, str]
) -> str:
    rows = []
    for service, members in groups.items():
        published = [p for p in members if p.procedure.status == "published"]
        rows.append(
            {
                "link": markdown_link(service, relative_link(SERVICES_INDEX, uris[service])),
                "total": len(members),
                "published": len(published),
                "overdue": sum(p.review.status is ReviewStatus.OVERDUE for p in published),
                "due_soon": sum(p.review.status is ReviewStatus.DUE_SOON for p in published),
                "orphaned": sum(
                    p.orphaned and not p.unowned for p in members if p.procedure.status != "retired"
                ),
                "unowned": sum(p.unowned for p in members),
            }
        )
    return _render(
        "services_index.md",
        rows=rows,
        total=len(site.pages),
        today=site.today.isoformat(),
        review=markdown_link("review dashboard", relative_link(SERVICES_INDEX, REVIEW)),
    )


def service_markdown(site: Site, service: str, members: list[ProcedurePage], uri: str) -> str:
    rows = [_row(page, site, uri) for page in members]
    return _render(
        "service.md",
        title=page_title(service),
        service=service,
        rows=rows,
        today=site.today.isoformat(),
        back=markdown_link("All services", relative_link(uri, SERVICES_INDEX)),
    )


# --- owners ---------------------------------------------------------------------------------


@dataclass
class PersonLoad:
    handle: str
    person: Person | None
    owns: list[ProcedurePage] = field(default_factory=list)
    backs_up: list[ProcedurePage] = field(default_factory=list)
    acting_for: list[ProcedurePage] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.person.name if self.person is not None else self.handle

    @property
    def overdue(self) -> int:
        return sum(p.review.status is ReviewStatus.OVERDUE for p in self.owns + self.acting_for)

    @property
    def load(self) -> int:
        """Procedures this person answers for today: owned (if available) plus acting for."""
        return len([p for p in self.owns if not p.orphaned]) + len(self.acting_for)


def person_loads(site: Site) -> list[PersonLoad]:
    """Everyone in the roster plus any handle used by a procedure, busiest first."""
    loads: dict[str, PersonLoad] = {}
    if site.roster is not None:
        for handle, person in site.roster.people.items():
            loads[handle] = PersonLoad(handle, person)

    def get(handle: str) -> PersonLoad:
        if handle not in loads:
            loads[handle] = PersonLoad(handle, None)
        return loads[handle]

    for page in sorted(site.pages.values(), key=lambda p: (p.procedure.id or "~", p.src_uri)):
        if page.procedure.status == "retired":
            continue
        owns = page.owner
        if owns.owner:
            get(owns.owner).owns.append(page)
        if owns.backup:
            get(owns.backup).backs_up.append(page)
        if owns.orphaned and owns.acting_owner:
            get(owns.acting_owner).acting_for.append(page)
    return sorted(loads.values(), key=lambda load: (-load.load, -len(load.owns), load.name))


def _backup_named_by(procedure: Procedure) -> str:
    """Where a procedure's backup is named: its front matter, a folder default, the roster."""
    where = procedure.origins.get("backup", "")
    if where.startswith("standing backup"):
        return "standing backup (roster)"
    if where.startswith("default for "):
        return f"folder default ({where.removeprefix('default for ')})"
    return "front matter"


def _unowned(site: Site) -> list[dict[str, object]]:
    """The procedures nobody answers for today, with why: no owner, or nobody available."""
    rows = []
    for page in sorted(site.pages.values(), key=lambda p: (p.procedure.id or "~", p.src_uri)):
        owns = page.owner
        if page.procedure.status == "retired" or not page.procedure.raw or not owns.unowned:
            continue
        if owns.owner is None:
            why = "no owner"
        else:
            backup = _person_name(owns.backup, site) if owns.backup else "no backup"
            why = f"owner {_person_name(owns.owner, site)} is {owns.orphan_reason}; {backup}"
            if owns.backup:
                why += " cannot act"
        rows.append({"link": _link(page, OWNERS, with_id=True), "why": why})
    return rows


def owners_markdown(site: Site) -> str:
    loads = person_loads(site)
    today = site.today
    people = []
    for load in loads:
        person = load.person
        if person is None:
            availability = "not in the roster"
        else:
            availability = person.unavailable_reason(today) or "available"
        people.append(
            {
                "anchor": Markup(f"person-{slugify(load.handle) or 'x'}"),
                "anchor_attr": Markup(f"{{#person-{slugify(load.handle) or 'x'}}}"),
                "name": load.name,
                "handle": load.handle,
                "role": role_label(person.role) if person is not None else "",
                "team": person.team or "" if person is not None else "",
                "email": person.email or "" if person is not None else "",
                "phone": person.phone or "" if person is not None else "",
                "chat": person.chat or "" if person is not None else "",
                "availability": availability,
                "owns": len(load.owns),
                "backs_up": len(load.backs_up),
                "acting_for": len(load.acting_for),
                "load": load.load,
                "overdue": load.overdue,
                "owned": [
                    {
                        "link": _link(p, OWNERS, with_id=True),
                        "backup": _person_name(p.procedure.backup, site),
                        "state": _state(p),
                    }
                    for p in load.owns
                ],
                "acting": [
                    {"link": _link(p, OWNERS, with_id=True), "owner": p.procedure.owner or ""}
                    for p in load.acting_for
                ],
            }
        )
    pairs: Counter[tuple[str, str, str]] = Counter()
    for page in site.pages.values():
        procedure = page.procedure
        if procedure.status != "retired" and procedure.owner and procedure.backup:
            pairs[(procedure.owner, procedure.backup, _backup_named_by(procedure))] += 1
    backups = [
        {"owner": _person_name(o, site), "backup": _person_name(b, site), "how": how, "count": n}
        for (o, b, how), n in sorted(pairs.items(), key=lambda item: (item[0][0], -item[1]))
    ]
    chain = []
    for role in ROLES:
        holders = (
            [p for p in site.roster.people.values() if p.role == role]
            if site.roster is not None
            else []
        )
        chain.append(
            {
                "role": role_label(role),
                "people": ", ".join(
                    p.name + ("" if p.available(today) else f" ({p.unavailable_reason(today)})")
                    for p in holders
                )
                or "nobody",
            }
        )
    return _render(
        "owners.md",
        people=people,
        backups=backups,
        unowned=_unowned(site),
        chain=chain,
        has_roster=site.roster is not None,
        today=today.isoformat(),
    )


# --- review dashboard -----------------------------------------------------------------------


def review_counts(site: Site) -> dict[str, dict[str, int]]:
    """Published procedures per service and review state (the chart's data)."""
    counts: dict[str, dict[str, int]] = {}
    for service, members in site.by_service().items():
        tally: Counter[str] = Counter()
        for page in members:
            if page.procedure.status == "published" and page.review.status in REVIEW_LABELS:
                tally[page.review.status.value] += 1
        if tally:
            counts[service] = dict(tally)
    return counts


def review_markdown(site: Site, uris: dict[str, str]) -> str:
    published = _published(site)
    by_due = sorted(
        published, key=lambda p: (p.review.due or dt.date.max, p.procedure.id or "", p.src_uri)
    )
    overdue = [_row(p, site, REVIEW) for p in by_due if p.review.status is ReviewStatus.OVERDUE]
    due_soon = [_row(p, site, REVIEW) for p in by_due if p.review.status is ReviewStatus.DUE_SOON]
    never = [
        _row(p, site, REVIEW)
        for p in by_due
        if p.review.status in (ReviewStatus.NEVER_REVIEWED, ReviewStatus.FUTURE)
    ]
    active = [
        p
        for p in sorted(site.pages.values(), key=lambda p: p.src_uri)
        if p.procedure.status != "retired"
    ]
    orphaned = [_row(p, site, REVIEW) for p in active if p.orphaned and not p.unowned]
    unowned = [_row(p, site, REVIEW) for p in active if p.unowned]
    counts = review_counts(site)
    feedback = service_feedback(site.kb, site.today)
    table = [
        {
            "link": markdown_link(service, relative_link(REVIEW, uris[service])),
            "counts": [by_state.get(key, 0) for key, _, _ in CATEGORIES],
            "total": sum(by_state.values()),
            "feedback": _feedback_cells(feedback, service) if feedback is not None else [],
        }
        for service, by_state in counts.items()
    ]
    return _render(
        "review.md",
        today=site.today.isoformat(),
        published=len(published),
        overdue=overdue,
        due_soon=due_soon,
        never=never,
        orphaned=orphaned,
        unowned=unowned,
        due_soon_days=site.config.due_soon_days,
        categories=[label for _, label, _ in CATEGORIES],
        table=table,
        with_feedback=feedback is not None,
        feedback_headers=["Open problem reports", "Solved"] if feedback is not None else [],
        chart=Markup(REVIEW_CHART),
    )


def _feedback_cells(feedback: dict[str, ServiceFeedback] | None, service: str) -> list[str]:
    """The open problem reports and the solved rate of `service`, for the dashboard."""
    figures = (feedback or {}).get(service)
    if figures is None:
        return ["0", "-"]
    rate = figures.solved_rate
    answers = figures.solved_yes + figures.solved_no
    shown = f"{rate * 100:.0f}% of {answers}" if rate is not None else "-"
    return [str(figures.open_reports), shown]
