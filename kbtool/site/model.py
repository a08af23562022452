"""What the site says about each procedure, computed once per build.

`load_site` loads the knowledge base with kbtool's one configuration loader, lints it with the
same rules and severities as `kbtool lint`, and describes every procedure page: its review state
and ownership (from `kbtool.model.review`, like every other surface), its contacts and its banners.
Bad input never raises here: a missing or broken roster and broken procedures become messages
naming the file and line, and the pages render what they can.
"""

from __future__ import annotations

import datetime as dt
import logging
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kbtool.core.errors import RosterError
from kbtool.lint.engine import display_path, lint
from kbtool.lint.findings import Finding, Severity
from kbtool.lint.selection import RuleSelection
from kbtool.model.config import Config
from kbtool.model.escalation import Escalation, escalation, role_label
from kbtool.model.file_scan import require_procedures_dir
from kbtool.model.issues import FRONT_MATTER_UNREAD, IssueKind
from kbtool.model.knowledge_base import KnowledgeBase, list_files, load_procedures
from kbtool.model.procedure import Procedure
from kbtool.model.review import Ownership, ReviewState, ReviewStatus, ownership, review_state
from kbtool.model.roster import Person, Roster, load_roster

#: Lint rules about a procedure's state today rather than a mistake in it. The site shows them
#: as banners (overdue, orphaned, unowned) and logs them at info level, so that a procedure
#: going overdue does not stop the site that tells everyone it is overdue from being published.
#: `kbtool lint` and `kbtool stale` still fail CI on them.
STATE_RULES: tuple[str, ...] = ("FR001", "FR002", "OW003", "OW004", "OW008")

#: The review states the site counts, in the order the chart draws them, and what it calls
#: them: the chart's legend and the dashboard's columns, lower case in a procedure's row.
REVIEW_LABELS: dict[ReviewStatus, str] = {
    ReviewStatus.OK: "Reviewed",
    ReviewStatus.DUE_SOON: "Due soon",
    ReviewStatus.OVERDUE: "Overdue",
    ReviewStatus.NEVER_REVIEWED: "Never reviewed",
    ReviewStatus.FUTURE: "Bad review date",
}

#: Load issues that mean the front matter could not be (fully) read: the page says so.
_BROKEN_KINDS = FRONT_MATTER_UNREAD | {IssueKind.BAD_TYPE, IssueKind.BAD_DATE, IssueKind.BAD_VALUE}


@dataclass(frozen=True)
class Contact:
    """A person as the card shows them: the handle always, the rest when the roster knows."""

    handle: str
    person: Person | None
    unavailable: str | None = None  # "inactive", "away until 2026-12-01", "not in the roster"

    @property
    def name(self) -> str:
        return self.person.name if self.person is not None else self.handle

    @property
    def role(self) -> str | None:
        return role_label(self.person.role) if self.person is not None else None


@dataclass(frozen=True)
class Banner:
    kind: str  # overdue | orphaned | unowned | draft | retired | broken | never-reviewed | future
    level: str  # a Material admonition type: danger, warning, note, failure...
    title: str
    text: str


@dataclass
class ProcedurePage:
    """One procedure as published: its file, URL, state today and what to warn about."""

    procedure: Procedure
    src_uri: str  # e.g. procedures/email/outlook.md
    display_path: str  # the path lint findings name, relative to the site's config folder
    review: ReviewState
    owner: Ownership
    owner_contact: Contact | None
    backup_contact: Contact | None
    acting_contact: Contact | None
    escalation: Escalation | None
    banners: list[Banner] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # broken input, "line N: message"
    #: A retired procedure's replacement (`superseded_by`), and the `related` procedures.
    replacement: ProcedurePage | None = None
    related: list[ProcedurePage] = field(default_factory=list)

    @property
    def service(self) -> str:
        return self.procedure.service or "No service"

    @property
    def orphaned(self) -> bool:
        return self.owner.orphaned

    @property
    def unowned(self) -> bool:
        return self.procedure.status != "retired" and self.owner.unowned


@dataclass(frozen=True)
class Message:
    """Something to log during the build (the plugin maps `level` onto MkDocs' logger)."""

    level: int  # logging.WARNING fails `mkdocs build --strict`
    text: str


@dataclass
class Site:
    config: Config
    kb: KnowledgeBase
    today: dt.date
    prefix: str
    pages: dict[str, ProcedurePage] = field(default_factory=dict)  # by src_uri
    findings: list[Finding] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)

    @property
    def roster(self) -> Roster | None:
        return self.kb.roster

    def by_service(self) -> dict[str, list[ProcedurePage]]:
        groups: dict[str, list[ProcedurePage]] = {}
        for page in sorted(self.pages.values(), key=_page_order):
            groups.setdefault(page.service, []).append(page)
        return dict(sorted(groups.items(), key=lambda item: item[0].lower()))


def _page_order(page: ProcedurePage) -> tuple[str, str]:
    return (page.procedure.id or "~", page.src_uri)


def load_site(
    config: Config,
    today: dt.date,
    *,
    prefix: str = "procedures",
    run_lint: bool = True,
    fail_on: Severity = Severity.ERROR,
    info_rules: Sequence[str] = STATE_RULES,
    cwd: Path | None = None,
    baseline_file: Path | None = None,
) -> Site:
    """Load, lint and describe every procedure. Raises only `ConfigError` (no procedures folder,
    bad rule selection) and `UsageError` (a bad baseline): a site without its procedures is not
    worth building. Findings in `baseline_file` are logged at info level, never failing it."""
    cwd = cwd or config.root
    kb, roster_message = _load_kb(config, cwd)
    site = Site(config=config, kb=kb, today=today, prefix=prefix.strip("/"))
    if roster_message is not None:
        site.messages.append(roster_message)
    for procedure in kb.procedures:
        src_uri = posixpath.join(site.prefix, procedure.rel_path)
        site.pages[src_uri] = describe(procedure, src_uri, kb.roster, config, today, cwd)
    _link_pages(site)
    if run_lint:
        selection = RuleSelection.from_config(config)
        result = lint(kb, today, selection=selection, cwd=cwd)
        site.findings = result.findings
        known: list[Finding] = []
        new = result.findings
        if baseline_file is not None:
            from kbtool.lint import baseline

            parts = baseline.split(result.findings, baseline.load(baseline_file), config.root, cwd)
            new_ids = {id(f) for f in parts.new}
            known = [f for f in result.findings if id(f) not in new_ids]
            new = parts.new
        site.messages.extend(lint_messages(new, fail_on, info_rules))
        # every code of a known finding is an info rule for it: logged, never failing --strict
        site.messages.extend(lint_messages(known, fail_on, sorted({f.code for f in known})))
        if known:
            site.messages.append(
                Message(logging.INFO, f"{len(known):,} findings in the baseline shown as info")
            )
    return site


def _link_pages(site: Site) -> None:
    """Each page's replacement and related pages, by id (unknown ids are lint's to report)."""
    by_id: dict[str, ProcedurePage] = {}
    for page in site.pages.values():
        if page.procedure.id is not None:
            by_id.setdefault(page.procedure.id, page)
    for page in site.pages.values():
        procedure = page.procedure
        if procedure.superseded_by is not None:
            found = by_id.get(procedure.superseded_by)
            page.replacement = found if found is not page else None
        page.related = [
            by_id[ident]
            for ident in procedure.related
            if ident in by_id and by_id[ident] is not page
        ]


def _load_kb(config: Config, cwd: Path) -> tuple[KnowledgeBase, Message | None]:
    """The knowledge base; a missing or broken roster is a warning, never a crash."""
    require_procedures_dir(config, how="the plugin's 'procedures' option")
    roster: Roster | None = None
    message: Message | None = None
    shown = display_path(config.roster_path, cwd)
    if config.roster_path.is_file() or config.roster_explicit:
        try:
            roster = load_roster(config.roster_path)
        except RosterError as exc:
            where = f"{shown}:{exc.line}" if exc.line else shown
            message = Message(
                logging.WARNING,
                f"{where}: {exc.message}; owners and backups are shown without the roster",
            )
    else:
        message = Message(
            logging.WARNING,
            f"{shown}: roster not found; owners and backups are shown without contact details",
        )
    kb = KnowledgeBase(config=config, roster=roster)
    kb.files, kb.walk_issues = list_files(config)
    kb.procedures = load_procedures(kb.files, config, roster)
    return kb, message


def lint_messages(
    findings: Iterable[Finding], fail_on: Severity, info_rules: Sequence[str]
) -> list[Message]:
    """Findings as build messages: at or above `fail_on` a warning (strict builds fail),
    below it info; state rules (overdue, orphaned...) are always info, shown as banners."""
    messages = []
    for finding in findings:
        text = f"{finding.path}:{finding.line}: {finding.code} {finding.message}"
        if any(finding.code.startswith(code) for code in info_rules):
            level = logging.INFO
        elif finding.severity >= fail_on:
            level = logging.WARNING
        elif finding.severity is Severity.WARNING:
            level = logging.INFO
        else:
            level = logging.DEBUG
        messages.append(Message(level, text))
    return messages


def contact(handle: str | None, roster: Roster | None, today: dt.date) -> Contact | None:
    if handle is None:
        return None
    if roster is None:
        return Contact(handle, None)
    person = roster.person(handle)
    if person is None:
        return Contact(handle, None, "not in the roster")
    return Contact(handle, person, person.unavailable_reason(today))


def describe(
    procedure: Procedure,
    src_uri: str,
    roster: Roster | None,
    config: Config,
    today: dt.date,
    cwd: Path,
) -> ProcedurePage:
    """Everything a procedure page shows, from kbtool.model.review so every surface agrees."""
    state = review_state(procedure, config, today)
    owns = ownership(procedure, roster, today)
    owner_contact = contact(procedure.owner, roster, today)
    page = ProcedurePage(
        procedure=procedure,
        src_uri=src_uri,
        display_path=display_path(procedure.path, cwd),
        review=state,
        owner=owns,
        owner_contact=owner_contact,
        backup_contact=contact(procedure.backup, roster, today),
        acting_contact=contact(owns.acting_owner, roster, today) if owns.orphaned else None,
        escalation=escalation(procedure.escalate_to, roster, owns.owner_person, today),
    )
    page.problems = [
        f"line {issue.line}: {issue.message}"
        for issue in procedure.issues
        if issue.kind in _BROKEN_KINDS
    ]
    page.banners = banners(page)
    return page


def banners(page: ProcedurePage) -> list[Banner]:
    """The warnings a reader must see before following the steps, most serious first."""
    procedure, state, owns = page.procedure, page.review, page.owner
    result: list[Banner] = []
    if page.problems:
        result.append(
            Banner(
                "broken",
                "failure",
                "This page could not be read completely",
                "Some of its details may be missing or wrong; tell the owner. "
                + "; ".join(page.problems),
            )
        )
        if any(issue.kind in FRONT_MATTER_UNREAD for issue in procedure.issues):
            return result  # review and ownership banners would only repeat "unknown"
    if procedure.status == "retired":
        result.append(
            Banner(
                "retired",
                "failure",
                "Retired",
                "This procedure is no longer in use. Do not follow it with a caller; "
                + (
                    "use the one that replaced it:"
                    if procedure.superseded_by
                    else "search for its replacement."
                ),
            )
        )
    elif procedure.status == "draft":
        result.append(
            Banner(
                "draft",
                "warning",
                "Draft",
                "This procedure is not yet approved. Follow it only with the owner's agreement.",
            )
        )
    if state.status is ReviewStatus.OVERDUE and procedure.status == "published":
        assert state.due is not None and state.reviewed is not None
        days = state.days_overdue
        result.append(
            Banner(
                "overdue",
                "danger",
                "Overdue for review",
                f"Last reviewed {state.reviewed.isoformat()}; the review was due on "
                f"{state.due.isoformat()} ({days} day{'s' if days != 1 else ''} ago). "
                "The steps may be out of date: check with the acting owner if in doubt.",
            )
        )
    elif state.status is ReviewStatus.NEVER_REVIEWED and procedure.status == "published":
        result.append(
            Banner(
                "never-reviewed",
                "danger",
                "Never reviewed",
                "Nobody has recorded a review of this procedure.",
            )
        )
    elif state.status is ReviewStatus.FUTURE and procedure.status == "published":
        result.append(
            Banner(
                "future",
                "warning",
                "Review date in the future",
                "The recorded review date is after today; it is probably a typo.",
            )
        )
    if procedure.status != "retired":
        if owns.orphaned and owns.acting_owner is not None:
            acting = page.acting_contact.name if page.acting_contact else owns.acting_owner
            result.append(
                Banner(
                    "orphaned",
                    "warning",
                    "Orphaned",
                    f"The owner {owns.owner} is {owns.orphan_reason}. "
                    f"{acting} (the backup) is the acting owner.",
                )
            )
        elif owns.unowned:
            reason = (
                f"The owner {owns.owner} is {owns.orphan_reason} and no backup is available."
                if owns.orphaned
                else "It has no owner."
            )
            result.append(
                Banner(
                    "unowned",
                    "danger",
                    "Unowned",
                    f"Nobody answers for this procedure today. {reason} "
                    "Escalate questions to the service desk manager.",
                )
            )
    return result


TODAY_ENV = "KBTOOL_TODAY"


def build_date(option: str | dt.date | None, environ: Mapping[str, str]) -> dt.date:
    """The date freshness is judged at: the plugin option, else $KBTOOL_TODAY, else today.

    Raises ValueError naming where the bad value came from.
    """
    if isinstance(option, dt.date):
        return option
    for source, value in (("today", option), (TODAY_ENV, environ.get(TODAY_ENV))):
        if value:
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"{source}: {value!r} is not a date in YYYY-MM-DD form") from None
    return dt.date.today()
