"""GitLab Code Quality JSON: the fields GitLab requires, parsed back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kbtool.lint.engine import LintResult
from kbtool.lint.findings import Finding, Severity
from kbtool.lint.formatters import Report, safe_text, visible
from kbtool.lint.formatters.gitlab_format import render
from tests.lint.formatters.conftest import report_for

GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def issues(report: Report) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(render(report))
    return data


def test_hostile_findings_parse_back() -> None:
    report = report_for("hostile")
    parsed = issues(report)
    assert len(parsed) == len(report.result.findings)
    for issue, finding in zip(parsed, report.result.findings, strict=True):
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["description"] == f"{finding.code} {visible(finding.message)}"
        assert issue["check_name"] == finding.code
        assert issue["severity"] in GITLAB_SEVERITIES
        assert issue["location"] == {
            "path": safe_text(finding.path),
            "lines": {"begin": finding.line},
        }
    fingerprints = [issue["fingerprint"] for issue in parsed]
    assert len(set(fingerprints)) == len(fingerprints)


def test_clean_run_is_an_empty_list() -> None:
    assert render(report_for("clean")) == "[]\n"


@pytest.mark.parametrize(
    ("severity", "expected"),
    [(Severity.ERROR, "major"), (Severity.WARNING, "minor"), (Severity.INFO, "info")],
)
def test_severity_mapping(severity: Severity, expected: str) -> None:
    finding = Finding("procedures/a.md", 1, 1, "ST003", severity, "empty")
    assert issues(Report(LintResult([finding], 1)))[0]["severity"] == expected


def test_fingerprint_is_stable_when_lines_move() -> None:
    def fingerprint(line: int, days: int) -> str:
        finding = Finding("procedures/a.md", line, 1, "FR001", Severity.ERROR, f"by {days} days")
        value: str = issues(Report(LintResult([finding], 1)))[0]["fingerprint"]
        return value

    assert fingerprint(3, 10) == fingerprint(30, 11)


def test_same_fingerprints_as_sarif() -> None:
    from kbtool.lint.formatters.sarif_format import FINGERPRINT_KEY, sarif_log

    report = report_for("hostile")
    results = sarif_log(report)["runs"][0]["results"]
    sarif = [r["partialFingerprints"][FINGERPRINT_KEY] for r in results]
    assert [issue["fingerprint"] for issue in issues(report)] == sarif
