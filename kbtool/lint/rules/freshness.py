"""FR: procedures are reviewed on schedule (review_every days after `reviewed`)."""

from __future__ import annotations

from collections.abc import Iterator

from kbtool.lint.findings import Problem, Severity
from kbtool.lint.rules.base import LintContext, rule
from kbtool.model.issues import IssueKind
from kbtool.model.procedure import Procedure
from kbtool.model.review import ReviewStatus


def _reviewable(procedure: Procedure) -> bool:
    """Freshness applies to published procedures; drafts are not yet, retired ones no longer."""
    return procedure.has_front_matter and procedure.status == "published"


@rule("FR001", "overdue", Severity.ERROR)
def overdue(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The procedure is overdue for review: `reviewed` + `review_every` days is in the past.

    The interval comes from `review_every` in the procedure, else `review.by_service`, else
    `review.every` (180 days). Fix: have the owner review it, then `kbtool review ID`.
    """
    if not _reviewable(procedure):
        return
    state = context.review(procedure)
    if state.status is ReviewStatus.OVERDUE:
        assert state.due is not None
        yield Problem(
            f"overdue for review by {state.days_overdue} days (due {state.due.isoformat()}); "
            "review it and run `kbtool review`",
            procedure.line_of("reviewed"),
        )


@rule("FR002", "due-soon", Severity.WARNING)
def due_soon(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The review falls due within `review.due_soon` days (30 by default).

    A reminder, not a failure. Fix: plan the review with the owner before the due date.
    """
    if not _reviewable(procedure):
        return
    state = context.review(procedure)
    if state.status is ReviewStatus.DUE_SOON:
        assert state.due is not None
        yield Problem(
            f"review due in {state.days_left} days ({state.due.isoformat()})",
            procedure.line_of("reviewed"),
        )


@rule("FR003", "review-date-in-future", Severity.ERROR)
def future_date(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The review date is after today: usually a typo or a day/month swap.

    A date far ahead used to mean "never expires" (`9999-12-31`) is reported here too; such a
    procedure is not counted as overdue or due (a due date after 9999-12-31 is never reached).
    Retired procedures are not checked. Fix: write the date of the last real review
    (`YYYY-MM-DD`); for a procedure that rarely changes, a long `review_every` instead.
    """
    reviewed = procedure.reviewed
    if (
        procedure.has_front_matter
        and reviewed is not None
        and reviewed > context.today
        and procedure.status != "retired"
    ):
        hint = ""
        if reviewed.year - context.today.year > 1:
            hint = (
                "; if it stands for 'never expires', write the date of the last review "
                "instead, and a longer review_every if it rarely changes"
            )
        yield Problem(
            f"reviewed date {reviewed.isoformat()} is in the future "
            f"(today is {context.today.isoformat()}){hint}",
            procedure.line_of("reviewed"),
        )


@rule("FR004", "never-reviewed", Severity.ERROR)
def never_reviewed(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A published procedure has no review date, so nobody knows whether it is still right.

    Fix: review it and run `kbtool review ID` (it adds `reviewed:` with today's date).
    """
    if not _reviewable(procedure) or not procedure.raw:
        return
    if procedure.reviewed is None and not procedure.issues_of(IssueKind.BAD_DATE):
        key = context.config.source_key("reviewed")
        yield Problem(f"published without a review date: add `{key}: YYYY-MM-DD`", 1)
