"""`kbtool stale`: the freshness and ownership report, grouped by acting owner."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TODAY, write_procedure

EXPECTED_TEXT = """\
Freshness as of 2026-11-01 (due soon: within 30 days; drafts older than 30 days)

Nobody can act (unowned)
  KB-0004  procedures/network/nobody.md  unowned: owner away is away until 2026-12-31 and no \
backup can act; 4 days overdue (due 2026-10-28)  [backup: gone]

asmith (Alan Smith)
  KB-0006  procedures/email/soon.md  due in 15 days (2026-11-16)  [backup: jdoe]
  KB-0005  procedures/drafts/old-draft.md  draft for 92 days  [backup: none]

jdoe (Jane Doe)
  KB-0002  procedures/email/late.md  124 days overdue (due 2026-06-30)  [backup: asmith]
  KB-0003  procedures/network/orphan.md  orphaned: owner gone is inactive; jdoe (backup) acts  \
[backup: jdoe]

lead (Lee Lead)
  KB-0008  procedures/hardware/unreviewed.md  published but never reviewed  [backup: jdoe]

2 overdue, 1 never reviewed, 1 due soon, 1 orphaned, 1 unowned, 1 old draft (of 7 procedures)
"""


def test_text_report(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli("--today", TODAY, "stale")
    assert result.exit_code == 0
    assert result.output == EXPECTED_TEXT


def test_markdown_report(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli("--today", TODAY, "stale", "--format", "markdown")
    assert result.exit_code == 0
    out = result.output
    assert out.startswith("## Knowledge base freshness: needs attention\n")
    assert "| 7 | 2 | 1 | 1 | 1 | 1 | 1 |" in out
    headings = [line for line in out.splitlines() if line.startswith("### ")]
    assert headings == [
        "### Nobody can act (unowned)",
        "### Alan Smith: asmith (@alansmith)",
        "### Jane Doe: jdoe (@janedoe)",
        "### Lee Lead: lead (@leelead)",
    ]
    assert (
        "| KB-0003 | Owner left | procedures/network/orphan.md | orphaned: owner gone is "
        "inactive; jdoe (backup) acts | gone | jdoe (@janedoe) |" in out
    )


def test_markdown_escapes_titles(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    path = kb_root / "procedures/email/outlook-profile.md"
    text = path.read_text().replace(
        'title: Outlook is stuck on "Loading profile"', 'title: "A | B <script>x</script>"'
    )
    path.write_text(text)
    result = run_cli("--today", "2027-06-01", "stale", "--format", "markdown")
    assert "| A \\| B &lt;script&gt;x&lt;/script&gt; |" in result.output
    assert "<script>" not in result.output


def test_json_report(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli("--today", TODAY, "stale", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["summary"] == {
        "procedures": 7,
        "overdue": 2,
        "never_reviewed": 1,
        "due_soon": 1,
        "orphaned": 1,
        "unowned": 1,
        "old_drafts": 1,
        "baselined": 0,
    }
    assert data["failing"] is True
    assert [g["acting_owner"] for g in data["groups"]] == [None, "asmith", "jdoe", "lead"]
    items = {p["id"]: p for g in data["groups"] for p in g["procedures"]}
    assert set(items) == {"KB-0002", "KB-0003", "KB-0004", "KB-0005", "KB-0006", "KB-0008"}
    late = items["KB-0002"]
    assert late["categories"] == ["overdue"]
    assert late["days_overdue"] == 124 and late["due"] == "2026-06-30"
    assert late["path"] == "email/late.md" and late["repo_path"] == "procedures/email/late.md"
    assert late["assignees"] == ["janedoe", "alansmith"]
    orphan = items["KB-0003"]
    assert orphan["orphaned"] is True and orphan["orphan_reason"] == "inactive"
    assert orphan["acting_owner"] == "jdoe" and orphan["assignees"] == ["janedoe"]
    nobody = items["KB-0004"]
    assert nobody["categories"] == ["unowned", "overdue"] and nobody["unowned"] is True
    assert nobody["assignees"] == []


def test_grouped_by_acting_owner_when_orphaned(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    # After Away Person is back (2027-01-01), KB-0004 is theirs again and no longer unowned.
    data = json.loads(run_cli("--today", "2027-01-01", "stale", "--format", "json").output)
    groups = {g["acting_owner"]: [p["id"] for p in g["procedures"]] for g in data["groups"]}
    assert None not in groups
    assert "KB-0004" in groups["away"]
    assert "KB-0003" in groups["jdoe"]  # still orphaned: its owner left for good


@pytest.mark.parametrize(
    ("today", "args", "expected"),
    [
        (TODAY, ("--fail",), 1),  # overdue and unowned
        (TODAY, (), 0),  # without --fail the report never fails
        ("2026-10-01", ("--fail",), 1),  # KB-0008 is published and never reviewed
    ],
)
def test_fail_exit_codes(
    mixed_kb: Path, run_cli: Callable[..., Any], today: str, args: tuple[str, ...], expected: int
) -> None:
    assert run_cli("--today", today, "stale", *args).exit_code == expected


def test_fail_passes_on_a_healthy_kb(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    # Due soon and old drafts are reminders, not failures.
    result = run_cli("--today", "2027-03-15", "stale", "--fail")
    assert result.exit_code == 0
    assert "KB-0001" in result.output and "due in 15 days" in result.output
    result = run_cli("--today", "2026-11-01", "stale", "--fail")
    assert result.exit_code == 0
    assert "Nothing is overdue, due soon, orphaned or unowned." in result.output


@pytest.mark.parametrize(("within", "listed"), [("10", False), ("15", True), ("60", True)])
def test_within_days(
    mixed_kb: Path, run_cli: Callable[..., Any], within: str, listed: bool
) -> None:
    result = run_cli("--today", TODAY, "stale", "--within", within)
    assert ("KB-0006" in result.output) is listed


def test_within_defaults_to_config(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    (mixed_kb / "kbtool.toml").write_text("[review]\ndue_soon = 7\n")
    result = run_cli("--today", TODAY, "stale")
    assert "within 7 days" in result.output and "KB-0006" not in result.output


@pytest.mark.parametrize(("days", "listed"), [("91", True), ("92", False)])
def test_drafts_older_than(
    mixed_kb: Path, run_cli: Callable[..., Any], days: str, listed: bool
) -> None:
    result = run_cli("--today", TODAY, "stale", "--drafts-older-than", days)
    assert ("KB-0005" in result.output) is listed


def test_agrees_with_lint(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    """Every FR001 finding of the linter is an overdue procedure in the report, and back."""
    lint = json.loads(
        run_cli("--today", TODAY, "lint", "--format", "json", "--select", "FR001").output
    )
    linted = sorted(Path(f["path"]).as_posix() for f in lint["findings"])
    data = json.loads(run_cli("--today", TODAY, "stale", "--format", "json").output)
    reported = sorted(
        p["repo_path"]
        for g in data["groups"]
        for p in g["procedures"]
        if "overdue" in p["categories"]
    )
    assert linted == reported == ["procedures/email/late.md", "procedures/network/nobody.md"]


def test_output_file(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli("--today", TODAY, "stale", "--format", "markdown", "-o", "out/summary.md")
    assert result.exit_code == 0 and result.output == ""
    assert (mixed_kb / "out/summary.md").read_text().startswith("## Knowledge base freshness")


@pytest.mark.parametrize("command", ["stale", "codeowners", "report"])
def test_missing_roster_is_a_clear_error(
    kb_root: Path, run_cli: Callable[..., Any], command: str
) -> None:
    (kb_root / "procedures/roster.yml").unlink()
    result = run_cli("--today", TODAY, command)
    assert result.exit_code == 2
    assert f"{kb_root / 'procedures' / 'roster.yml'}: roster file not found" in result.output


def test_unparsable_procedure_does_not_break_the_report(
    mixed_kb: Path, run_cli: Callable[..., Any]
) -> None:
    write_procedure(mixed_kb, "broken.md", "---\nid: [\n---\n# x\n")
    result = run_cli("--today", TODAY, "stale")
    assert result.exit_code == 0
    assert (
        "Front matter could not be read (see `kbtool lint`)\n"
        "  procedures/broken.md:3: invalid YAML" in result.output
    )
    assert result.output.endswith("(of 7 procedures)\n")  # not counted as unowned


def _draft(ident: str) -> str:
    return (
        f"---\nid: {ident}\ntitle: Draft {ident}\nservice: Email\nstatus: draft\nowner: jdoe\n"
        "---\n\n# Draft\n\n## Symptoms\n\nx\n\n## Resolution\n\n1. x\n\n## Escalation\n\nx\n"
    )


def _git(root: Path, *args: str, date: str | None = None) -> None:
    import os
    import subprocess

    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def test_a_draft_without_a_review_date_is_aged_from_its_first_commit(
    kb_root: Path, run_cli: Callable[..., Any]
) -> None:
    import os

    write_procedure(kb_root, "drafts/committed.md", _draft("KB-0011"))
    _git(kb_root, "init", "-q")
    _git(kb_root, "add", "-A")
    _git(kb_root, "commit", "-q", "-m", "a draft", date="2026-06-01T12:00:00")
    # Edited since, so its file date is recent: the first commit is what counts.
    (kb_root / "procedures" / "drafts" / "committed.md").write_text(_draft("KB-0011") + "\nx\n")
    uncommitted = write_procedure(kb_root, "drafts/on-disk.md", _draft("KB-0012"))
    old = 1_767_225_600  # 2026-01-01: an old file nobody committed yet
    os.utime(uncommitted, (old, old))
    result = run_cli("--today", TODAY, "stale")
    assert "KB-0011  procedures/drafts/committed.md  draft for 153 days" in result.output
    assert "KB-0012  procedures/drafts/on-disk.md  draft for 304 days" in result.output
