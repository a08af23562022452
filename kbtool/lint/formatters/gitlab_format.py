"""GitLab Code Quality: a JSON list of issues for `artifacts:reports:codequality`.

GitLab shows these in merge requests and compares them with the target branch by fingerprint,
so fingerprints ignore line numbers (see `kbtool.lint.formatters.fingerprints`). Severities map
error -> major (it fails `kbtool lint`; GitLab keeps critical and blocker for worse than a
procedure that needs fixing), warning -> minor, info -> info. Control characters and
bidirectional overrides in messages are shown as `\\xNN` (`visible`); paths are kept as they
are, since GitLab links them to the file.
"""

from __future__ import annotations

import json
from typing import Any

from kbtool.lint.findings import Severity
from kbtool.lint.formatters import Report, fingerprints, safe_text, visible

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def issues(report: Report) -> list[dict[str, Any]]:
    """The Code Quality issues, one per finding, in report order."""
    findings = report.result.findings
    return [
        {
            "description": f"{f.code} {visible(f.message)}",
            "check_name": f.code,
            "fingerprint": fingerprint,
            "severity": SEVERITIES[f.severity],
            "location": {"path": safe_text(f.path), "lines": {"begin": max(1, f.line)}},
        }
        for f, fingerprint in zip(findings, fingerprints(findings), strict=True)
    ]


def render(report: Report) -> str:
    return json.dumps(issues(report), indent=2, ensure_ascii=False) + "\n"
