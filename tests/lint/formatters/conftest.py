"""Lint results for formatter tests (clean, and full of hostile strings) and golden files.

Regenerate the golden files after an intended change of output:

    KBTOOL_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/formatters

then review `git diff tests/formatters/golden`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from kbtool.lint.engine import LintResult
from kbtool.lint.findings import Finding, Severity
from kbtool.lint.formatters import Report
from kbtool.lint.rules import RULES_BY_CODE

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("KBTOOL_UPDATE_GOLDEN") == "1"

#: Strings that break naive output: markup, quotes, line breaks, escape characters of every
#: format we write, non-ASCII, control characters and a bidirectional override.
HOSTILE_MESSAGES = [
    'owner "<script>alert(1)</script>" is not in the roster',
    "two\nlines\r\nand a carriage\rreturn",
    "100% sure: a,b,c :: ::error::injected %0A %25 %3A %2C",
    "pipes | in | cells, **bold**, _under_, `code`, [link](javascript:alert(1)), # heading",
    "<!-- comment --> <img src=x onerror=alert(1)> &amp; &lt; ]]> ' \" \\ backslash",
    "non-ASCII: café, Straße, 東京, emoji 🙂, right-to-left \u202eevil\u202c",
    "control: NUL\x00 BEL\x07 ESC\x1b[31m TAB\tDEL\x7f VT\x0b FF\x0c end",
    "line separator\u2028paragraph separator\u2029done",
]

HOSTILE_PATHS = [
    "procedures/email/outlook profile.md",
    "procedures/a,b:c%20d.md",
    "procedures/café/<b>x</b>.md",
    "procedures/bad\udcff name.md",  # a file name that is not UTF-8, as os.listdir gives it
]

RULES_RUN = tuple(
    RULES_BY_CODE[code] for code in ("FM001", "FM008", "FR001", "FR002", "LN001", "OW002", "ST003")
)


def hostile_result() -> LintResult:
    """Findings of every severity, with hostile messages and paths, in linter order."""
    outlook, twice = "procedures/email/outlook.md", "procedures/twice.md"
    error, warning, info = Severity.ERROR, Severity.WARNING, Severity.INFO
    broken = "link target 'x.md' does not exist"
    findings = [
        Finding(outlook, 3, 1, "OW002", error, HOSTILE_MESSAGES[0]),
        Finding(outlook, 5, 7, "FM008", warning, HOSTILE_MESSAGES[1]),
        Finding(outlook, 9, 1, "FR001", error, HOSTILE_MESSAGES[2]),
        Finding(outlook, 12, 2, "FR002", info, HOSTILE_MESSAGES[3]),
        Finding(HOSTILE_PATHS[0], 20, 4, "LN001", error, HOSTILE_MESSAGES[4]),
        Finding(HOSTILE_PATHS[1], 1, 1, "FM001", error, HOSTILE_MESSAGES[5]),
        Finding(HOSTILE_PATHS[2], 7, 3, "ST003", warning, HOSTILE_MESSAGES[6]),
        Finding(HOSTILE_PATHS[3], 2, 1, "LN001", error, HOSTILE_MESSAGES[7]),
        # The same problem twice in one file, on different lines: fingerprints must differ.
        Finding(twice, 4, 1, "LN001", error, broken),
        Finding(twice, 8, 1, "LN001", error, broken),
        # A code that did not run as selected (a walk finding) must still be described.
        Finding("procedures/locked", 1, 1, "FI005", error, "folder cannot be read"),
    ]
    findings.sort(key=Finding.sort_key)
    return LintResult(findings=findings, files_checked=6, rules_run=RULES_RUN)


def clean_result() -> LintResult:
    return LintResult(findings=[], files_checked=3, rules_run=RULES_RUN)


SCENARIOS: dict[str, Callable[[], LintResult]] = {"hostile": hostile_result, "clean": clean_result}


def report_for(scenario: str) -> Report:
    return Report(result=SCENARIOS[scenario](), color=False, tool_version="1.2.3")


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """`golden(name, text)`: assert `text` equals golden/NAME byte for byte (or rewrite it)."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        data = text.encode("utf-8")
        if UPDATE:
            path.write_bytes(data)
        assert path.exists(), f"no golden file {path}; run with KBTOOL_UPDATE_GOLDEN=1"
        expected = path.read_bytes()
        assert data == expected, (
            f"output differs from {path}; if the change is intended, rerun with "
            "KBTOOL_UPDATE_GOLDEN=1 and review the diff"
        )

    return check
