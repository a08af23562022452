"""Named, interchangeable output formats for lint results. Each module has `render(report)`."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kbtool.core.display import safe_text, visible
from kbtool.lint.findings import Finding

if TYPE_CHECKING:  # only for types: importing the linter here would slow every command's start
    from kbtool.lint.engine import LintResult


@dataclass(frozen=True)
class Report:
    """What a formatter renders: the result plus how to present it."""

    result: LintResult
    color: bool = False
    tool_version: str = "0"
    #: findings left out because the baseline holds them (`kbtool lint --baseline`)
    baselined: int = 0
    #: the text format lists no findings, only the counts (`--quiet`)
    quiet: bool = False


Formatter = Callable[[Report], str]


def get_formatter(name: str) -> Formatter:
    # Imported on demand: only the chosen formatter's module is loaded.
    from importlib import import_module

    if name not in FORMAT_NAMES:
        raise ValueError(f"unknown format {name!r}")
    module = import_module(f"kbtool.lint.formatters.{name}_format")
    render: Formatter = module.render
    return render


FORMAT_NAMES = ("text", "json", "github", "sarif", "gitlab", "junit")

# `safe_text` and `visible` live in `kbtool.core.display` (the linter and the commands use them
# too); the formatters import them from here.
__all__ = [
    "FORMAT_NAMES",
    "Formatter",
    "Report",
    "fingerprints",
    "get_formatter",
    "safe_text",
    "visible",
]


_DIGITS = re.compile(r"\d+")


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """A stable identity for each finding, for CI systems that track findings across runs.

    Hashes rule code, path and message with every run of digits masked, so that a finding keeps
    its fingerprint when lines shift or a day count changes ("overdue by 12 days"). Findings
    that would still collide (the same broken link twice in a file) are told apart by their
    rank among their twins, which keeps fingerprints unique within a report.
    """
    seen: Counter[str] = Counter()
    result: list[str] = []
    for f in findings:
        key = "\0".join((f.code, safe_text(f.path), _DIGITS.sub("#", safe_text(f.message))))
        seen[key] += 1
        data = f"kbtool/v1\0{key}\0{seen[key]}".encode()
        result.append(hashlib.sha256(data).hexdigest())
    return result
