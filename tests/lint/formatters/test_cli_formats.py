"""`kbtool lint --format F` end to end, with `--output` and `--statistics`, on a broken KB."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kbtool.lint.formatters import FORMAT_NAMES
from tests.conftest import TODAY, write_procedure

BROKEN_PATH = "procedures/email/broken, 100% <b>.md"
BROKEN = """\
---
id: KB-0002
title: Broken "one"
summary: Everything wrong.
service: Email
status: published
owner: "<script>alert(1)</script>"
backup: asmith
reviewed: 2025-01-01
onwer: typo
---

# Broken

## Symptoms

See [the other](missing.md).

## Resolution

Just do it.
"""
#: What the linter finds in BROKEN on TODAY; FM008 is the only warning.
EXPECTED = {"OW002": 7, "FR001": 9, "FM008": 10, "ST001": 12, "LN001": 17, "ST002": 19}


def reported(output_format: str, text: str) -> dict[str, int]:
    """Rule code -> line of each finding, read back from the format as its consumer would."""
    if output_format == "text":
        found = re.findall(r"^(.+):(\d+):\d+: ([A-Z]{2}\d{3}) ", text, re.MULTILINE)
        assert {path for path, _, _ in found} == {BROKEN_PATH}
        return {code: int(line) for _, line, code in found}
    if output_format == "json":
        data = json.loads(text)
        assert {f["path"] for f in data["findings"]} == {BROKEN_PATH}
        return {f["code"]: f["line"] for f in data["findings"]}
    if output_format == "github":
        found = re.findall(
            r"^::(?:error|warning) file=([^,]+),line=(\d+),col=\d+,title=(\w+)::",
            text,
            re.MULTILINE,
        )
        assert {path for path, _, _ in found} == {"procedures/email/broken%2C 100%25 <b>.md"}
        return {code: int(line) for _, line, code in found}
    if output_format == "sarif":
        results = json.loads(text)["runs"][0]["results"]
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
        assert uris == {"procedures/email/broken%2C%20100%25%20%3Cb%3E.md"}
        return {
            r["ruleId"]: r["locations"][0]["physicalLocation"]["region"]["startLine"]
            for r in results
        }
    if output_format == "gitlab":
        issues = json.loads(text)
        assert {i["location"]["path"] for i in issues} == {BROKEN_PATH}
        return {i["check_name"]: i["location"]["lines"]["begin"] for i in issues}
    assert output_format == "junit"
    lines: dict[str, int] = {}
    for case in ET.fromstring(text.encode()).iter("testcase"):
        for child in case:
            for code_line in (child.text or "").splitlines():
                match = re.search(r":(\d+):\d+: ", code_line)
                assert match and BROKEN_PATH in code_line
                lines[case.get("name", "").split()[0]] = int(match.group(1))
    return lines


@pytest.fixture
def broken_kb(kb_root: Path) -> Path:
    write_procedure(kb_root, "email/broken, 100% <b>.md", BROKEN)
    return kb_root


@pytest.mark.parametrize("output_format", FORMAT_NAMES)
def test_format_reports_every_finding(
    broken_kb: Path, run_cli: Callable[..., Any], output_format: str
) -> None:
    result = run_cli("--today", TODAY, "lint", "--format", output_format)
    assert result.exit_code == 1, result.output
    assert reported(output_format, result.stdout) == EXPECTED


@pytest.mark.parametrize("output_format", FORMAT_NAMES)
def test_output_file_holds_the_same_report(
    broken_kb: Path, run_cli: Callable[..., Any], output_format: str
) -> None:
    shown = run_cli("--today", TODAY, "lint", "--format", output_format).stdout
    out = broken_kb / "reports" / f"lint.{output_format}"
    result = run_cli("--today", TODAY, "lint", "--format", output_format, "--output", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == shown


@pytest.mark.parametrize("output_format", FORMAT_NAMES)
@pytest.mark.parametrize("to_file", [False, True], ids=["stdout", "output-file"])
def test_statistics_never_mix_into_a_machine_readable_report(
    broken_kb: Path, run_cli: Callable[..., Any], output_format: str, to_file: bool
) -> None:
    out = broken_kb / "report.out"
    args = ["--today", TODAY, "lint", "--format", output_format, "--statistics"]
    result = run_cli(*args, *(["-o", str(out)] if to_file else []))
    assert result.exit_code == 1
    statistics = re.compile(r"^\s+1  ([A-Z]{2}\d{3})  [a-z-]+$", re.MULTILINE)
    if to_file:  # the report is in the file; standard output is free for the statistics
        report, stats_stream = out.read_text(encoding="utf-8"), result.stdout
    elif output_format == "text":  # for people: statistics follow the findings
        report, stats_stream = result.stdout, result.stdout
    else:  # standard output must stay parseable: statistics go to standard error
        report, stats_stream = result.stdout, result.stderr
    assert set(statistics.findall(stats_stream)) == set(EXPECTED)
    assert reported(output_format, statistics.sub("", report)) == EXPECTED
    if output_format != "text" or to_file:
        assert not statistics.search(report)


@pytest.mark.parametrize("output_format", FORMAT_NAMES)
def test_clean_knowledge_base_exits_zero(
    kb_root: Path, run_cli: Callable[..., Any], output_format: str
) -> None:
    result = run_cli("--today", TODAY, "lint", "--format", output_format)
    assert result.exit_code == 0, result.output
    if output_format == "junit":
        root = ET.fromstring(result.stdout.encode())
        assert root.get("failures") == "0" and int(root.get("tests", "0")) > 40
    elif output_format == "gitlab":
        assert json.loads(result.stdout) == []
    elif output_format == "sarif":
        run = json.loads(result.stdout)["runs"][0]
        assert run["results"] == [] and len(run["tool"]["driver"]["rules"]) > 40
    elif output_format == "json":
        assert json.loads(result.stdout)["findings"] == []
    else:
        assert "0 errors" in result.stdout


def test_github_step_summary_is_appended(
    broken_kb: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = broken_kb / "step_summary.md"
    summary.write_text("## Earlier step\n\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = run_cli("--today", TODAY, "lint", "--format", "github")
    assert result.exit_code == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## Earlier step\n\n## kbtool lint: 5 errors\n")
    assert "2 files checked: 5 errors, 1 warning, 0 info." in text
    assert "| OW002 | owner\\-unknown | error | 1 |" in text
    assert "\\<script\\>alert\\(1\\)\\<\\/script\\>" in text
    assert "<script>" not in text


@pytest.mark.parametrize("output_format", [f for f in FORMAT_NAMES if f != "github"])
def test_step_summary_only_for_the_github_format(
    broken_kb: Path,
    run_cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    output_format: str,
) -> None:
    summary = broken_kb / "step_summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run_cli("--today", TODAY, "lint", "--format", output_format)
    assert not summary.exists()


def test_unwritable_step_summary_is_a_warning_not_a_traceback(
    broken_kb: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(broken_kb / "no-such-folder" / "summary.md"))
    result = run_cli("--today", TODAY, "lint", "--format", "github")
    assert result.exit_code == 1  # the findings decide, as without a summary
    assert reported("github", result.stdout) == EXPECTED
    assert "warning: cannot write the step summary to " in result.stderr
    assert "No such file or directory" in result.stderr
