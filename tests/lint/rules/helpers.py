"""Lint procedures in-process and find the findings wanted, for the rule tests (procedures
are built with `tests.conftest.procedure`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

from kbtool.lint.engine import lint
from kbtool.lint.findings import Finding
from kbtool.lint.selection import RuleSelection
from kbtool.model.config import load_config
from kbtool.model.knowledge_base import load_knowledge_base
from tests.conftest import TODAY, write_procedure

MAIN = "email/outlook-profile.md"  # the clean procedure the kb_root fixture writes


def line_of(text: str, needle: str | None) -> int:
    """1-based line of the first line containing `needle` (1 for None)."""
    if needle is None:
        return 1
    for number, line in enumerate(text.split("\n"), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the procedure")


def lint_kb(
    root: Path,
    files: Mapping[str, str | bytes] | None = None,
    *,
    today: str = TODAY,
    config: str | None = None,
    select: Iterable[str] = (),
) -> list[Finding]:
    """Write `files` into the knowledge base at `root` and lint it in-process."""
    if config is not None:
        (root / "kbtool.toml").write_text(config, encoding="utf-8")
    for rel, content in (files or {}).items():
        write_procedure(root, rel, content)
    kb = load_knowledge_base(load_config(cwd=root))
    selection = RuleSelection.build(select=list(select))
    result = lint(kb, dt.date.fromisoformat(today), selection=selection, cwd=root)
    return result.findings


def of(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def assert_finding(
    findings: list[Finding],
    code: str,
    line: int,
    fragment: str,
    *,
    path: str = f"procedures/{MAIN}",
    col: int | None = None,
) -> Finding:
    """Exactly the finding wanted is there: code, path, line (and column) and message text."""
    matching = [f for f in findings if f.code == code and f.path == path]
    assert matching, f"no {code} in {[(f.code, f.path, f.line, f.message) for f in findings]}"
    for finding in matching:
        if finding.line == line and fragment in finding.message:
            if col is not None:
                assert finding.col == col, finding
            return finding
    raise AssertionError(f"{code} not at line {line} with {fragment!r}: {matching}")
