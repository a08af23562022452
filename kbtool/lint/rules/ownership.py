"""OW: every procedure has an accountable owner and a backup identified in advance."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from kbtool.lint.findings import Problem, Severity
from kbtool.lint.rules.base import LintContext, rule
from kbtool.model.procedure import Procedure


def _applies(procedure: Procedure) -> bool:
    """Ownership is checked once the front matter could be read, for all but retired ones."""
    return procedure.has_front_matter and bool(procedure.raw) and procedure.status != "retired"


def _from(procedure: Procedure, name: str) -> str:
    """` (default for email/**)` when the value is not the front matter's, else nothing."""
    where = procedure.origins.get(name)
    return f" ({where})" if where else ""


def _unknown(handle: str, context: LintContext) -> str:
    assert context.roster is not None
    close = difflib.get_close_matches(handle, list(context.roster.people), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else f"; add them to {context.roster.path.name}"
    return hint


@rule("OW001", "owner-missing", Severity.ERROR)
def owner_missing(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The procedure has no owner: nobody is accountable for keeping it right.

    Fix: set `owner:` to a person of the roster (their handle, e.g. `jdoe`).
    """
    if _applies(procedure) and procedure.owner is None and not _invalid(procedure, "owner"):
        key = context.config.source_key("owner")
        yield Problem(f"no owner: add `{key}: <handle>` naming a person in the roster", 1)


def _invalid(procedure: Procedure, name: str) -> bool:
    """The field is present but was rejected by another rule (wrong type)."""
    source = procedure.field_sources.get(name)
    return source is not None and procedure.raw.get(source) not in (None, "", [])


def _not_in_roster(procedure: Procedure, context: LintContext, role: str) -> Iterator[Problem]:
    """The named `role` ("owner" or "backup") is a handle the roster does not know."""
    handle = procedure.owner if role == "owner" else procedure.backup
    if _applies(procedure) and handle and context.roster and handle not in context.roster.people:
        yield Problem(
            f"{role} '{handle}'{_from(procedure, role)} is not in the roster"
            f"{_unknown(handle, context)}",
            procedure.line_of(role),
        )


@rule("OW002", "owner-unknown", Severity.ERROR)
def owner_unknown(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The owner is not a person in the roster.

    Fix: correct the handle (the finding suggests the closest) or add the person to the roster.
    """
    yield from _not_in_roster(procedure, context, "owner")


@rule("OW003", "owner-inactive", Severity.ERROR)
def owner_inactive(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The owner has left (`active: false` in the roster): the procedure is orphaned.

    Its backup is the acting owner until ownership is reassigned. Fix: make the backup (or
    someone else) the owner and choose a new backup.
    """
    if not _applies(procedure) or context.roster is None:
        return
    person = context.roster.person(procedure.owner)
    if person is not None and not person.active:
        state = context.ownership(procedure)
        acting = (
            f"acting owner is the backup '{state.acting_owner}'"
            if state.acting_owner
            else "no backup can act for them"
        )
        yield Problem(
            f"owner '{person.handle}' is inactive: the procedure is orphaned ({acting}); "
            "reassign the owner",
            procedure.line_of("owner"),
        )


@rule("OW004", "owner-away", Severity.WARNING)
def owner_away(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The owner is away (`away_until` in the roster): the backup is acting owner meanwhile.

    Fix: nothing if the absence is short; for a long one, hand the procedure over to a new
    owner.
    """
    if not _applies(procedure) or context.roster is None:
        return
    person = context.roster.person(procedure.owner)
    if person is not None and person.active and person.is_away(context.today):
        state = context.ownership(procedure)
        acting = (
            f"'{state.acting_owner}' (backup) is acting owner"
            if state.acting_owner
            else "no backup can act for them"
        )
        assert person.away_until is not None
        yield Problem(
            f"owner '{person.handle}' is away until {person.away_until.isoformat()}: {acting}",
            procedure.line_of("owner"),
        )


@rule("OW005", "backup-missing", Severity.ERROR)
def backup_missing(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A published procedure has no backup, the person who acts when the owner is away.

    Drafts need no backup. Fix: set `backup:` to another active person of the roster, or
    give a whole folder one (`[[defaults]]` in kbtool.toml) or the owner a standing backup
    (`backup:` on the person in the roster).
    """
    if (
        _applies(procedure)
        and procedure.status == "published"
        and procedure.backup is None
        and not _invalid(procedure, "backup")
    ):
        key = context.config.source_key("backup")
        owner = procedure.owner
        standing = f", or give '{owner}' a standing `backup:` in the roster" if owner else ""
        yield Problem(
            f"no backup: add `{key}: <handle>` naming another person in the roster{standing}",
            1,
        )


@rule("OW006", "backup-unknown", Severity.ERROR)
def backup_unknown(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The backup is not a person in the roster.

    Fix: correct the handle (the finding suggests the closest) or add the person to the roster.
    """
    yield from _not_in_roster(procedure, context, "backup")


@rule("OW007", "backup-inactive", Severity.ERROR)
def backup_inactive(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The backup has left (`active: false`): nobody stands in when the owner is away.

    Fix: choose another active person as backup.
    """
    if not _applies(procedure) or context.roster is None:
        return
    person = context.roster.person(procedure.backup)
    if person is not None and not person.active:
        yield Problem(
            f"backup '{person.handle}'{_from(procedure, 'backup')} is inactive; "
            "choose another backup",
            procedure.line_of("backup"),
        )


@rule("OW008", "no-acting-owner", Severity.ERROR)
def no_acting_owner(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The owner is unavailable and so is the backup: the procedure is unowned today.

    Fix: reassign the owner or the backup to someone available.
    """
    if not _applies(procedure) or context.roster is None or procedure.owner is None:
        return
    state = context.ownership(procedure)
    if (
        state.orphaned
        and state.owner_person is not None
        and state.backup_person is not None
        and state.acting_owner is None
        and procedure.backup != procedure.owner
    ):
        reason = state.backup_person.unavailable_reason(context.today)
        yield Problem(
            f"owner '{procedure.owner}' is {state.orphan_reason} and backup "
            f"'{procedure.backup}'{_from(procedure, 'backup')} is {reason}: nobody can act for "
            "this procedure",
            procedure.line_of("backup"),
        )


@rule("OW009", "owner-is-backup", Severity.ERROR)
def owner_is_backup(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The owner is also the backup, so nobody stands in when they are away.

    Fix: name a different person as backup.
    """
    if _applies(procedure) and procedure.owner and procedure.owner == procedure.backup:
        yield Problem(
            f"'{procedure.owner}' is both owner and backup; name a different backup",
            procedure.line_of("backup"),
        )


@rule("OW010", "unknown-escalation", Severity.WARNING)
def unknown_escalation(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """`escalate_to` names no role, team or person of the roster.

    Fix: use a role (e.g. `team-lead`), a team handle or a person's handle from the roster.
    """
    target = procedure.escalate_to
    if (
        _applies(procedure)
        and target
        and context.roster is not None
        and not context.roster.knows_escalation_target(target)
    ):
        yield Problem(
            f"escalate_to '{target}'{_from(procedure, 'escalate_to')} is not a role, team or "
            "person in the roster",
            procedure.line_of("escalate_to"),
        )
