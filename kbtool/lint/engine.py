"""The lint engine: procedures -> rules -> findings stamped with code and configured severity.

`lint(kb, today, selection=...)` is the one entry point: the CLI, the MkDocs plugin and the
tests all call it. Large knowledge bases are parsed and checked in forked workers
(`kbtool.lint.workers`); the findings are the same either way.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kbtool.core.errors import UsageError
from kbtool.lint.findings import Finding, Severity
from kbtool.lint.rules import LintContext, Rule, matches_any
from kbtool.lint.selection import RuleSelection
from kbtool.lint.workers import Phases, WorkerFailed, default_workers, run_forked
from kbtool.model.file_scan import listed_path
from kbtool.model.knowledge_base import KnowledgeBase
from kbtool.model.procedure import Procedure, load_procedure

#: What rules need to know about the whole knowledge base: id -> paths declaring it, and the
#: heading anchors of each procedure (by normalised absolute path).
#: What rules need to know about the whole knowledge base: id -> paths declaring it, heading
#: anchors by normalised path, and the ids of retired procedures.
Facts = tuple[dict[str, list[str]], dict[str, frozenset[str]], frozenset[str]]
#: A finding as it crosses a pipe: plain values, cheaper to pickle than the dataclass.
FindingRow = tuple[str, int, int, str, int, str]


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


def display_path(path: Path | str, cwd: Path | str) -> str:
    """A path as a user wants to read it: relative to the current directory, `/` separators."""
    text, base = str(path), str(cwd)
    if text.startswith(base) and text[len(base) : len(base) + 1] == os.sep:
        text = text[len(base) + 1 :]  # the common case, without relpath's system calls
        return text.replace(os.sep, "/") if os.sep != "/" else text
    try:
        text = os.path.relpath(path, cwd)
    except ValueError:  # another drive on Windows
        text = str(path)
    return text.replace(os.sep, "/") if os.sep != "/" else text


def select_targets(
    files: list[tuple[Path, str]], paths: Iterable[Path], refused: Iterable[str] = ()
) -> set[Path]:
    """Resolved paths of the files named on the command line (files, or folders of the KB).

    A named entry the walk refused (`refused`: their paths, e.g. a link leaving the folder)
    is not a target: it is not read, and `walk_findings(..., paths=...)` reports it.
    """
    known = [path.resolve() for path, _ in files]
    not_read = set(refused)
    chosen: set[Path] = set()
    for raw in paths:
        if listed_path(raw) in not_read:
            continue
        path = raw.resolve()
        if path.is_dir():
            chosen.update(k for k in known if path in k.parents)
        elif path.exists() or path.is_symlink():
            chosen.add(path)
        else:
            raise UsageError(f"no such file or folder: {raw}")
    return chosen


def kb_facts(procedures: Iterable[Procedure]) -> Facts:
    """What rules need to know about the whole knowledge base: ids, anchors, retired ids."""
    ids: dict[str, list[str]] = {}
    anchors: dict[str, frozenset[str]] = {}
    retired: set[str] = set()
    for procedure in procedures:
        if procedure.id is not None:
            ids.setdefault(procedure.id, []).append(procedure.rel_path)
            if procedure.status == "retired":
                retired.add(procedure.id)
        anchors[os.path.normpath(procedure.path)] = (
            procedure.scan.anchors if procedure.scan is not None else frozenset()
        )
    return ids, anchors, frozenset(retired)


def merge_facts(parts: Iterable[Facts]) -> Facts:
    """The facts of several parts of the knowledge base, as if gathered at once."""
    ids: dict[str, list[str]] = {}
    anchors: dict[str, frozenset[str]] = {}
    retired: set[str] = set()
    for part_ids, part_anchors, part_retired in parts:
        for ident, paths in part_ids.items():
            ids.setdefault(ident, []).extend(paths)
        anchors.update(part_anchors)
        retired.update(part_retired)
    return ids, anchors, frozenset(retired)


def check_procedures(
    procedures: Iterable[Procedure],
    context: LintContext,
    selection: RuleSelection,
    cwd: Path,
) -> list[Finding]:
    """Run the selected rules over `procedures`, honouring per-file and in-file silencing."""
    findings: list[Finding] = []
    per_file = context.config.lint.per_file_ignores
    cwd_text = str(cwd)
    for procedure in procedures:
        display = display_path(procedure.path, cwd_text)
        silenced: list[str] = []
        for pattern, codes in per_file.items():
            if fnmatch.fnmatch(procedure.rel_path, pattern):
                silenced.extend(codes)
        if procedure.scan is not None:
            silenced.extend(procedure.scan.disabled_codes)
        kinds = {issue.kind for issue in procedure.issues}
        for rule in selection.rules:
            if rule.issue_kind is not None and rule.issue_kind not in kinds:
                continue
            if silenced and matches_any(rule.code, silenced):
                continue
            severity = selection.severities[rule.code]
            code = rule.code
            for problem in rule.check(procedure, context):
                findings.append(
                    Finding(display, problem.line, problem.col, code, severity, problem.message)
                )
    return findings


def lint(
    kb: KnowledgeBase,
    today: dt.date,
    *,
    selection: RuleSelection,
    paths: Sequence[Path] | None = None,
    only: Collection[Path] | None = None,
    cwd: Path | None = None,
    workers: int | None = None,
) -> LintResult:
    """Lint the knowledge base: the one way in for `kbtool lint`, the MkDocs plugin and tests.

    Checks every procedure; with `paths` (files and folders named on the command line; a file
    outside the procedures folder too) those they name, and with `only` (resolved paths, e.g.
    the files a pull request changed) only those. Entries the walk refused (FI005, FI008,
    FI009) are reported as well, those under `paths` when given; not with `only`: they are
    not files that changed. Every rule sees the facts of the whole knowledge base.

    Procedures already loaded (`kb.procedures`, as the site has them) are checked as they are;
    otherwise the files are parsed here, in forked workers when there are many.
    """
    cwd = cwd or Path.cwd()
    targets: set[Path] | None = None
    if paths:
        targets = select_targets(kb.files, paths, [path for path, _issue in kb.walk_issues])
    if only is not None:
        pool = targets if targets is not None else {path.resolve() for path, _ in kb.files}
        targets = pool & set(only)
    result = _check_knowledge_base(kb, today, selection, targets, cwd, workers)
    if only is None:
        result.findings.extend(walk_findings(kb, selection, cwd, paths=paths or None))
    result.findings.sort(key=Finding.sort_key)
    return result


def lint_candidate(
    procedure: Procedure,
    kb: KnowledgeBase,
    today: dt.date,
    *,
    selection: RuleSelection,
    cwd: Path | None = None,
) -> list[Finding]:
    """Findings for `procedure`, a file about to be added to the loaded `kb` (`kbtool new`),
    checked as if it were already part of it."""
    context = LintContext(kb.config, kb.roster, today, *kb_facts([*kb.procedures, procedure]))
    return check_procedures([procedure], context, selection, cwd or Path.cwd())


def walk_findings(
    kb: KnowledgeBase,
    selection: RuleSelection,
    cwd: Path | None = None,
    paths: Iterable[Path] | None = None,
) -> list[Finding]:
    """Findings for the entries the walk refused (`KnowledgeBase.walk_issues`).

    Each is reported by the rule for its kind of issue (FI005 unreadable, FI008 outside the
    folder, FI009 not a regular file), honouring `per_file_ignores`. With `paths` (the files
    and folders named on the command line), only the entries they name or contain.
    """
    cwd = cwd or Path.cwd()
    by_kind = {r.issue_kind: r for r in selection.rules if r.issue_kind is not None}
    named = None if paths is None else [listed_path(p) for p in paths]
    root = str(kb.config.procedures_dir)
    findings = []
    for path, issue in kb.walk_issues:
        rule = by_kind.get(issue.kind)
        if rule is None:
            continue
        if named is not None and not any(
            path == n or path.startswith(n.rstrip(os.sep) + os.sep) for n in named
        ):
            continue
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        silenced = [
            code
            for pattern, codes in kb.config.lint.per_file_ignores.items()
            if fnmatch.fnmatch(rel, pattern)
            for code in codes
        ]
        if silenced and matches_any(rule.code, silenced):
            continue
        findings.append(
            Finding(
                display_path(path, cwd),
                issue.line,
                issue.col,
                rule.code,
                selection.severities[rule.code],
                issue.message,
            )
        )
    return findings


def _check_knowledge_base(
    kb: KnowledgeBase,
    today: dt.date,
    selection: RuleSelection,
    targets: set[Path] | None,
    cwd: Path,
    workers: int | None,
) -> LintResult:
    """The procedures' findings (not the walk's): `targets` (resolved paths) or all of them;
    targets outside `kb.files` are loaded and checked with the whole knowledge base's facts."""
    config, roster, files = kb.config, kb.roster, kb.files
    loaded = bool(kb.procedures) or not files
    extra: list[Path] = []
    if targets:
        known = {path.resolve() for path, _ in files}
        extra = sorted(t for t in targets if t not in known)

    def chosen(procedures: list[Procedure]) -> list[Procedure]:
        return [p for p in procedures if targets is None or p.path.resolve() in targets]

    def gather(share: list[tuple[Path, str]]) -> tuple[Facts, list[Procedure]]:
        procedures = [load_procedure(path, rel, config, roster) for path, rel in share]
        return kb_facts(procedures), procedures

    def finish(procedures: list[Procedure], facts: Facts) -> tuple[list[FindingRow], int]:
        context = LintContext(config, roster, today, *facts)
        mine = chosen(procedures)
        findings = check_procedures(mine, context, selection, cwd)
        return [finding_row(f) for f in findings], len(mine)

    findings: list[Finding] = []
    checked = 0
    workers = 1 if loaded else workers if workers is not None else default_workers(len(files))
    if workers > 1:
        shares = [files[i::workers] for i in range(workers)]
        try:
            results, facts = run_forked(shares, Phases(gather, merge_facts, finish))
        except WorkerFailed:
            workers = 1
        else:
            for rows, count in results:
                findings.extend(Finding(*row[:4], Severity(row[4]), row[5]) for row in rows)
                checked += count
    if workers <= 1:
        if loaded:
            procedures, facts = kb.procedures, kb_facts(kb.procedures)
        else:
            facts, procedures = gather(files)
        context = LintContext(config, roster, today, *facts)
        mine = chosen(procedures)
        findings = check_procedures(mine, context, selection, cwd)
        checked = len(mine)
    if extra:
        outside = [
            load_procedure(path, display_path(path, config.procedures_dir), config, roster)
            for path in extra
        ]
        # The whole knowledge base's facts, already gathered above, serve these files too.
        context = LintContext(config, roster, today, *facts)
        findings.extend(check_procedures(outside, context, selection, cwd))
        checked += len(outside)
    return LintResult(findings=findings, files_checked=checked, rules_run=selection.rules)


def finding_row(finding: Finding) -> FindingRow:
    return (
        finding.path,
        finding.line,
        finding.col,
        finding.code,
        int(finding.severity),
        finding.message,
    )
