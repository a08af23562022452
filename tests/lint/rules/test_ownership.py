"""OW rules: an accountable owner and a backup identified in advance.

The roster of tests/conftest.py: jdoe, asmith and lead are available; `gone` is inactive;
`away` is away until 2026-12-31 (TODAY is 2026-11-01).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import procedure
from tests.lint.rules.helpers import MAIN, assert_finding, line_of, lint_kb, of

FAILING = [
    pytest.param({"owner": None}, "OW001", None, "no owner", id="no-owner"),
    pytest.param({"owner": "''"}, "OW001", None, "no owner", id="empty-owner"),
    pytest.param(
        {"owner": None, "status": "draft"}, "OW001", None, "no owner", id="draft-needs-owner"
    ),
    pytest.param({"owner": "jdeo"}, "OW002", "owner:", "did you mean 'jdoe'", id="owner-typo"),
    pytest.param({"owner": "zz"}, "OW002", "owner:", "add them to roster.yml", id="owner-unknown"),
    pytest.param(
        {"owner": "gone"},
        "OW003",
        "owner:",
        "orphaned (acting owner is the backup 'asmith')",
        id="orphaned-names-backup",
    ),
    pytest.param(
        {"owner": "away"},
        "OW004",
        "owner:",
        "away until 2026-12-31: 'asmith' (backup) is acting owner",
        id="owner-away",
    ),
    pytest.param({"backup": None}, "OW005", None, "no backup", id="no-backup"),
    pytest.param(
        {"backup": "asmiht"}, "OW006", "backup:", "did you mean 'asmith'", id="backup-typo"
    ),
    pytest.param({"backup": "gone"}, "OW007", "backup:", "inactive", id="backup-inactive"),
    pytest.param(
        {"owner": "away", "backup": "gone"},
        "OW008",
        "backup:",
        "owner 'away' is away until 2026-12-31 and backup 'gone' is inactive",
        id="away-and-inactive",
    ),
    pytest.param(
        {"owner": "gone", "backup": "away"},
        "OW008",
        "backup:",
        "nobody can act",
        id="inactive-and-away",
    ),
    pytest.param(
        {"backup": "jdoe"}, "OW009", "backup:", "both owner and backup", id="owner-is-backup"
    ),
    pytest.param(
        {"escalate_to": "wizard"},
        "OW010",
        "escalate_to:",
        "not a role, team or person",
        id="escalation-unknown",
    ),
]


@pytest.mark.parametrize(("changes", "code", "needle", "fragment"), FAILING)
def test_ownership_rule_fails(
    kb_root: Path, changes: dict[str, str | None], code: str, needle: str | None, fragment: str
) -> None:
    text = procedure(changes)
    findings = lint_kb(kb_root, {MAIN: text})
    assert_finding(findings, code, line_of(text, needle), fragment)


PASSING = [
    pytest.param({}, "OW001", id="has-owner"),
    pytest.param({"owner": None, "status": "retired"}, "OW001", id="retired-unowned"),
    pytest.param({"owner": "lead"}, "OW002", id="owner-known"),
    pytest.param({"owner": "away"}, "OW003", id="away-is-not-inactive"),
    pytest.param({"owner": "gone"}, "OW004", id="inactive-is-not-away"),
    pytest.param({"backup": None, "status": "draft"}, "OW005", id="draft-needs-no-backup"),
    pytest.param({"backup": None, "status": "retired"}, "OW005", id="retired-needs-no-backup"),
    pytest.param({"backup": "lead"}, "OW006", id="backup-known"),
    pytest.param({"backup": "away"}, "OW007", id="backup-away-not-inactive"),
    pytest.param({"owner": "gone"}, "OW008", id="backup-acts"),
    pytest.param({"owner": "gone", "backup": "gone"}, "OW008", id="same-person-is-OW009"),
    pytest.param({"backup": "lead"}, "OW009", id="different-backup"),
    pytest.param({"escalate_to": "desk"}, "OW010", id="escalate-to-team"),
    pytest.param({"escalate_to": "lead"}, "OW010", id="escalate-to-person"),
    pytest.param({"escalate_to": "service-desk-manager"}, "OW010", id="escalate-to-role"),
]


@pytest.mark.parametrize(("changes", "code"), PASSING)
def test_ownership_rule_passes(kb_root: Path, changes: dict[str, str | None], code: str) -> None:
    findings = lint_kb(kb_root, {MAIN: procedure(changes)})
    assert of(findings, code) == [], findings


def test_owner_back_from_leave_is_not_reported(kb_root: Path) -> None:
    findings = lint_kb(kb_root, {MAIN: procedure({"owner": "away"})}, today="2027-01-01")
    assert of(findings, "OW004") == []


def test_orphaned_without_usable_backup_says_so(kb_root: Path) -> None:
    findings = lint_kb(kb_root, {MAIN: procedure({"owner": "gone", "backup": "gone"})})
    assert_finding(findings, "OW003", line_of(procedure(), "owner:"), "no backup can act for them")
    assert_finding(findings, "OW009", line_of(procedure(), "backup:"), "both owner and backup")


def test_without_roster_only_presence_is_checked(kb_root: Path) -> None:
    (kb_root / "procedures" / "roster.yml").unlink()
    findings = lint_kb(kb_root, {MAIN: procedure({"owner": "zz", "backup": "gone"})})
    assert [f.code for f in findings if f.code.startswith("OW")] == []
    findings = lint_kb(kb_root, {MAIN: procedure({"backup": None})})
    assert [f.code for f in findings] == ["OW005"]
