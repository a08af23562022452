"""Shared fixtures: a small knowledge base written into tmp_path, and a CLI runner."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Protocol

import pytest
from click.testing import CliRunner, Result

ROSTER = """\
people:
  jdoe: {name: Jane Doe, role: senior-agent, team: desk, email: jane@example.com, github: janedoe}
  asmith: {name: Alan Smith, role: agent, team: desk, email: alan@example.com, github: alansmith}
  gone: {name: Gone Person, role: agent, team: desk, active: false}
  away: {name: Away Person, role: agent, team: desk, away_until: 2026-12-31}
  lead: {name: Lee Lead, role: team-lead, team: desk, github: leelead}
teams:
  desk: {name: Service Desk, lead: lead}
"""

GOOD_PROCEDURE = """\
---
id: KB-0001
title: Outlook is stuck on "Loading profile"
summary: Outlook opens but never gets past the Loading profile screen.
service: Email
tags: [outlook, profile]
audience: L1
status: published
owner: jdoe
backup: asmith
reviewed: 2026-10-01
review_every: 180
escalate_to: team-lead
error_codes: ["0x8004010F"]
related: []
---

# Outlook is stuck on "Loading profile"

## Symptoms

Outlook shows *Loading profile* and never opens.

## Resolution

1. Close Outlook.
2. Start it with `outlook.exe /safe`.

## Escalation

If safe mode hangs too, escalate to the team lead.
"""

TODAY = "2026-11-01"


def write_procedure(root: Path, rel: str, text: str) -> Path:
    path = root / "procedures" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def kb_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A knowledge base with a roster and one clean procedure; the current directory."""
    (tmp_path / "procedures").mkdir()
    (tmp_path / "procedures" / "roster.yml").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "kbtool.toml").write_text("", encoding="utf-8")
    write_procedure(tmp_path, "email/outlook-profile.md", GOOD_PROCEDURE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


class RunCli(Protocol):
    """`run_cli("--today", TODAY, "lint")`: the exit code, `output` (stdout and stderr as a
    user sees them), `stdout` and `stderr` of one `kbtool` run."""

    def __call__(self, *args: str, input: str | None = None) -> Result: ...


@pytest.fixture
def run_cli() -> RunCli:
    """Run `kbtool ARGS...` in-process with click's CliRunner (stderr kept apart)."""
    from kbtool.cli import main

    def run(*args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return run
