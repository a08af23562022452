"""SARIF 2.1.0 for GitHub code scanning: the parts of the schema and of GitHub's upload
requirements that a reader relies on, checked one by one."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from kbtool.lint.engine import LintResult
from kbtool.lint.findings import Finding, Severity
from kbtool.lint.formatters import Report, safe_text, visible
from kbtool.lint.formatters.sarif_format import FINGERPRINT_KEY, artifact_location, render
from kbtool.lint.rules import RULES, RULES_BY_CODE
from tests.lint.formatters.conftest import RULES_RUN, hostile_result, report_for

LEVELS = {"none", "note", "warning", "error"}
# Property names the SARIF 2.1.0 schema allows on the objects we write (its objects are
# `additionalProperties: false`); only the ones a reader of kbtool's output may meet.
ALLOWED = {
    "run": {"tool", "results", "columnKind", "invocations", "originalUriBaseIds", "properties"},
    "toolComponent": {
        "name",
        "version",
        "semanticVersion",
        "informationUri",
        "rules",
        "properties",
    },
    "reportingDescriptor": {
        "id",
        "name",
        "shortDescription",
        "fullDescription",
        "help",
        "helpUri",
        "defaultConfiguration",
        "properties",
    },
    "result": {
        "ruleId",
        "ruleIndex",
        "level",
        "message",
        "locations",
        "partialFingerprints",
        "properties",
    },
    "physicalLocation": {"artifactLocation", "region"},
    "artifactLocation": {"uri", "uriBaseId"},
    "region": {"startLine", "startColumn", "endLine", "endColumn"},
}
# RFC 3986 characters allowed unescaped in a path (plus "/" and "%" for escapes).
URI_PATH = re.compile(r"^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$")


def sarif(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(report))
    return data


def check_structure(log: dict[str, Any], report: Report) -> None:
    """The schema's required properties, types and enums, and GitHub's own requirements."""
    assert set(log) == {"$schema", "version", "runs"}
    assert log["version"] == "2.1.0"
    assert urlparse(log["$schema"]).scheme == "https"
    assert isinstance(log["runs"], list) and len(log["runs"]) == 1
    run = log["runs"][0]
    assert set(run) <= ALLOWED["run"]
    assert set(run["tool"]) == {"driver"}
    driver = run["tool"]["driver"]
    assert set(driver) <= ALLOWED["toolComponent"]
    assert driver["name"] == "kbtool"
    assert driver["version"] == report.tool_version
    assert urlparse(driver["informationUri"]).scheme == "https"
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)), "rule ids are unique"
    for descriptor in rules:
        assert set(descriptor) <= ALLOWED["reportingDescriptor"]
        assert set(descriptor["help"]) <= {"text", "markdown"}
        tags = descriptor["properties"]["tags"]
        assert len(tags) == len(set(tags)) and all(isinstance(t, str) for t in tags)
        rule = RULES_BY_CODE[descriptor["id"]]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"] == rule.doc
        assert descriptor["help"]["text"] == rule.doc
        assert descriptor["defaultConfiguration"]["level"] in LEVELS
    assert {r.code for r in report.result.rules_run} <= set(ids)

    assert run["columnKind"] in {"utf16CodeUnits", "unicodeCodePoints"}
    results = run["results"]
    assert len(results) == len(report.result.findings)
    fingerprints = []
    for result, finding in zip(results, report.result.findings, strict=True):
        assert set(result) <= ALLOWED["result"]
        assert result["ruleId"] == finding.code
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in LEVELS
        assert result["message"]["text"] == visible(finding.message)
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert set(physical) <= ALLOWED["physicalLocation"]
        artifact = physical["artifactLocation"]
        assert set(artifact) <= ALLOWED["artifactLocation"]
        assert set(physical["region"]) <= ALLOWED["region"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        uri = artifact["uri"]
        assert URI_PATH.match(uri), f"not a valid relative URI: {uri!r}"
        assert not uri.startswith("/") and "\\" not in uri
        assert unquote(uri) == safe_text(finding.path)
        region = physical["region"]
        assert isinstance(region["startLine"], int) and region["startLine"] >= 1
        assert isinstance(region["startColumn"], int) and region["startColumn"] >= 1
        assert (region["startLine"], region["startColumn"]) == (finding.line, finding.col)
        (value,) = result["partialFingerprints"].values()
        assert re.fullmatch(r"[0-9a-f]{64}", value)
        fingerprints.append(value)
    assert len(set(fingerprints)) == len(fingerprints), "fingerprints are unique in a run"


@pytest.mark.parametrize("scenario", ["hostile", "clean"])
def test_structure(scenario: str) -> None:
    report = report_for(scenario)
    check_structure(sarif(report), report)


def test_every_rule_of_a_full_run_is_described() -> None:
    report = Report(LintResult([], 1, RULES), tool_version="0.1.0")
    log = sarif(report)
    check_structure(log, report)
    assert [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]] == [r.code for r in RULES]


def test_codes_outside_the_rules_run_are_added_to_the_driver() -> None:
    report = report_for("hostile")
    driver = sarif(report)["runs"][0]["tool"]["driver"]
    ids = [r["id"] for r in driver["rules"]]
    assert ids[: len(RULES_RUN)] == [r.code for r in RULES_RUN]
    assert ids[len(RULES_RUN) :] == ["FI005"]


@pytest.mark.parametrize(
    ("severity", "level", "default"),
    [
        (Severity.ERROR, "error", "warning"),
        (Severity.WARNING, "warning", "warning"),
        (Severity.INFO, "note", "warning"),
    ],
)
def test_level_is_the_configured_severity(severity: Severity, level: str, default: str) -> None:
    # FR002 is a warning by default; configuration may make it an error or info.
    finding = Finding("procedures/a.md", 4, 1, "FR002", severity, "review due in 3 days")
    log = sarif(Report(LintResult([finding], 1, (RULES_BY_CODE["FR002"],))))
    assert log["runs"][0]["results"][0]["level"] == level
    assert log["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] == default


def fingerprint_of(finding: Finding) -> str:
    log = sarif(Report(LintResult([finding], 1, ())))
    value: str = log["runs"][0]["results"][0]["partialFingerprints"][FINGERPRINT_KEY]
    return value


def test_fingerprint_survives_moved_lines_and_changing_day_counts() -> None:
    before = Finding("procedures/a.md", 11, 1, "FR001", Severity.ERROR, "overdue by 3 days")
    after = Finding("procedures/a.md", 14, 2, "FR001", Severity.ERROR, "overdue by 40 days")
    assert fingerprint_of(before) == fingerprint_of(after)
    moved = Finding("procedures/b.md", 11, 1, "FR001", Severity.ERROR, "overdue by 3 days")
    assert fingerprint_of(before) != fingerprint_of(moved)


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("procedures/email/outlook.md", "procedures/email/outlook.md"),
        ("procedures/outlook profile.md", "procedures/outlook%20profile.md"),
        ("procedures/100%/a#b?.md", "procedures/100%25/a%23b%3F.md"),
        ("procedures/café.md", "procedures/caf%C3%A9.md"),
        ("procedures/back\\slash.md", "procedures/back%5Cslash.md"),
        ("../elsewhere/a.md", "../elsewhere/a.md"),
    ],
)
def test_relative_paths_become_relative_uris(path: str, uri: str) -> None:
    assert artifact_location(path) == {"uri": uri, "uriBaseId": "%SRCROOT%"}


def test_absolute_paths_become_file_uris() -> None:
    assert artifact_location("/srv/kb/a b.md") == {"uri": "file:///srv/kb/a%20b.md"}


def test_hostile_result_keeps_all_findings() -> None:
    result = hostile_result()
    log = sarif(Report(result))
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == [f.code for f in result.findings]
