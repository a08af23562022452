"""Reports that stay readable at 2,500 procedures: `kbtool stale --limit/--summary`,
`kbtool lint --statistics --quiet`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunCli, procedure, write_procedure

LATE = "2027-06-01"


@pytest.fixture
def many(kb_root: Path) -> Path:
    """30 overdue procedures: 20 of jdoe's (Email), 10 of asmith's (Network)."""
    for number in range(2, 32):
        owner, backup, service = (
            ("jdoe", "asmith", "Email") if number < 22 else ("asmith", "jdoe", "Network")
        )
        reviewed = f"2026-{1 + number % 9:02d}-01"
        write_procedure(
            kb_root,
            f"p{number:02d}.md",
            procedure(
                {
                    "id": f"KB-{number:04d}",
                    "owner": owner,
                    "backup": backup,
                    "service": service,
                    "reviewed": reviewed,
                }
            ),
        )
    return kb_root


def listed(output: str) -> list[str]:
    return [line.split()[0] for line in output.splitlines() if line.startswith("  KB-")]


def test_stale_limit_lists_the_first_n_and_says_how_many_more(many: Path, run_cli: RunCli) -> None:
    full = run_cli("--today", LATE, "stale")
    assert len(listed(full.stdout)) == 31
    result = run_cli("--today", LATE, "stale", "--limit", "5")
    assert listed(result.stdout) == listed(full.stdout)[:5]
    assert "... and 26 more (raise --limit, or --summary for counts)" in result.stdout
    assert result.stdout.rstrip().endswith(
        "31 overdue, 0 never reviewed, 0 due soon, 0 orphaned, "
        "0 unowned, 0 old drafts (of 31 procedures)"
    )


def test_stale_summary_counts_per_owner_and_service_then_the_most_urgent(
    many: Path, run_cli: RunCli
) -> None:
    result = run_cli("--today", LATE, "stale", "--summary", "--limit", "3")
    lines = result.stdout.splitlines()
    owner_rows = {
        line.split()[0]: line.split() for line in lines if line.startswith(("jdoe ", "asmith "))
    }
    assert owner_rows["jdoe"][1] == "21" and owner_rows["jdoe"][-1] == "21"
    assert owner_rows["asmith"][1] == "10"
    assert any(line.startswith("Email ") and line.split()[-1] == "21" for line in lines)
    assert any(line.startswith("Network ") and line.split()[-1] == "10" for line in lines)
    assert "Most urgent 3 of 31" in result.stdout
    urgent = listed(result.stdout)
    assert len(urgent) == 3
    # the most overdue come first: reviewed 2026-01-01 (KB-0009, KB-0018, KB-0027)
    assert urgent == ["KB-0009", "KB-0018", "KB-0027"]
    markdown = run_cli("--today", LATE, "stale", "--summary", "--format", "markdown").stdout
    assert (
        "### By acting owner" in markdown and "| jdoe | 21 | 0 | 0 | 0 | 0 | 0 | 21 |" in markdown
    )
    assert "### Most urgent 20 of 31" in markdown


def test_lint_statistics_without_the_list(many: Path, run_cli: RunCli) -> None:
    result = run_cli("--today", LATE, "lint", "--statistics", "--quiet")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "31 files checked: 31 errors, 0 warnings, 0 info",
        "    31  FR001  overdue",
    ]
