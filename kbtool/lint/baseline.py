"""A baseline: the findings a knowledge base had when it was adopted, accepted for now.

`kbtool lint --baseline FILE` reports only findings that are not in the file, so a knowledge
base with thousands of day-one findings can turn CI on at once and fix them over time;
`--update-baseline` writes the file. Each entry is keyed by path (relative to the knowledge
base's root, so the file means the same from any folder), rule code and the line-independent
fingerprint of the SARIF and GitLab reports (`formatters.fingerprints`: digits in the message
masked), so edits above a finding, or a day count that grows ("overdue by 12 days"), do not
bring it back. The file is sorted JSON, one entry per finding, stable from run to run: an entry
already there keeps its message, so an update rewrites only what changed.

`kbtool stale --baseline FILE` reads the same file: a procedure whose overdue, unowned or
orphaned state is baselined (its FR001, OW001... finding) is not reported or filed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kbtool.core import jsontext
from kbtool.core.errors import UsageError
from kbtool.core.fileio import FileTooLargeError, read_regular
from kbtool.lint.findings import Finding
from kbtool.lint.formatters import fingerprints

BASELINE_VERSION = 1
#: Far above any real baseline (about 250 bytes a finding): a bound on what is read.
MAX_BASELINE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, order=True)
class BaselineEntry:
    path: str  # relative to the knowledge base's root, forward slashes
    code: str
    fingerprint: str
    message: str = ""  # as first baselined, for people reading the file; not compared

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.path, self.code, self.fingerprint)


@dataclass(frozen=True)
class Baseline:
    entries: tuple[BaselineEntry, ...] = ()

    @property
    def keys(self) -> frozenset[tuple[str, str, str]]:
        return frozenset(entry.key for entry in self.entries)

    def codes_by_path(self) -> dict[str, set[str]]:
        """path -> the rule codes baselined for it (what `kbtool stale` asks)."""
        codes: dict[str, set[str]] = {}
        for entry in self.entries:
            codes.setdefault(entry.path, set()).add(entry.code)
        return codes


@dataclass(frozen=True)
class Split:
    """A run's findings against a baseline: the new ones, and how many were known."""

    new: list[Finding]
    known: int
    vanished: int  # entries of the baseline no finding matched (fixed since)


@dataclass(frozen=True)
class Update:
    baseline: Baseline
    added: int
    dropped: int


def root_relative(path: str, root: Path, cwd: Path) -> str:
    """A finding's path (relative to the current directory) relative to the root instead."""
    absolute = os.path.normpath(os.path.join(cwd, path))
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        relative = absolute
    return relative.replace(os.sep, "/")


def entries_of(
    findings: Sequence[Finding], root: Path, cwd: Path
) -> list[tuple[BaselineEntry, Finding]]:
    """Each finding with its baseline entry (path from the root, code, fingerprint)."""
    rooted = [replace(f, path=root_relative(f.path, root, cwd)) for f in findings]
    ordered = sorted(range(len(rooted)), key=lambda i: rooted[i].sort_key())
    prints = fingerprints([rooted[i] for i in ordered])
    pairs: list[tuple[BaselineEntry, Finding] | None] = [None] * len(findings)
    for position, index in enumerate(ordered):
        f = rooted[index]
        pairs[index] = (BaselineEntry(f.path, f.code, prints[position], f.message), findings[index])
    return [pair for pair in pairs if pair is not None]


def split(
    findings: Sequence[Finding],
    baseline: Baseline,
    root: Path,
    cwd: Path,
    *,
    codes_run: Collection[str] | None = None,
) -> Split:
    """The findings not in `baseline`, in their order; how many were in it; how many of its
    entries (of the rules in `codes_run`, when given) no finding matched."""
    keys = baseline.keys
    if codes_run is not None:
        keys = frozenset(key for key in keys if key[1] in codes_run)
    new: list[Finding] = []
    matched: set[tuple[str, str, str]] = set()
    for entry, finding in entries_of(findings, root, cwd):
        if entry.key in keys:
            matched.add(entry.key)
        else:
            new.append(finding)
    return Split(new=new, known=len(findings) - len(new), vanished=len(keys - matched))


def update(
    previous: Baseline | None,
    findings: Sequence[Finding],
    root: Path,
    cwd: Path,
    *,
    codes_run: Collection[str],
) -> Update:
    """The baseline of this run's findings: entries already there keep their message; those
    of rules that ran and found nothing now are dropped; those of rules not run are kept."""
    old = {entry.key: entry for entry in (previous.entries if previous else ())}
    current = {entry.key: entry for entry, _ in entries_of(findings, root, cwd)}
    kept = {key: old.get(key, entry) for key, entry in current.items()} | {
        key: entry for key, entry in old.items() if entry.code not in codes_run
    }
    added = len(set(current) - set(old))
    dropped = len([k for k, e in old.items() if k not in kept and e.code in codes_run])
    return Update(Baseline(tuple(sorted(kept.values()))), added, dropped)


def render(baseline: Baseline) -> str:
    """The file's text: sorted, one entry per finding, a newline at the end."""
    document = {
        "kbtool_baseline": BASELINE_VERSION,
        "findings": [
            {"path": e.path, "code": e.code, "fingerprint": e.fingerprint, "message": e.message}
            for e in baseline.entries
        ],
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def load(path: Path) -> Baseline:
    """Read a baseline file; anything wrong with it is a `UsageError` naming the file."""
    shown = str(path)
    try:  # never a pipe (opening one blocks) nor a device, and bounded
        data, _stat = read_regular(path, MAX_BASELINE_BYTES)
    except FileNotFoundError:
        raise UsageError(
            "baseline file not found; create it with --update-baseline", path=shown
        ) from None
    except FileTooLargeError:
        raise UsageError("baseline file is too large to be one", path=shown) from None
    except OSError as exc:
        raise UsageError(f"cannot read the baseline: {exc.strerror or exc}", path=shown) from None
    try:
        document = jsontext.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError("baseline is not valid UTF-8", path=shown) from None
    except jsontext.BadJson as exc:
        raise UsageError(
            f"baseline is not valid JSON: {exc.message}", path=shown, line=exc.line
        ) from None
    return Baseline(tuple(sorted(_entries(document, shown))))


def _entries(document: Any, shown: str) -> Iterable[BaselineEntry]:
    if not isinstance(document, dict) or document.get("kbtool_baseline") != BASELINE_VERSION:
        raise UsageError(
            f"not a kbtool baseline (version {BASELINE_VERSION}); write it with "
            "`kbtool lint --baseline FILE --update-baseline`",
            path=shown,
        )
    items = document.get("findings")
    if not isinstance(items, list):
        raise UsageError("baseline: 'findings' must be a list", path=shown)
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) and item.get(k) for k in ("path", "code", "fingerprint")
        ):
            raise UsageError(
                f"baseline: finding {number} needs a path, a code and a fingerprint", path=shown
            )
        message = item.get("message")
        yield BaselineEntry(
            item["path"],
            item["code"],
            item["fingerprint"],
            message if isinstance(message, str) else "",
        )
