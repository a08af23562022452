"""`kbtool codeowners`: the generated file, its precedence, and `--check`."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kbtool.workflow.codeowners import MARKER, escape_pattern
from tests.conftest import TODAY, write_procedure
from tests.workflow.conftest import MIXED

EXPECTED_RULES = """\
/procedures/ @leelead
/procedures/roster.yml @leelead
# KB-0005: no backup
/procedures/drafts/old-draft.md @alansmith
/procedures/email/fine.md @janedoe @alansmith
/procedures/email/late.md @janedoe @alansmith
/procedures/email/soon.md @alansmith @janedoe
/procedures/hardware/unreviewed.md @leelead @janedoe
# KB-0004: away has no github handle: team lead lead; backup gone is inactive
/procedures/network/nobody.md @leelead
# KB-0003: owner gone is inactive
/procedures/network/orphan.md @janedoe
"""


def codeowners_of(text: str, path: str) -> list[str]:
    """The owners GitHub asks for `path`: the LAST matching pattern wins (gitignore globs)."""
    owners: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = re.split(r"(?<!\\) +", line)
        pattern, rule_owners = parts[0].replace("\\ ", " "), parts[1:]
        if _matches(pattern, path):
            owners = rule_owners
    return owners


def _matches(pattern: str, path: str) -> bool:
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    directory = pattern.endswith("/")
    body = pattern.strip("/")
    regex = ""
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            regex, i = regex + "(?:.*/)?", i + 3
        elif body.startswith("**", i):
            regex, i = regex + ".*", i + 2
        elif body[i] == "*":
            regex, i = regex + "[^/]*", i + 1
        elif body[i] == "?":
            regex, i = regex + "[^/]", i + 1
        else:
            regex, i = regex + re.escape(body[i]), i + 1
    prefix = "" if anchored else "(?:.*/)?"
    suffix = "/.*" if directory else "(?:/.*)?"
    return re.fullmatch(prefix + regex + suffix, path) is not None


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*", "procedures/a.md", True),
        ("/procedures/", "procedures/email/a.md", True),
        ("/procedures/", "docs/procedures/a.md", False),
        ("procedures/", "docs/procedures/a.md", True),  # a trailing slash alone: any depth
        ("/procedures/a.md", "x/procedures/a.md", False),
        ("*.md", "docs/x/a.md", True),
        ("/procedures/email/a.md", "procedures/email/a.md", True),
        ("/procedures/email/a.md", "procedures/email/a.md.bak", False),
        ("/with space/a b.md", "with space/a b.md", True),
    ],
)
def test_the_test_matcher(pattern: str, path: str, expected: bool) -> None:
    assert _matches(pattern, path) is expected


def test_generated_file(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli("--today", TODAY, "codeowners")
    assert result.exit_code == 0
    assert result.output == "wrote .github/CODEOWNERS\n"
    text = (mixed_kb / ".github/CODEOWNERS").read_text()
    assert text.startswith(MARKER + "\n# Owners and backups of the procedures, generated")
    assert text.endswith("\n\n" + EXPECTED_RULES)


def test_each_procedure_resolves_to_its_owner_and_backup(
    mixed_kb: Path, run_cli: Callable[..., Any]
) -> None:
    # A hand-written part with a catch-all and a folder rule: the generated rules come later,
    # so they must win for every procedure file.
    manual = "* @everyone\n/procedures/email/ @email-team\n"
    (mixed_kb / ".github").mkdir()
    (mixed_kb / ".github/CODEOWNERS").write_text(manual + MARKER + "\nold stuff\n")
    assert run_cli("--today", TODAY, "codeowners").exit_code == 0
    text = (mixed_kb / ".github/CODEOWNERS").read_text()
    assert text.startswith(manual + MARKER + "\n") and "old stuff" not in text
    github = {"jdoe": "@janedoe", "asmith": "@alansmith", "lead": "@leelead"}
    for rel, _id, _title, status, owner, backup, _reviewed, _service in MIXED:
        expected = [github[h] for h in (owner, backup) if h in github] or ["@leelead"]
        if status == "retired":
            expected = ["@leelead"]  # the folder default
        if owner == "away":  # no handle: their team lead stands in; the backup has left
            expected = ["@leelead"]
        assert codeowners_of(text, f"procedures/{rel}") == expected, rel
    assert codeowners_of(text, "procedures/roster.yml") == ["@leelead"]
    assert codeowners_of(text, "README.md") == ["@everyone"]
    assert codeowners_of(text, "procedures/email/new-one.md") == ["@leelead"]


def test_spaces_escaped_and_unmatchable_names_commented(
    kb_root: Path, run_cli: Callable[..., Any]
) -> None:
    source = (kb_root / "procedures/email/outlook-profile.md").read_text()
    write_procedure(kb_root, "with space/a b.md", source.replace("KB-0001", "KB-0002"))
    write_procedure(kb_root, "odd/star*.md", source.replace("KB-0001", "KB-0003"))
    assert run_cli("codeowners").exit_code == 0
    text = (kb_root / ".github/CODEOWNERS").read_text()
    assert "/procedures/with\\ space/a\\ b.md @janedoe @alansmith\n" in text
    assert codeowners_of(text, "procedures/with space/a b.md") == ["@janedoe", "@alansmith"]
    assert "# procedures/odd/star*.md: the name has a character CODEOWNERS cannot match" in text
    assert codeowners_of(text, "procedures/odd/star*.md") == ["@leelead"]


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("a/b.md", "/a/b.md"),
        ("a b/c d.md", "/a\\ b/c\\ d.md"),
        ("a/#b.md", None),
        ("a/[x].md", None),
    ],
)
def test_escape_pattern(path: str, pattern: str | None) -> None:
    assert escape_pattern(path) == pattern


def test_check(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    missing = run_cli("codeowners", "--check")
    assert missing.exit_code == 1
    assert "does not exist; run `kbtool codeowners`" in missing.output
    assert run_cli("codeowners").exit_code == 0
    fresh = run_cli("codeowners", "--check")
    assert fresh.exit_code == 0 and "is up to date" in fresh.output
    # A new backup in a procedure makes the committed file out of date.
    path = mixed_kb / "procedures/drafts/old-draft.md"
    path.write_text(path.read_text().replace("owner: asmith\n", "owner: asmith\nbackup: jdoe\n"))
    before = (mixed_kb / ".github/CODEOWNERS").read_text()
    stale = run_cli("codeowners", "--check")
    assert stale.exit_code == 1
    assert "+/procedures/drafts/old-draft.md @alansmith @janedoe" in stale.output
    assert "is out of date; run `kbtool codeowners` and commit it" in stale.output
    assert (mixed_kb / ".github/CODEOWNERS").read_text() == before  # --check never writes


def test_check_does_not_depend_on_the_date(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    assert run_cli("--today", "2026-11-01", "codeowners").exit_code == 0
    # On 2027-02-01 Away Person is back; nothing in the repository changed, nor does the file.
    assert run_cli("--today", "2027-02-01", "codeowners", "--check").exit_code == 0


def test_output_option(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli("codeowners", "-o", "CODEOWNERS")
    assert result.exit_code == 0
    assert "/procedures/email/fine.md @janedoe @alansmith" in (mixed_kb / "CODEOWNERS").read_text()


def test_paths_relative_to_git_top_level(
    tmp_path: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A knowledge base in a sub-folder of a repository: patterns start at the repository."""
    from tests.conftest import GOOD_PROCEDURE, ROSTER

    kb = tmp_path / "kb"
    (kb / "procedures").mkdir(parents=True)
    (kb / "procedures/roster.yml").write_text(ROSTER)
    (kb / "kbtool.toml").write_text("")
    write_procedure(kb, "email/a.md", GOOD_PROCEDURE)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(kb)
    assert run_cli("codeowners").exit_code == 0
    text = (tmp_path / ".github/CODEOWNERS").read_text()
    assert "/kb/procedures/email/a.md @janedoe @alansmith\n" in text


def test_this_repository_is_up_to_date() -> None:
    """The committed .github/CODEOWNERS matches the repository's own procedures."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "kbtool", "codeowners", "--check"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_whole_repository_as_knowledge_base_has_no_dot_pattern(
    kb_root: Path, run_cli: Callable[..., Any]
) -> None:
    (kb_root / "kbtool.toml").write_text('procedures = "."\nroster = "procedures/roster.yml"\n')
    write_procedure(kb_root, "no-id.md", GOOD_NO_ID)
    assert run_cli("codeowners").exit_code == 0
    text = (kb_root / ".github" / "CODEOWNERS").read_text("utf-8")
    rules = text.split(MARKER, 1)[1]
    assert "/./" not in rules
    assert "\n* @leelead\n" in rules
    assert codeowners_of(text, "anything/else.md") == ["@leelead"]
    assert codeowners_of(text, "procedures/no-id.md") == ["@janedoe"]
    # a procedure without id: the path is the pattern's, not repeated in the comment
    assert "# no backup\n/procedures/no-id.md @janedoe\n" in rules


GOOD_NO_ID = """\
---
title: No id here
service: Email
owner: jdoe
---
# No id here
"""


@pytest.mark.parametrize(
    ("target", "other", "warning"),
    [
        (
            ".github/CODEOWNERS",
            "CODEOWNERS",
            "warning: CODEOWNERS takes precedence over .github/CODEOWNERS on GitLab, which reads"
            " the first CODEOWNERS found: remove it, or write it too with `kbtool codeowners "
            "--output CODEOWNERS`",
        ),
        (
            ".github/CODEOWNERS",
            "docs/CODEOWNERS",
            "warning: docs/CODEOWNERS takes precedence over .github/CODEOWNERS on GitLab",
        ),
        (
            "CODEOWNERS",
            ".github/CODEOWNERS",
            "warning: .github/CODEOWNERS takes precedence over CODEOWNERS on GitHub",
        ),
        (
            "CODEOWNERS",
            "docs/CODEOWNERS",
            "warning: docs/CODEOWNERS also exists and is ignored where CODEOWNERS is read",
        ),
    ],
)
def test_another_codeowners_file_is_warned_about(
    kb_root: Path, run_cli: Callable[..., Any], target: str, other: str, warning: str
) -> None:
    (kb_root / other).parent.mkdir(parents=True, exist_ok=True)
    (kb_root / other).write_text("* @someone\n")
    result = run_cli("codeowners", "--output", target)
    assert result.exit_code == 0
    assert warning in result.stderr
    alone = run_cli("codeowners", "--output", other)
    assert "warning:" in alone.stderr  # the target, written now, is the other file for it
