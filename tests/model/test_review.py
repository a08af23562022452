"""Review state and ownership: the one place every surface asks "overdue?" and "who acts?"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kbtool.model.config import Config, load_config
from kbtool.model.procedure import Procedure
from kbtool.model.review import ReviewStatus, ownership, review_state
from kbtool.model.roster import Roster, load_roster
from tests.conftest import ROSTER

TODAY = dt.date(2026, 11, 1)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    (tmp_path / "kbtool.toml").write_text(
        "[review]\nevery = 100\ndue_soon = 10\n[review.by_service]\nNetwork = 30\n"
    )
    return load_config(cwd=tmp_path)


@pytest.fixture
def roster(tmp_path: Path) -> Roster:
    path = tmp_path / "roster.yml"
    path.write_text(ROSTER)
    return load_roster(path)


def make(**fields: object) -> Procedure:
    return Procedure(path=Path("/kb/x.md"), rel_path="x.md", fields=dict(fields))


@pytest.mark.parametrize(
    ("fields", "status", "due", "days_left"),
    [
        ({"reviewed": dt.date(2026, 10, 1)}, ReviewStatus.OK, "2027-01-09", 69),
        ({"reviewed": dt.date(2026, 7, 30)}, ReviewStatus.DUE_SOON, "2026-11-07", 6),
        ({"reviewed": dt.date(2026, 7, 24)}, ReviewStatus.DUE_SOON, "2026-11-01", 0),
        ({"reviewed": dt.date(2026, 7, 23)}, ReviewStatus.OVERDUE, "2026-10-31", -1),
        ({"reviewed": dt.date(2026, 11, 2)}, ReviewStatus.FUTURE, "2027-02-10", 101),
        ({}, ReviewStatus.NEVER_REVIEWED, None, None),
        (
            {"reviewed": dt.date(2020, 1, 1), "status": "retired"},
            ReviewStatus.NOT_APPLICABLE,
            None,
            None,
        ),
        (
            {"reviewed": dt.date(2026, 10, 1), "service": "Network"},
            ReviewStatus.OVERDUE,
            "2026-10-31",
            -1,
        ),
        (
            {"reviewed": dt.date(2026, 10, 1), "service": "Network", "review_every": 365},
            ReviewStatus.OK,
            "2027-10-01",
            334,
        ),
    ],
)
def test_review_state(
    config: Config,
    fields: dict[str, object],
    status: ReviewStatus,
    due: str | None,
    days_left: int | None,
) -> None:
    state = review_state(make(**fields), config, TODAY)
    assert state.status is status
    assert state.due == (dt.date.fromisoformat(due) if due else None)
    assert state.days_left == days_left
    assert state.overdue is (status is ReviewStatus.OVERDUE)
    assert state.days_overdue == (-days_left if days_left is not None and days_left < 0 else 0)


# (owner, backup, acting owner, orphaned, reason); roster: jdoe, asmith, lead available,
# gone inactive, away away until 2026-12-31.
OWNERSHIP = [
    pytest.param("jdoe", "asmith", "jdoe", False, None, id="owner-acts"),
    pytest.param("away", "asmith", "asmith", True, "away until 2026-12-31", id="away-backup-acts"),
    pytest.param("gone", "asmith", "asmith", True, "inactive", id="inactive-backup-acts"),
    pytest.param("gone", "away", None, True, "inactive", id="both-unavailable"),
    pytest.param("away", "gone", None, True, "away until 2026-12-31", id="away-backup-gone"),
    pytest.param("away", None, None, True, "away until 2026-12-31", id="away-no-backup"),
    pytest.param("away", "away", None, True, "away until 2026-12-31", id="backup-is-owner"),
    pytest.param("zed", "asmith", "asmith", True, "not in the roster", id="owner-not-in-roster"),
    pytest.param("zed", "yan", None, True, "not in the roster", id="nobody-in-roster"),
    pytest.param(None, "asmith", None, False, None, id="no-owner"),
    pytest.param("jdoe", "gone", "jdoe", False, None, id="owner-fine-backup-gone"),
]


@pytest.mark.parametrize(("owner", "backup", "acting", "orphaned", "reason"), OWNERSHIP)
def test_ownership(
    roster: Roster,
    owner: str | None,
    backup: str | None,
    acting: str | None,
    orphaned: bool,
    reason: str | None,
) -> None:
    fields = {k: v for k, v in (("owner", owner), ("backup", backup)) if v is not None}
    state = ownership(make(**fields), roster, TODAY)
    assert (state.acting_owner, state.orphaned, state.orphan_reason) == (acting, orphaned, reason)
    assert state.unowned is (acting is None)
    assert state.owner == owner and state.backup == backup


def test_owner_back_from_leave(roster: Roster) -> None:
    state = ownership(make(owner="away", backup="asmith"), roster, dt.date(2027, 1, 1))
    assert state.acting_owner == "away" and not state.orphaned


def test_without_roster_owner_is_taken_at_their_word() -> None:
    state = ownership(make(owner="anyone", backup="else"), None, TODAY)
    assert state.acting_owner == "anyone" and not state.orphaned
    assert state.owner_person is None and state.backup_person is None
