"""A knowledge base with one procedure in each freshness and ownership situation."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import procedure, procedure_body, write_procedure

# (path, id, title, status, owner, backup, reviewed, service); TODAY is 2026-11-01 and the
# review interval 180 days, so 2026-01-01 is overdue by 124 days and 2026-05-20 due in 15.
MIXED = [
    ("email/fine.md", "KB-0001", "All fine", "published", "jdoe", "asmith", "2026-10-01", "Email"),
    ("email/late.md", "KB-0002", "Late one", "published", "jdoe", "asmith", "2026-01-01", "Email"),
    (
        "network/orphan.md",
        "KB-0003",
        "Owner left",
        "published",
        "gone",
        "jdoe",
        "2026-10-15",
        "Network",
    ),
    (
        "network/nobody.md",
        "KB-0004",
        "Nobody home",
        "published",
        "away",
        "gone",
        "2026-05-01",
        "Network",
    ),
    ("drafts/old-draft.md", "KB-0005", "Old draft", "draft", "asmith", None, "2026-08-01", "Email"),
    ("email/soon.md", "KB-0006", "Due soon", "published", "asmith", "jdoe", "2026-05-20", "Email"),
    ("old/retired.md", "KB-0007", "Retired", "retired", "gone", None, "2020-01-01", "Email"),
    (
        "hardware/unreviewed.md",
        "KB-0008",
        "Never reviewed",
        "published",
        "lead",
        "jdoe",
        None,
        "Hardware",
    ),
]


def mixed_procedure(
    ident: str,
    title: str,
    status: str,
    owner: str | None,
    backup: str | None,
    reviewed: str | None,
    service: str,
) -> str:
    fields = {
        "id": ident,
        "title": title,
        "summary": f"{title}.",
        "service": service,
        "status": status,
        "owner": owner,
        "backup": backup,
        "reviewed": reviewed,
    }
    body = procedure_body(title, symptoms="It breaks.", steps=["Fix it."], escalation="Team lead.")
    return procedure(fields, body, base={})


@pytest.fixture
def mixed_kb(kb_root: Path) -> Path:
    """`kb_root` with its one procedure replaced by the MIXED set."""
    (kb_root / "procedures/email/outlook-profile.md").unlink()
    for rel, ident, title, status, owner, backup, reviewed, service in MIXED:
        write_procedure(
            kb_root, rel, mixed_procedure(ident, title, status, owner, backup, reviewed, service)
        )
    return kb_root
