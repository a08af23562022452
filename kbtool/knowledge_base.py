"""The knowledge base: configuration, roster and every parsed procedure, loaded once.

The linter, the search index, the reports and the MkDocs plugin all start from here.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kbtool.config import Config
from kbtool.errors import AmbiguousIdError
from kbtool.file_scan import SKIP_DIRS, require_procedures_dir
from kbtool.procedure import LoadIssue, Procedure, load_procedure
from kbtool.roster import Roster, load_roster


@dataclass
class KnowledgeBase:
    config: Config
    roster: Roster | None
    procedures: list[Procedure] = field(default_factory=list)
    files: list[tuple[Path, str]] = field(default_factory=list)
    #: Problems met while walking the folder (symlink loops, unreadable folders).
    walk_issues: list[tuple[str, LoadIssue]] = field(default_factory=list)

    def by_id(self) -> dict[str, list[Procedure]]:
        index: dict[str, list[Procedure]] = {}
        for procedure in self.procedures:
            if procedure.id is not None:
                index.setdefault(procedure.id, []).append(procedure)
        return index

    def find(self, ident: str) -> Procedure | None:
        """A procedure by id or by path relative to the procedures folder.

        The id as typed wins; else one that differs only in case (several such ids are
        ambiguous: `AmbiguousIdError`).
        """
        wanted = ident.strip()
        matches = self.with_id(wanted)
        if matches:
            return matches[0]
        normalised = wanted.replace("\\", "/").removeprefix("./")
        for procedure in self.procedures:
            if procedure.rel_path == normalised or procedure.rel_path == normalised + ".md":
                return procedure
        return None

    def with_id(self, ident: str) -> list[Procedure]:
        """The procedures declaring `ident` exactly, else those declaring it in another case.

        More than one procedure whose id differs from `ident` only in case is ambiguous:
        `AmbiguousIdError` (the linter reports them as duplicates, FM010).
        """
        wanted = ident.strip()
        folded = wanted.casefold()
        alike = [p for p in self.procedures if p.id is not None and p.id.casefold() == folded]
        exact = [p for p in alike if p.id == wanted]
        if exact:
            return exact
        if len({p.id for p in alike}) > 1:
            raise AmbiguousIdError(wanted, [(p.id or "", p.rel_path) for p in alike])
        return alike


def iter_markdown_files(
    root: Path, exclude: Iterable[str] = ()
) -> Iterator[tuple[Path, str] | tuple[None, LoadIssue]]:
    """Every `*.md` file under `root` (sorted), following symlinked folders at most once.

    Yields `(path, rel_path)` or, for a folder that cannot be walked, `(None, issue)`.
    """
    patterns = tuple(exclude)
    root_prefix_len = len(str(root).rstrip(os.sep)) + 1
    seen: set[tuple[int, int]] = set()
    stack = [root]
    found: list[tuple[Path, str]] = []
    problems: list[tuple[None, LoadIssue]] = []
    while stack:
        folder = stack.pop()
        try:
            info = folder.stat()
        except OSError as exc:
            problems.append((None, LoadIssue("unreadable", f"{folder}: {exc.strerror or exc}")))
            continue
        if (info.st_dev, info.st_ino) in seen:
            continue  # a symlink loop or a second link to a folder we already walked
        seen.add((info.st_dev, info.st_ino))
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            problems.append((None, LoadIssue("unreadable", f"{folder}: {exc.strerror or exc}")))
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name in SKIP_DIRS:
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                stack.append(Path(entry.path))
            elif entry.name.endswith(".md"):
                rel = entry.path[root_prefix_len:]
                if os.sep != "/":
                    rel = rel.replace(os.sep, "/")
                if not patterns or not any(fnmatch.fnmatch(rel, p) for p in patterns):
                    found.append((Path(entry.path), rel))
    found.sort(key=lambda item: item[1])
    yield from found
    yield from problems


def load_knowledge_base(
    config: Config,
    *,
    require_roster: bool = False,
    load: bool = True,
) -> KnowledgeBase:
    """Load the roster and every procedure under the procedures folder.

    A missing roster is an error only when it was configured explicitly or `require_roster`;
    otherwise ownership is checked without it (any folder of Markdown can be linted).
    With `load=False` only the file list is made (the linter's fast path parses in workers).
    """
    require_procedures_dir(config)
    roster: Roster | None = None
    if config.roster_path.is_file() or config.roster_explicit or require_roster:
        roster = load_roster(config.roster_path)
    kb = KnowledgeBase(config=config, roster=roster)
    kb.files, kb.walk_issues = list_files(config)
    if load:
        kb.procedures = load_procedures(kb.files, config)
    return kb


def list_files(config: Config) -> tuple[list[tuple[Path, str]], list[tuple[str, LoadIssue]]]:
    """The procedure files `(path, rel_path)` and the problems met walking the folder."""
    files: list[tuple[Path, str]] = []
    issues: list[tuple[str, LoadIssue]] = []
    for path, rel in iter_markdown_files(config.procedures_dir, config.exclude):
        if path is None:
            assert isinstance(rel, LoadIssue)
            issues.append((str(config.procedures_dir), rel))
        else:
            assert isinstance(rel, str)
            files.append((path, rel))
    return files, issues


def load_procedures(files: list[tuple[Path, str]], config: Config) -> list[Procedure]:
    return [load_procedure(path, rel, config) for path, rel in files]
