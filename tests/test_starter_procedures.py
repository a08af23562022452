"""The repository's own starter procedures meet the bar set for them (issue 2, item 6).

Everything is read through the library (config, knowledge base, roster, review state), so these
checks see the procedures exactly as `kbtool lint`, search and the site do.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kbtool.lint.engine import lint
from kbtool.lint.findings import Severity
from kbtool.lint.selection import RuleSelection
from kbtool.model.config import load_config
from kbtool.model.knowledge_base import KnowledgeBase, load_knowledge_base
from kbtool.model.procedure import Procedure
from kbtool.model.review import ReviewStatus, ownership, review_state
from kbtool.model.roster import ROLES

REPO = Path(__file__).resolve().parents[1]
# Fixed, like the repository lint test: reviews fall due as the calendar moves, tests must not.
TODAY = dt.date(2026, 11, 23)

SERVICES = {"Accounts", "Email", "Network", "Hardware", "Printing", "Security", "Software"}
MIN_PROCEDURES = 12
MIN_SERVICES = 5
MIN_STEPS = 3
MIN_OWNERS = 5


def _load() -> KnowledgeBase:
    return load_knowledge_base(load_config(cwd=REPO), require_roster=True)


KB = _load()
assert KB.roster is not None
ROSTER = KB.roster
PUBLISHED = [p for p in KB.procedures if p.status == "published"]
LIVE = [p for p in KB.procedures if p.status != "retired"]


def _ids(procedures: list[Procedure]) -> list[str]:
    return [p.rel_path for p in procedures]


# --- the set as a whole -----------------------------------------------------------------------


def test_enough_procedures() -> None:
    assert len(KB.procedures) >= MIN_PROCEDURES
    assert len(PUBLISHED) >= MIN_PROCEDURES


def test_enough_services() -> None:
    services = {p.service for p in PUBLISHED}
    assert len(services) >= MIN_SERVICES, services


def test_ids_are_unique() -> None:
    duplicates = {ident: len(ps) for ident, ps in KB.by_id().items() if len(ps) > 1}
    assert duplicates == {}
    assert all(p.id is not None for p in KB.procedures)


def test_ownership_is_spread_over_several_people() -> None:
    owners = {p.owner for p in PUBLISHED}
    assert len(owners) >= MIN_OWNERS, owners


def test_an_orphaned_procedure_has_its_backup_acting() -> None:
    """The starter set shows the owner-away case: the backup acts, nothing is unowned."""
    orphaned = [ownership(p, ROSTER, TODAY) for p in PUBLISHED]
    orphaned = [state for state in orphaned if state.orphaned]
    assert orphaned, "expected one procedure whose owner is away"
    for state in orphaned:
        assert state.acting_owner == state.backup


def test_lint_finds_no_errors_and_only_the_intended_warning() -> None:
    result = lint(KB, TODAY, selection=RuleSelection.build(), cwd=REPO)
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    assert errors == []
    assert {f.code for f in result.findings} <= {"OW004"}


# --- every procedure --------------------------------------------------------------------------


@pytest.mark.parametrize("procedure", KB.procedures, ids=_ids(KB.procedures))
def test_front_matter_reads_cleanly(procedure: Procedure) -> None:
    assert procedure.issues == []
    assert procedure.id is not None and KB.config.id_regex.fullmatch(procedure.id)
    assert procedure.service in SERVICES
    assert procedure.title and procedure.summary
    assert procedure.audience in {"L1", "L2", "L3"}


@pytest.mark.parametrize("procedure", KB.procedures, ids=_ids(KB.procedures))
def test_service_matches_folder(procedure: Procedure) -> None:
    folder = procedure.rel_path.split("/", 1)[0]
    assert procedure.service is not None and folder == procedure.service.lower()


@pytest.mark.parametrize("procedure", KB.procedures, ids=_ids(KB.procedures))
def test_body_follows_the_content_standard(procedure: Procedure) -> None:
    assert procedure.scan is not None
    for title in ("Symptoms", "Resolution", "Escalation"):
        section = procedure.scan.section(title)
        assert section is not None, f"missing ## {title}"
        assert section.has_content, f"## {title} is empty"
    resolution = procedure.scan.section("Resolution")
    assert resolution is not None and resolution.steps >= MIN_STEPS


@pytest.mark.parametrize("procedure", KB.procedures, ids=_ids(KB.procedures))
def test_owner_is_an_active_person_of_the_desk_chain(procedure: Procedure) -> None:
    person = ROSTER.person(procedure.owner)
    assert person is not None, f"owner {procedure.owner!r} not in the roster"
    assert person.active
    assert person.role in ROLES


@pytest.mark.parametrize("procedure", PUBLISHED, ids=_ids(PUBLISHED))
def test_published_procedure_has_a_distinct_available_backup(procedure: Procedure) -> None:
    backup = ROSTER.person(procedure.backup)
    assert backup is not None, f"backup {procedure.backup!r} not in the roster"
    assert backup.active and backup.available(TODAY)
    assert backup.role in ROLES
    assert backup.handle != procedure.owner
    assert not ownership(procedure, ROSTER, TODAY).unowned


@pytest.mark.parametrize("procedure", PUBLISHED, ids=_ids(PUBLISHED))
def test_published_procedure_is_reviewed_and_not_due(procedure: Procedure) -> None:
    assert review_state(procedure, KB.config, TODAY).status is ReviewStatus.OK


@pytest.mark.parametrize("procedure", LIVE, ids=_ids(LIVE))
def test_escalation_target_and_related_ids_resolve(procedure: Procedure) -> None:
    assert procedure.escalate_to is not None
    assert ROSTER.knows_escalation_target(procedure.escalate_to)
    known = set(KB.by_id())
    assert set(procedure.related) <= known
    assert procedure.id not in procedure.related
