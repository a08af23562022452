"""SARIF 2.1.0, the format GitHub code scanning (`github/codeql-action/upload-sarif`) reads.

One run; its driver lists every rule that ran (with the rule's docstring as description and
help) and any other rule a finding names. Locations are URIs relative to `%SRCROOT%` (the
current directory when kbtool ran, normally the repository root) with forward slashes.
Each result carries a `partialFingerprints` entry that does not depend on line numbers, so
code scanning keeps tracking an alert when the lines above it change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kbtool.lint.findings import Finding, Severity
from kbtool.lint.formatters import Report, fingerprints, safe_text, visible
from kbtool.lint.rules import FAMILY_TITLES, RULES_BY_CODE, Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://pypi.org/project/kbtool/"
FINGERPRINT_KEY = "kbtoolFindingHash/v1"
SRCROOT = "%SRCROOT%"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_location(path: str) -> dict[str, str]:
    """A SARIF artifactLocation for a path as kbtool displays it (relative, `/`-separated)."""
    path = safe_text(path)
    if os.path.isabs(path):  # outside the current directory, on another drive
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _descriptor(code: str, rule: Rule | None) -> dict[str, Any]:
    if rule is None:  # a code no rule declares: keep the result valid all the same
        return {"id": code, "shortDescription": {"text": code}}
    family = FAMILY_TITLES.get(code[:2], rule.family)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["kbtool", family]},
    }


def _rules(report: Report) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Driver rules (those that ran, then any other code a finding names) and their indexes."""
    codes: dict[str, Rule | None] = {r.code: r for r in report.result.rules_run}
    for f in report.result.findings:
        if f.code not in codes:
            codes[f.code] = RULES_BY_CODE.get(f.code)
    descriptors = [_descriptor(code, rule) for code, rule in codes.items()]
    return descriptors, {code: index for index, code in enumerate(codes)}


def _result(finding: Finding, index: int, fingerprint: str) -> dict[str, Any]:
    return {
        "ruleId": finding.code,
        "ruleIndex": index,
        "level": LEVELS[finding.severity],
        "message": {"text": visible(finding.message)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(finding.path),
                    "region": {
                        "startLine": max(1, finding.line),
                        "startColumn": max(1, finding.col),
                    },
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }


def sarif_log(report: Report) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dictionary."""
    rules, indexes = _rules(report)
    findings = report.result.findings
    pairs = zip(findings, fingerprints(findings), strict=True)
    results = [_result(f, indexes[f.code], fp) for f, fp in pairs]
    return {
        "$schema": SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kbtool",
                        "version": report.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render(report: Report) -> str:
    return json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"
