"""JUnit XML: parsed back with ElementTree, counts and contents checked."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kbtool.lint.engine import LintResult
from kbtool.lint.findings import Finding, Severity
from kbtool.lint.formatters import Report, visible
from kbtool.lint.formatters.junit_format import render
from kbtool.lint.rules import RULES, RULES_BY_CODE
from tests.lint.formatters.conftest import RULES_RUN, report_for


def parse(report: Report) -> ET.Element:
    text = render(report)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    # Through bytes, as a CI server reads the file: expat refuses characters XML cannot carry.
    return ET.fromstring(text.encode("utf-8"))


def cases(root: ET.Element) -> dict[str, ET.Element]:
    """Test cases by rule code."""
    return {case.get("name", "").split()[0]: case for case in root.iter("testcase")}


def expected_line(f: Finding) -> str:
    message = f.message.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\n    ")
    return visible(f"{f.path}:{f.line}:{f.col}: {message}")


def test_counts_add_up() -> None:
    root = parse(report_for("hostile"))
    suites = root.findall("testsuite")
    for suite in suites:
        found = suite.findall("testcase")
        failed = [c for c in found if c.find("failure") is not None]
        assert int(suite.get("tests", "-1")) == len(found)
        assert int(suite.get("failures", "-1")) == len(failed)
        assert suite.get("errors") == suite.get("skipped") == "0"
    assert int(root.get("tests", "-1")) == sum(int(s.get("tests", "0")) for s in suites)
    assert int(root.get("failures", "-1")) == sum(int(s.get("failures", "0")) for s in suites)
    # The rules that ran, plus FI005 whose finding came from outside the selection.
    assert root.get("tests") == str(len(RULES_RUN) + 1)
    assert root.get("failures") == "5"  # FI005, FM001, FR001, LN001, OW002 have errors


def test_one_suite_per_family_in_registry_order() -> None:
    root = parse(report_for("hostile"))
    assert [s.get("name") for s in root.findall("testsuite")] == [
        "Files (FI)",
        "Front matter (FM)",
        "Ownership (OW)",
        "Freshness (FR)",
        "Structure (ST)",
        "Links (LN)",
    ]
    assert cases(root)["OW002"].get("classname") == "kbtool.lint.ownership"
    assert cases(root)["OW002"].get("name") == "OW002 owner-unknown"


def test_errors_fail_with_every_finding_listed() -> None:
    report = report_for("hostile")
    by_code = cases(parse(report))
    for code in ("FI005", "FM001", "FR001", "LN001", "OW002"):
        errors = [f for f in report.result.findings if f.code == code]
        (failure,) = by_code[code].findall("failure")
        assert failure.get("type") == code
        count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
        assert failure.get("message") == f"{count}: {expected_line(errors[0])}"
        assert (failure.text or "").splitlines() == "\n".join(
            expected_line(f) for f in errors
        ).splitlines()
        assert by_code[code].find("system-out") is None


@pytest.mark.parametrize("code", ["FM008", "ST003", "FR002"])
def test_warnings_and_info_pass_with_findings_in_system_out(code: str) -> None:
    report = report_for("hostile")
    case = cases(parse(report))[code]
    assert case.find("failure") is None and case.find("skipped") is None
    (finding,) = [f for f in report.result.findings if f.code == code]
    out = case.find("system-out")
    assert out is not None
    assert out.text == f"{finding.severity.label}: {expected_line(finding)}\n"


def test_hostile_text_survives_escaping() -> None:
    case = cases(parse(report_for("hostile")))["OW002"]
    failure = case.find("failure")
    assert failure is not None
    assert '"<script>alert(1)</script>"' in (failure.text or "")
    assert '"<script>alert(1)</script>"' in failure.get("message", "")
    assert len(list(failure)) == 0, "the message did not become markup"


def test_clean_run_passes_every_rule() -> None:
    root = parse(Report(LintResult([], 12, RULES)))
    assert root.get("tests") == str(len(RULES))
    assert root.get("failures") == "0"
    assert [c.get("name", "").split()[0] for c in root.iter("testcase")] == [
        code
        for prefix in ("FI", "FM", "OW", "FR", "ST", "LN", "HT")
        for code in sorted(RULES_BY_CODE)
        if code.startswith(prefix)
    ]
    assert all(len(list(case)) == 0 for case in root.iter("testcase"))


def test_a_warning_made_an_error_by_configuration_fails() -> None:
    finding = Finding("procedures/a.md", 2, 1, "FR002", Severity.ERROR, "review due in 3 days")
    root = parse(Report(LintResult([finding], 1, (RULES_BY_CODE["FR002"],))))
    assert root.get("failures") == "1"
    assert cases(root)["FR002"].find("failure") is not None
