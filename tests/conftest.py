"""Shared fixtures: a small knowledge base written into tmp_path, and a CLI runner; the one
builder of test procedures (`procedure`), which every test folder's knowledge bases use."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import pytest
from click.testing import CliRunner, Result

from tests.events.postgres import PostgresServer, postgres_server

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

#: The clean procedure's front matter as raw YAML values, in the order `kbtool new` writes them.
BASE_FIELDS: dict[str, str] = {
    "id": "KB-0001",
    "title": 'Outlook is stuck on "Loading profile"',
    "summary": "Outlook opens but never gets past the Loading profile screen.",
    "service": "Email",
    "tags": "[outlook, profile]",
    "audience": "L1",
    "status": "published",
    "owner": "jdoe",
    "backup": "asmith",
    "reviewed": "2026-10-01",
    "review_every": "180",
    "escalate_to": "team-lead",
    "error_codes": '["0x8004010F"]',
    "related": "[]",
}


def procedure_body(title: str, *, symptoms: str, steps: Sequence[str], escalation: str) -> str:
    """A body in the content standard: the title, Symptoms, numbered Resolution, Escalation."""
    numbered = "".join(f"{number}. {step}\n" for number, step in enumerate(steps, 1))
    return (
        f"# {title}\n\n## Symptoms\n\n{symptoms}\n\n## Resolution\n\n{numbered}\n"
        f"## Escalation\n\n{escalation}\n"
    )


BODY = procedure_body(
    'Outlook is stuck on "Loading profile"',
    symptoms="Outlook shows *Loading profile* and never opens.",
    steps=["Close Outlook.", "Start it with `outlook.exe /safe`."],
    escalation="If safe mode hangs too, escalate to the team lead.",
)


def procedure(
    changes: Mapping[str, str | None] | None = None,
    body: str = BODY,
    *,
    base: Mapping[str, str] = BASE_FIELDS,
    extra_lines: str = "",
) -> str:
    """The text of a procedure file: every test's procedures are built here.

    The front matter is `base` (default: the clean procedure's fields) with `changes`: raw YAML
    values replace a field, None drops it, new keys come last; `extra_lines` (raw YAML, for
    what a mapping cannot say: broken or repeated keys) follow. Then a blank line and `body`.
    """
    fields = dict(base)
    for key, value in (changes or {}).items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    front = "".join(f"{key}: {value}\n" for key, value in fields.items()) + extra_lines
    return f"---\n{front}---\n\n{body}"


GOOD_PROCEDURE = procedure()

TODAY = "2026-11-01"


def write_procedure(root: Path, rel: str, content: str | bytes) -> Path:
    """Write a file under `root`/procedures/ exactly as given."""
    path = root / "procedures" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
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


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the session (each test makes its own database)."""
    # Not under pytest's tmp_path: `nobody`, who runs it when the tests run as root, must
    # be able to reach the folder.
    with tempfile.TemporaryDirectory(prefix="kbtool-pg-") as folder:
        Path(folder).chmod(0o755)
        with postgres_server(Path(folder) / "pg") as server:
            yield server
