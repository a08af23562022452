"""The lint engine: procedures -> rules -> findings stamped with code and configured severity."""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kbtool.errors import ConfigError, UsageError
from kbtool.findings import Finding, Severity
from kbtool.knowledge_base import KnowledgeBase
from kbtool.procedure import Procedure, load_procedure
from kbtool.rules import RULES, LintContext, Rule, matches_any, unknown_selectors


@dataclass(frozen=True)
class RuleSelection:
    """Which rules run and at what severity, from configuration and the command line."""

    rules: tuple[Rule, ...]
    severities: dict[str, Severity]

    @classmethod
    def build(
        cls,
        *,
        select: Sequence[str] = (),
        ignore: Sequence[str] = (),
        severity: dict[str, str] | None = None,
        source: str = "command line",
    ) -> RuleSelection:
        for name, selectors in (("select", select), ("ignore", ignore)):
            bad = unknown_selectors(list(selectors))
            if bad:
                raise ConfigError(f"{name}: unknown rule code(s) {', '.join(bad)}", path=source)
        chosen = tuple(
            r
            for r in RULES
            if (not select or matches_any(r.code, list(select)))
            and not matches_any(r.code, list(ignore))
        )
        severities = {r.code: r.severity for r in RULES}
        overrides = severity or {}
        bad = unknown_selectors(list(overrides))
        if bad:
            raise ConfigError(f"lint.severity: unknown rule code(s) {', '.join(bad)}", path=source)
        # Longer (more specific) prefixes win: `FR = "warning"` then `FR001 = "error"`.
        for selector in sorted(overrides, key=len):
            for code in severities:
                if code.startswith(selector):
                    severities[code] = Severity.parse(overrides[selector])
        return cls(chosen, severities)


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    rules_run: tuple[Rule, ...] = ()

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def by_code(self) -> Counter[str]:
        return Counter(f.code for f in self.findings)

    def summary(self) -> dict[str, int]:
        return {
            "files": self.files_checked,
            "errors": self.count(Severity.ERROR),
            "warnings": self.count(Severity.WARNING),
            "info": self.count(Severity.INFO),
        }


def display_path(path: Path, cwd: Path) -> str:
    """A path as a user wants to read it: relative to the current directory, `/` separators."""
    try:
        return Path(os.path.relpath(path, cwd)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def select_targets(kb: KnowledgeBase, paths: Iterable[Path]) -> list[Procedure]:
    """The procedures named on the command line: files or folders, in or outside the KB."""
    by_resolved = {p.path.resolve(): p for p in kb.procedures}
    chosen: dict[Path, Procedure] = {}
    for raw in paths:
        path = raw.resolve()
        if path.is_dir():
            for resolved, procedure in by_resolved.items():
                if path == resolved or path in resolved.parents:
                    chosen[resolved] = procedure
        elif path in by_resolved:
            chosen[path] = by_resolved[path]
        elif path.exists() or path.is_symlink():
            rel = display_path(path, kb.config.procedures_dir)
            chosen[path] = load_procedure(path, rel, kb.config)
        else:
            raise UsageError(f"no such file or folder: {raw}")
    return sorted(chosen.values(), key=lambda p: p.rel_path)


def lint(
    kb: KnowledgeBase,
    today: dt.date,
    *,
    selection: RuleSelection,
    targets: list[Procedure] | None = None,
    cwd: Path | None = None,
) -> LintResult:
    """Run the selected rules over `targets` (default: every procedure)."""
    cwd = cwd or Path.cwd()
    config = kb.config
    procedures = kb.procedures if targets is None else targets
    context = LintContext(
        config=config,
        roster=kb.roster,
        today=today,
        ids=kb.by_id(),
        by_path={Path(os.path.normpath(p.path)): p for p in kb.procedures},
    )
    result = LintResult(files_checked=len(procedures), rules_run=selection.rules)
    per_file = config.lint.per_file_ignores
    for procedure in procedures:
        display = display_path(procedure.path, cwd)
        silenced: list[str] = []
        for pattern, codes in per_file.items():
            if fnmatch.fnmatch(procedure.rel_path, pattern):
                silenced.extend(codes)
        if procedure.scan is not None:
            silenced.extend(procedure.scan.disabled_codes)
        for rule in selection.rules:
            if silenced and matches_any(rule.code, silenced):
                continue
            severity = selection.severities[rule.code]
            for problem in rule.check(procedure, context):
                result.findings.append(
                    Finding(display, problem.line, problem.col, rule.code, severity, problem.message)
                )
    if targets is None:
        for folder, issue in kb.walk_issues:
            if any(r.code == "FI005" for r in selection.rules):
                result.findings.append(
                    Finding(
                        display_path(Path(folder), cwd),
                        issue.line,
                        issue.col,
                        "FI005",
                        selection.severities["FI005"],
                        issue.message,
                    )
                )
    result.findings.sort(key=Finding.sort_key)
    return result
