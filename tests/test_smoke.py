from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import TODAY, RunCli


def test_clean_knowledge_base_lints_clean(kb_root: Path, run_cli: RunCli) -> None:
    result = run_cli("--today", TODAY, "lint")
    assert result.exit_code == 0, result.output
    assert "1 file checked: 0 errors" in result.output


def test_overdue_procedure_is_an_error_in_json(kb_root: Path, run_cli: RunCli) -> None:
    result = run_cli("--today", "2027-06-01", "lint", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    codes = [f["code"] for f in data["findings"]]
    assert codes == ["FR001"]
    assert data["findings"][0]["path"] == "procedures/email/outlook-profile.md"
    assert data["findings"][0]["line"] == 11


def test_repository_procedures_lint_clean(run_cli: RunCli, monkeypatch) -> None:
    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)
    # A fixed date: the repository's own procedures are reviewed on schedule by the scheduled
    # freshness job, not by unit tests that would start failing as the calendar moves.
    result = run_cli("--today", "2026-11-23", "lint")
    assert result.exit_code == 0, result.output
