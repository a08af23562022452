"""The lint engine: procedures -> rules -> findings stamped with code and configured severity."""

from __future__ import annotations

import datetime as dt
import fnmatch
import multiprocessing
import os
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtool.core.errors import ConfigError, UsageError
from kbtool.lint.findings import Finding, Severity
from kbtool.lint.rules import RULES, LintContext, Rule, matches_any, unknown_selectors
from kbtool.model.config import Config
from kbtool.model.file_scan import listed_path
from kbtool.model.knowledge_base import KnowledgeBase
from kbtool.model.procedure import Procedure, load_procedure
from kbtool.model.roster import Roster


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


#: What rules need to know about the whole knowledge base: id -> paths declaring it, heading
#: anchors by normalised path, and the ids of retired procedures.
Facts = tuple[dict[str, list[str]], dict[str, frozenset[str]], frozenset[str]]


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


def _merge_facts(parts: Iterable[Facts]) -> Facts:
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
    targets: list[Procedure] | None = None,
    cwd: Path | None = None,
) -> LintResult:
    """Run the selected rules over `targets` (default: every procedure) of a loaded KB."""
    cwd = cwd or Path.cwd()
    ids, anchors, retired = kb_facts(kb.procedures)
    context = LintContext(kb.config, kb.roster, today, ids, anchors, retired=retired)
    procedures = kb.procedures if targets is None else targets
    result = LintResult(files_checked=len(procedures), rules_run=selection.rules)
    result.findings = check_procedures(procedures, context, selection, cwd)
    if targets is None:
        result.findings.extend(walk_findings(kb, selection, cwd))
    result.findings.sort(key=Finding.sort_key)
    return result


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


# --- the fast path for large knowledge bases ---------------------------------------------------
#
# Parsing and checking are CPU-bound pure Python, and shipping parsed procedures between
# processes costs more than parsing them. So each forked worker parses its own share of the
# files, sends back only the facts rules need about the whole knowledge base (ids, anchors),
# receives everyone's facts, checks its own share and returns findings as plain tuples.


def lint_files(
    config: Config,
    roster: Roster | None,
    files: list[tuple[Path, str]],
    today: dt.date,
    *,
    selection: RuleSelection,
    targets: set[Path] | None = None,
    cwd: Path | None = None,
    workers: int | None = None,
) -> LintResult:
    """Lint the knowledge base made of `files`, reporting on `targets` (default: all).

    `targets` are resolved paths; those outside `files` are loaded and checked as well.
    """
    cwd = cwd or Path.cwd()
    extra: list[Path] = []
    if targets:
        known = {path.resolve() for path, _ in files}
        extra = sorted(t for t in targets if t not in known)
    workers = workers if workers is not None else default_workers(len(files))
    if workers > 1:
        try:
            findings, checked, (ids, anchors, retired) = _lint_in_workers(
                config, roster, files, today, selection, targets, cwd, workers
            )
        except _WorkerFailed:
            workers = 1
    if workers <= 1:
        procedures = [load_procedure(path, rel, config) for path, rel in files]
        ids, anchors, retired = kb_facts(procedures)
        context = LintContext(config, roster, today, ids, anchors, retired=retired)
        chosen = [p for p in procedures if targets is None or p.path.resolve() in targets]
        findings = check_procedures(chosen, context, selection, cwd)
        checked = len(chosen)
    if extra:
        procedures = [
            load_procedure(path, display_path(path, config.procedures_dir), config)
            for path in extra
        ]
        # The whole knowledge base's facts, already gathered above, serve the extra files too.
        context = LintContext(config, roster, today, ids, anchors, retired=retired)
        findings.extend(check_procedures(procedures, context, selection, cwd))
        checked += len(procedures)
    result = LintResult(findings=findings, files_checked=checked, rules_run=selection.rules)
    result.findings.sort(key=Finding.sort_key)
    return result


# Measured (benchmarks/lint_bench.py): below about 2,000 files forking costs more than it saves.
PARALLEL_MIN_FILES = 2000


def default_workers(file_count: int) -> int:
    """Worker processes worth starting for this many files (1 means: in this process)."""
    if os.environ.get("KBTOOL_WORKERS", "").isdigit():
        return max(1, int(os.environ["KBTOOL_WORKERS"]))
    if file_count < PARALLEL_MIN_FILES or sys.platform != "linux":
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


class _WorkerFailed(Exception):
    pass


def _lint_in_workers(
    config: Config,
    roster: Roster | None,
    files: list[tuple[Path, str]],
    today: dt.date,
    selection: RuleSelection,
    targets: set[Path] | None,
    cwd: Path,
    workers: int,
) -> tuple[list[Finding], int, Facts]:
    context = multiprocessing.get_context("fork")
    shares = [files[i::workers] for i in range(workers)]
    pipes = []
    processes = []
    try:
        for share in shares:
            parent, child = context.Pipe()
            process = context.Process(
                target=_worker,
                args=(child, share, config, roster, today, selection, targets, cwd),
                daemon=True,
            )
            process.start()
            child.close()
            pipes.append(parent)
            processes.append(process)
        parts = [_receive(pipe) for pipe in pipes]
        merged = _merge_facts(parts)
        for pipe in pipes:
            pipe.send(merged)
        findings: list[Finding] = []
        checked = 0
        for pipe in pipes:
            rows, count = _receive(pipe)
            checked += count
            findings.extend(
                Finding(path, line, col, code, Severity(sev), message)
                for path, line, col, code, sev, message in rows
            )
        return findings, checked, merged
    except OSError as exc:  # cannot fork (resource limits)
        raise _WorkerFailed(str(exc)) from None
    finally:
        for pipe in pipes:
            pipe.close()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()


def _receive(pipe: Any) -> Any:
    try:
        message = pipe.recv()
    except EOFError:
        raise _WorkerFailed("a worker process ended early") from None
    if isinstance(message, tuple) and message and message[0] == "error":
        raise _WorkerFailed(message[1])
    return message


def _worker(
    pipe: Any,
    share: list[tuple[Path, str]],
    config: Config,
    roster: Roster | None,
    today: dt.date,
    selection: RuleSelection,
    targets: set[Path] | None,
    cwd: Path,
) -> None:
    try:
        procedures = [load_procedure(path, rel, config) for path, rel in share]
        pipe.send(kb_facts(procedures))
        ids, anchors, retired = pipe.recv()
        context = LintContext(config, roster, today, ids, anchors, retired=retired)
        chosen = [p for p in procedures if targets is None or p.path.resolve() in targets]
        findings = check_procedures(chosen, context, selection, cwd)
        rows = [(f.path, f.line, f.col, f.code, int(f.severity), f.message) for f in findings]
        pipe.send((rows, len(chosen)))
    except BaseException:  # report, never hang the parent
        import traceback

        pipe.send(("error", traceback.format_exc()))
    finally:
        pipe.close()
