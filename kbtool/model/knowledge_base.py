"""The knowledge base: configuration, roster and every parsed procedure, loaded once.

The linter, the search index, the reports and the MkDocs plugin all start from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kbtool.core.errors import AmbiguousIdError
from kbtool.model.config import Config
from kbtool.model.file_scan import Refused, require_procedures_dir, walk_procedures
from kbtool.model.issues import LoadIssue
from kbtool.model.procedure import Procedure, load_procedure
from kbtool.model.roster import Roster, load_roster


@dataclass
class KnowledgeBase:
    config: Config
    roster: Roster | None
    procedures: list[Procedure] = field(default_factory=list)
    files: list[tuple[Path, str]] = field(default_factory=list)
    #: Entries of the folder not read, by path: links leaving it, pipes, devices, broken links,
    #: folders that cannot be listed. The linter reports them.
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
) -> Iterator[tuple[Path, str] | tuple[str, LoadIssue]]:
    """Every procedure file under `root` as `(path, rel_path)`, sorted, then what was refused.

    The files are those of `file_scan.walk_procedures`, the walk the search index makes too:
    regular `*.md` files inside the folder, each once. An entry that is not read (a link
    leaving the folder, a pipe, a device, a broken link, a folder that cannot be listed)
    comes after them as `(its path, issue)`, for the linter to report.
    """
    refused: list[Refused] = []
    found = [
        (Path(entry.path), rel)
        for batch in walk_procedures(str(root), tuple(exclude), refused)
        for rel, entry in batch
    ]
    found.sort(key=lambda item: item[1])
    yield from found
    for item in sorted(refused, key=lambda item: item.path):
        yield item.path, LoadIssue(item.kind, item.message)


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
        kb.procedures = load_procedures(kb.files, config, roster)
    return kb


def list_files(config: Config) -> tuple[list[tuple[Path, str]], list[tuple[str, LoadIssue]]]:
    """The procedure files `(path, rel_path)` and `(path, issue)` for each entry refused."""
    files: list[tuple[Path, str]] = []
    issues: list[tuple[str, LoadIssue]] = []
    for path, item in iter_markdown_files(config.procedures_dir, config.exclude):
        if isinstance(item, LoadIssue):
            assert isinstance(path, str)
            issues.append((path, item))
        else:
            assert isinstance(path, Path)
            files.append((path, item))
    return files, issues


def load_procedures(
    files: list[tuple[Path, str]], config: Config, roster: Roster | None = None
) -> list[Procedure]:
    """Every file parsed, with its effective values (defaults and standing backups)."""
    return [load_procedure(path, rel, config, roster) for path, rel in files]
