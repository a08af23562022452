"""`kbtool show` for a call: Markdown rendered for the terminal, plain in a pipe (issue 13)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TODAY, write_procedure

ROSTER = """\
people:
  jdoe:
    name: Jane Doe
    role: senior-agent
    team: desk
    email: jane@example.com
    phone: "+44 20 7946 0000"
    chat: "@jane.doe"
  asmith: {name: Alan Smith, role: agent, team: desk, email: alan@example.com}
  lead: {name: Lee Lead, role: team-lead, team: desk}
teams:
  desk: {name: Service Desk, lead: lead}
"""

FRONT = """\
---
id: {id}
title: {title}
summary: The caller cannot print.
service: Printing
status: {status}
owner: jdoe
backup: asmith
reviewed: 2026-10-01
escalate_to: team-lead
{extra}
---

# {title}
"""

BODY = """
## Symptoms

- Jobs **stay** in the queue; see [the other one](../printing/other.md).

## Resolution

- Before you start, check:
  1. The printer is **on**: see [Escalation](#escalation).
     - the display is lit
     - no red light
  2. Restart the spooler:

     ```sh
     net stop spooler
     ```
  3. Read [the vendor's guide](https://example.com/guide) <!-- a note for authors -->

## Escalation

Escalate to the **team lead** with the printer's name.
"""


@pytest.fixture
def show_kb(kb_root: Path) -> Path:
    (kb_root / "procedures" / "roster.yml").write_text(ROSTER, encoding="utf-8")
    text = FRONT.format(id="KB-0010", title="Printer queue stuck", status="published", extra="")
    write_procedure(kb_root, "printing/queue.md", text + BODY)
    other = FRONT.format(id="KB-0011", title="Other printer", status="published", extra="")
    write_procedure(kb_root, "printing/other.md", other + BODY)
    old = FRONT.format(
        id="KB-0012", title="Fax busy", status="retired", extra="superseded_by: KB-0010"
    )
    write_procedure(kb_root, "printing/fax.md", old + BODY)
    return kb_root


def test_steps_sub_bullets_code_links_and_people(show_kb: Path, run_cli) -> None:  # noqa: ANN001
    result = run_cli("--today", TODAY, "show", "KB-0010")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "\x1b[" not in out  # a pipe: plain text, no colour
    expected = """\
KB-0010  Printer queue stuck
Printing · published · printing/queue.md
The caller cannot print.

Owner:  Jane Doe (jdoe) · jane@example.com · +44 20 7946 0000 · chat @jane.doe
Backup: Alan Smith (asmith) · alan@example.com
Review: ok, reviewed 2026-10-01, due 2027-03-30

Symptoms
   • Jobs stay in the queue; see the other one (KB-0011).

Resolution
  1. The printer is on: see Escalation.
      • the display is lit
      • no red light
  2. Restart the spooler:
      net stop spooler
  3. Read the vendor's guide (https://example.com/guide)

Escalation
  To: Team lead (role team-lead)
      Lee Lead (lead)

  Escalate to the team lead with the printer's name.
"""
    assert out == expected


@pytest.mark.parametrize(
    ("target", "said"),
    [
        (
            "desk",
            "  To: Service Desk (team desk) · desk@example.com\n      lead: Lee Lead (lead)\n",
        ),
        (
            "jdoe",
            "  To: Jane Doe (jdoe) · jane@example.com · +44 20 7946 0000 · chat @jane.doe\n",
        ),
        ("trainer", "  To: Trainer (role trainer)\n      nobody in the roster holds this role"),
        ("nobody-knows", "  To: nobody-knows (not in the roster)\n"),
    ],
)
def test_who_to_escalate_to_is_read_in_the_roster(
    show_kb: Path,
    run_cli,  # noqa: ANN001
    target: str,
    said: str,
) -> None:
    roster = show_kb / "procedures" / "roster.yml"
    roster.write_text(
        ROSTER.replace("lead: lead}", "lead: lead, email: desk@example.com}"), "utf-8"
    )
    page = show_kb / "procedures" / "printing" / "queue.md"
    page.write_text(
        page.read_text("utf-8").replace("escalate_to: team-lead", f"escalate_to: {target}"),
        "utf-8",
    )
    assert run_cli("index").exit_code == 0
    result = run_cli("--today", TODAY, "show", "KB-0010")
    assert result.exit_code == 0, result.output
    assert "Escalation\n" + said in result.stdout
    data = json.loads(run_cli("--today", TODAY, "show", "KB-0010", "--json").stdout)
    contact = data["escalate_to_contact"]
    assert data["escalate_to"] == target
    assert contact["kind"] == {"desk": "team", "jdoe": "person", "trainer": "role"}.get(
        target, "unknown"
    )
    if target == "desk":
        assert contact["email"] == "desk@example.com"
        assert [p["handle"] for p in contact["people"]] == ["lead"]


@pytest.mark.parametrize(
    "typed", ["KB-0010", "kb-0010", "printing/queue.md", "procedures/printing/queue.md"]
)
def test_an_id_or_a_path_as_typed(show_kb: Path, run_cli, typed: str) -> None:  # noqa: ANN001
    result = run_cli("show", typed, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] == "KB-0010"
    assert data["steps"][0].startswith("The printer is **on**")
    assert data["steps"][1] == "Restart the spooler:\n\n```sh\nnet stop spooler\n```"


def test_a_retired_procedure_prints_its_banner_first(show_kb: Path, run_cli) -> None:  # noqa: ANN001
    result = run_cli("show", "KB-0012")
    assert result.stdout.splitlines()[0] == (
        "RETIRED: no longer in use; do not follow it with a caller."
        " Replaced by KB-0010 Printer queue stuck: kbtool show KB-0010"
    )


def test_on_a_terminal_bold_and_code_are_styled(show_kb: Path) -> None:
    from kbtool.cli.show_text import Renderer

    styled = "\n".join(Renderer(True, 80).markdown("Press **Enter** and run `ipconfig`."))
    plain = "\n".join(Renderer(False, 80).markdown("Press **Enter** and run `ipconfig`."))
    assert "\x1b[1m" in styled and "Enter" in styled
    assert plain == "  Press Enter and run ipconfig."


def test_search_does_not_import_the_terminal_renderer(show_kb: Path) -> None:
    code = (
        "import sys\n"
        "from kbtool.cli import main\n"
        "sys.argv = ['kbtool', 'search', 'printer']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('RICH', any(m == 'rich' or m.startswith('rich.') for m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=show_kb,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=120,
    )
    assert "KB-0010" in done.stdout, done.stderr
    assert done.stdout.strip().endswith("RICH False")
