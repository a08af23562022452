"""The procedure files as they are now: one stat each, for the search index's freshness.

The search index records the modification time and size of every file it was built from
(`search.store`); before each search the files are stat-ed again and compared through one
digest of the listing. At 25,000 procedures that walk is most of what `kbtool search` does
besides starting Python, so it is kept lean (plain strings, no `Path` per file) and, where the
platform forks, run in a child process while the parent imports the search package
(`digest_in_background`). The module imports nothing of Whoosh for that reason. The folders
are listed again only when one of them changed since the last walk (`folder_listing`).

The files come from `walk_procedures`, the one walk (and the one gate against content from
outside the knowledge base) that the linter and the site use too, through
`knowledge_base.iter_markdown_files`.
"""

from __future__ import annotations

import fnmatch
import os
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from kbtool.core.errors import ConfigError
from kbtool.core.fileio import file_kind
from kbtool.model import folder_listing
from kbtool.model.config import Config
from kbtool.model.issues import IssueKind

#: Folders never walked.
SKIP_DIRS = frozenset({".git", ".kbtool", "node_modules", "__pycache__", ".venv", "site"})

Files = dict[str, tuple[str, int, int]]  # rel_path -> (path, mtime_ns, size)


def require_procedures_dir(config: Config, how: str = "pass --procedures") -> None:
    """Raise a ConfigError naming the folder when the procedures folder is not there."""
    if not config.procedures_dir.is_dir():
        raise ConfigError(
            f"procedures folder not found: {config.procedures_dir}"
            f" (set 'procedures' in kbtool.toml or {how})"
        )


def _check_root(config: Config) -> str:
    require_procedures_dir(config)
    return str(config.procedures_dir)


def is_inside(root: str | os.PathLike[str], path: str | os.PathLike[str]) -> bool:
    """Whether the real path of `path` (every link followed) lies inside the folder `root`.

    For a file read by name after the walk (a search snippet, `kbtool show`): the file may
    have been replaced by a link since it was indexed.
    """
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def listed_path(path: str | os.PathLike[str]) -> str:
    """`path` as `walk_procedures` names an entry: absolute, its folder resolved, its last part
    kept (a link is named by itself, not by where it leads). For matching a path given by a
    user or by MkDocs against `Refused.path`."""
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(os.path.realpath(folder), name)


@dataclass(frozen=True, slots=True)
class Refused:
    """An entry of the procedures folder that is not read, and why.

    `kind` is the kind of load issue the linter reports it as: OUTSIDE (a symbolic link
    leaving the procedures folder), SPECIAL (a pipe, a device, a socket), UNREADABLE (a
    broken link, a link loop, a folder that cannot be listed).
    """

    path: str
    kind: IssueKind
    message: str
    folder: bool = False  # a link to a folder (outside), rather than to a file


Batch = list[tuple[str, os.DirEntry[str]]]  # (rel_path, entry) of one folder's files


@dataclass(slots=True)
class WalkLog:
    """What a walk met besides the files, for keeping its listing (`folder_listing`)."""

    folders: list[tuple[str, os.stat_result]] = field(default_factory=list)  # stat-ed, listed
    links: int = 0  # symbolic links met, followed or refused


def walk_procedures(
    root: str,
    exclude: tuple[str, ...] = (),
    refused: list[Refused] | None = None,
    log: WalkLog | None = None,
) -> Iterator[Batch]:
    """The procedure files under `root`, a folder at a time, as `(rel_path, entry)` lists;
    what is not read is appended to `refused` (when given), the folders listed and the links
    met to `log` (when given).

    The one gate between the disk and everything kbtool reads (lint, the index, the site):
    only regular `*.md` files whose real path lies inside the procedures folder are listed.
    A symbolic link leaving it (to a file, a folder, `/dev/zero`, `/`), a pipe, a device or a
    socket is `Refused` without being opened. Hidden entries (`.x.md.*.tmp` left by a killed
    write among them) and `SKIP_DIRS` are not walked. A folder or a file reached twice (a
    link to a procedure or a folder inside the tree, a loop) is listed once, under its real
    name: links are followed only after every real folder has been walked. Order: none.
    The file types come with the listing, so a regular file costs no system call here.
    """
    root = root.rstrip(os.sep) or os.sep
    real_root = os.path.realpath(root)
    inside_prefix = real_root.rstrip(os.sep) + os.sep
    relative = _relative(root)
    patterns = tuple(exclude)
    refuse = refused.append if refused is not None else (lambda _item: None)
    seen: set[tuple[int, int]] = set()
    listed: list[tuple[int, Batch]] = []  # every batch with its folder's device
    linked_files: list[tuple[str, os.DirEntry[str], tuple[int, int]]] = []
    stack = [root]
    linked_folders: list[str] = []
    while stack or linked_folders:
        folder = stack.pop() if stack else linked_folders.pop()
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(folder) as listing:
                entries = list(listing)
            if log is not None:
                log.folders.append((folder, info))
        except OSError as exc:
            refuse(
                Refused(folder, IssueKind.UNREADABLE, f"cannot read folder: {exc.strerror or exc}")
            )
            continue
        batch: Batch = []
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name in SKIP_DIRS:
                continue
            markdown = name.endswith(".md")
            try:
                if markdown and entry.is_file(follow_symlinks=False):  # most entries
                    rel = relative(entry.path)
                    if not patterns or not _excluded(patterns, rel):
                        batch.append((rel, entry))
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                if not entry.is_symlink():
                    if markdown and not (patterns and _excluded(patterns, relative(entry.path))):
                        refuse(_special(entry.path, entry.stat(follow_symlinks=False).st_mode))
                    continue
                if log is not None:
                    log.links += 1
                target = entry.stat()  # follows the link (and every link after it)
            except OSError as exc:  # vanished, or a broken link or a link loop
                if markdown:
                    refuse(
                        Refused(
                            entry.path, IssueKind.UNREADABLE, f"cannot read file: {exc.strerror}"
                        )
                    )
                continue
            folder_link = stat.S_ISDIR(target.st_mode)
            if not (folder_link or markdown):
                continue
            rel = relative(entry.path)
            excluded = _excluded(patterns, rel) or folder_link and _excluded(patterns, rel + "/")
            if patterns and excluded:
                continue
            real = os.path.realpath(entry.path)
            if real != real_root and not real.startswith(inside_prefix):
                what = "folder" if folder_link else "file"
                refuse(
                    Refused(
                        entry.path,
                        IssueKind.OUTSIDE,
                        f"symbolic link to a {what} outside the procedures folder ({real}): not"
                        f" read; remove the link, or copy the {what} into the procedures folder",
                        folder_link,
                    )
                )
            elif folder_link:
                linked_folders.append(entry.path)
            elif not stat.S_ISREG(target.st_mode):
                refuse(_special(entry.path, target.st_mode))
            else:
                linked_files.append((rel, entry, (target.st_dev, target.st_ino)))
        if batch:
            listed.append((info.st_dev, batch))
            yield batch
    if not linked_files:
        return
    # Inodes only now, and only when there are links: the listing gives them without a system
    # call on POSIX, but even that is measurable over 25,000 files.
    regular = {(device, entry.inode()) for device, batch in listed for _rel, entry in batch}
    last: Batch = []
    for rel, entry, key in sorted(linked_files, key=lambda item: item[0]):
        if key not in regular:  # else the file is listed under its own name already
            regular.add(key)
            last.append((rel, entry))
    if last:
        yield last


def _special(path: str, mode: int) -> Refused:
    message = f"{file_kind(mode)}, not a regular file: not read; remove it"
    return Refused(path, IssueKind.SPECIAL, message)


def _relative(root: str) -> Callable[[str], str]:
    prefix = len(root.rstrip(os.sep)) + 1
    if os.sep == "/":
        return lambda path: path[prefix:]
    return lambda path: path[prefix:].replace(os.sep, "/")


def _excluded(patterns: tuple[str, ...], rel: str) -> bool:
    return any(fnmatch.fnmatch(rel, pattern) for pattern in patterns)


Row = TypeVar("Row")
MakeRow = Callable[[str, str, os.stat_result], Row]  # (rel_path, path, stat) -> what is kept


def _stat_files(config: Config, make_row: MakeRow[Row]) -> list[Row]:
    """`make_row(rel_path, path, stat)` of every procedure file now, in no particular order.

    The folders are listed again only when one changed since the last walk kept its listing
    (`folder_listing`); the files are stat-ed every time. A row is made as each file is
    stat-ed: at 25,000 files a second pass over them is measurable."""
    root = _check_root(config)
    exclude = tuple(config.exclude)
    kept = config.state_dir / folder_listing.FILENAME
    folders = folder_listing.load(kept, root, exclude)
    if folders is not None:
        found = _stat_listed(root, folders, make_row)
        if found is not None:
            return found
        folder_listing.forget(kept)
    return _walk_and_keep(root, exclude, kept, make_row)


def _stat_listed(
    root: str, folders: folder_listing.Folders, make_row: MakeRow[Row]
) -> list[Row] | None:
    """The files a kept listing names, stat-ed; None when one is no longer a regular file
    (gone, or replaced, in the instant since its folder was checked: the walk decides)."""
    found: list[Row] = []
    add = found.append
    lstat, is_regular = os.lstat, stat.S_ISREG  # 25,000 times: no attribute look-ups
    root = root.rstrip(os.sep)
    try:
        for rel_folder, names in folders:
            if rel_folder:
                base, prefix = (
                    f"{root}{os.sep}{rel_folder.replace('/', os.sep)}{os.sep}",
                    rel_folder + "/",
                )
            else:
                base, prefix = root + os.sep, ""
            for name in names:
                path = base + name
                info = lstat(path)
                if not is_regular(info.st_mode):
                    return None
                add(make_row(prefix + name, path, info))
    except (OSError, ValueError):
        return None
    return found


def _walk_and_keep(
    root: str, exclude: tuple[str, ...], kept: Path, make_row: MakeRow[Row]
) -> list[Row]:
    """The files found by walking `root`, stat-ed; the walk is kept for the next check when
    it met nothing but folders and procedure files."""
    began = time.time_ns()
    refused: list[Refused] = []
    log = WalkLog()
    found: list[Row] = []
    names: dict[str, list[str]] = {}  # folder -> its procedure files
    for batch in walk_procedures(root, exclude, refused, log):
        for rel, entry in batch:
            try:
                info = entry.stat()
            except OSError:
                continue  # vanished while walking: treated as removed
            found.append(make_row(rel, entry.path, info))
            names.setdefault(entry.path[: -len(entry.name) - 1], []).append(entry.name)
    if not refused and not log.links:
        relative = _relative(root)  # the root itself comes out as ""
        listed = [(relative(folder), info, names.get(folder, [])) for folder, info in log.folders]
        folder_listing.keep(kept, root, exclude, began, listed)
    return found


def scan_files(config: Config) -> Files:
    """Every procedure file now: rel_path -> (path, mtime_ns, size). One stat each."""
    return dict(_stat_files(config, _file_entry))


def _file_entry(rel: str, path: str, info: os.stat_result) -> tuple[str, tuple[str, int, int]]:
    return rel, (path, info.st_mtime_ns, info.st_size)


def _listing_line(rel: str, _path: str, info: os.stat_result) -> str:
    return f"{rel}\t{info.st_mtime_ns}\t{info.st_size}"


def listing_digest(lines: Iterable[str]) -> str:
    """The digest of `rel\\tmtime_ns\\tsize` lines, whatever their order."""
    import hashlib  # in the forked child (`digest_in_background`), not before the fork

    ordered = sorted(lines)
    return hashlib.sha256("\n".join(ordered).encode("utf-8", "surrogateescape")).hexdigest()


def manifest_digest(files: Mapping[str, tuple[int, int]]) -> str:
    """The digest of a manifest (rel_path -> (mtime_ns, size)): equal digests, same files."""
    return listing_digest(f"{rel}\t{mtime}\t{size}" for rel, (mtime, size) in files.items())


def files_digest(config: Config) -> str:
    """`manifest_digest(scan_files(config))`, without building the mapping on the way."""
    return listing_digest(_stat_files(config, _listing_line))


def digest_in_background(config: Config) -> Callable[[], str | None]:
    """Start `files_digest(config)`; the returned function waits for it and returns it.

    Where the platform forks and this process runs a single thread, a child process walks
    the folder on the other core while this one goes on (importing Whoosh takes about as long
    as stat-ing 25,000 files). Otherwise the digest is made when first asked for. None means
    it could not be made; the caller then compares file by file. Asked again, the function
    returns the same answer without walking again.
    """
    outcome: list[str | None] = []
    wait = _fork_digest(config)

    def result() -> str | None:
        if not outcome:
            outcome.append(wait() if wait is not None else _digest_or_none(config))
        return outcome[0]

    return result


def _fork_digest(config: Config) -> Callable[[], str | None] | None:
    """A child process making the digest, and how to wait for it; None when not possible."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return None  # forking a threaded process can deadlock the child
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: walk, write the digest, leave without any clean-up of the parent's
        status = 1
        try:
            os.close(read_end)
            digest = _digest_or_none(config) or ""
            os.write(write_end, digest.encode("ascii"))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)

    def wait() -> str | None:
        chunks = []
        try:
            while chunk := os.read(read_end, 4096):
                chunks.append(chunk)
        finally:
            os.close(read_end)
            os.waitpid(pid, 0)
        return b"".join(chunks).decode("ascii", "replace") or None

    return wait


def _digest_or_none(config: Config) -> str | None:
    try:
        return files_digest(config)
    except (OSError, ConfigError):
        return None
