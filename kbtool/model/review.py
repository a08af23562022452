"""Review state and ownership of a procedure as of a date.

One place computes "is it overdue?" and "who is acting owner?", so the linter, the freshness
report, search results and the site always say the same thing.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from kbtool.model.config import Config
from kbtool.model.effective import standing_backup
from kbtool.model.procedure import Procedure
from kbtool.model.roster import Person, Roster


class ReviewStatus(enum.Enum):
    OK = "ok"
    DUE_SOON = "due-soon"
    OVERDUE = "overdue"
    NEVER_REVIEWED = "never-reviewed"
    FUTURE = "future"  # reviewed date after today: a typo or a wrong date format
    NOT_APPLICABLE = "not-applicable"  # retired procedures are not reviewed


@dataclass(frozen=True)
class ReviewState:
    status: ReviewStatus
    reviewed: dt.date | None
    interval_days: int
    due: dt.date | None
    days_left: int | None  # negative when overdue

    @property
    def overdue(self) -> bool:
        return self.status is ReviewStatus.OVERDUE

    @property
    def never_due(self) -> bool:
        """Reviewed, still reviewable, but due only after the calendar ends (9999-12-31)."""
        return (
            self.reviewed is not None
            and self.due is None
            and self.status in (ReviewStatus.OK, ReviewStatus.FUTURE)
        )

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def review_state(procedure: Procedure, config: Config, today: dt.date) -> ReviewState:
    """The review state as of `today`.

    A due date past the end of the calendar (after 9999-12-31, e.g. `reviewed: 9999-12-31`)
    has no date: `due` and `days_left` are None and the procedure is never due. The linter
    reports such review dates as being in the future (FR003).
    """
    interval = procedure.review_every or config.review_interval(procedure.service)
    reviewed = procedure.reviewed
    if procedure.status == "retired":
        return ReviewState(ReviewStatus.NOT_APPLICABLE, reviewed, interval, None, None)
    if reviewed is None:
        return ReviewState(ReviewStatus.NEVER_REVIEWED, None, interval, None, None)
    due = add_days(reviewed, interval)
    if due is None:
        status = ReviewStatus.FUTURE if reviewed > today else ReviewStatus.OK
        return ReviewState(status, reviewed, interval, None, None)
    days_left = (due - today).days
    if reviewed > today:
        status = ReviewStatus.FUTURE
    elif days_left < 0:
        status = ReviewStatus.OVERDUE
    elif days_left <= config.due_soon_days:
        status = ReviewStatus.DUE_SOON
    else:
        status = ReviewStatus.OK
    return ReviewState(status, reviewed, interval, due, days_left)


def add_days(day: dt.date, days: int) -> dt.date | None:
    """`day` plus `days`, or None when that falls outside the calendar (years 1 to 9999)."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:  # past date.max, or more days than a timedelta holds
        return None


@dataclass(frozen=True)
class Ownership:
    """Who answers for a procedure today."""

    owner: str | None
    backup: str | None
    owner_person: Person | None
    backup_person: Person | None
    acting_owner: str | None  # the owner, or the backup when the owner is unavailable
    orphaned: bool  # the owner is inactive or away
    orphan_reason: str | None  # e.g. "inactive", "away until 2026-12-01", "not in the roster"

    @property
    def unowned(self) -> bool:
        """Nobody available answers for it: no owner, or orphaned with no available backup."""
        return self.acting_owner is None


def ownership(procedure: Procedure, roster: Roster | None, today: dt.date) -> Ownership:
    """Who answers today. A procedure naming no backup has its owner's standing backup, also
    when it was built from stored fields (search) rather than loaded with the roster."""
    owner, backup = procedure.owner, procedure.backup
    if backup is None:
        backup = standing_backup(roster, owner)
    if roster is None:
        # Without a roster every named owner is taken at their word.
        return Ownership(owner, backup, None, None, owner, False, None)
    owner_person = roster.person(owner)
    backup_person = roster.person(backup)
    backup_available = backup_person is not None and backup_person.available(today)
    if owner is None:
        return Ownership(None, backup, None, backup_person, None, False, None)
    if owner_person is None:
        reason: str | None = "not in the roster"
    else:
        reason = owner_person.unavailable_reason(today)
    if reason is None:
        return Ownership(owner, backup, owner_person, backup_person, owner, False, None)
    acting = backup if backup_available and backup != owner else None
    return Ownership(owner, backup, owner_person, backup_person, acting, True, reason)
