"""The procedure files as they are now: one stat each, for the search index's freshness.

The search index records the modification time and size of every file it was built from
(`search.store`); before each search the files are stat-ed again and compared through one
digest of the listing. At 25,000 procedures that walk is most of what `kbtool search` does
besides starting Python, so it is kept lean (plain strings, no `Path` per file) and, where the
platform forks, run in a child process while the parent imports the search package
(`digest_in_background`). The module imports nothing of Whoosh for that reason.

The files are the ones `knowledge_base.iter_markdown_files` lists (a test checks both agree).
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping

from kbtool.config import Config
from kbtool.errors import ConfigError

#: Folders never walked; the same list as `knowledge_base.iter_markdown_files`.
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


def _markdown_entries(root: str) -> Iterator[list[os.DirEntry[str]]]:
    """The `*.md` entries of every folder under `root`, a folder at a time.

    Hidden entries and `SKIP_DIRS` are left out; a folder reached twice (a symlink loop, a
    second link) is walked once; a folder that cannot be read has no procedures here (the
    linter reports it).
    """
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            continue
        found = []
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name in SKIP_DIRS:
                continue
            try:
                if entry.is_dir():
                    stack.append(entry.path)
                    continue
            except OSError:
                continue
            if name.endswith(".md"):
                found.append(entry)
        yield found


def _relative(root: str) -> Callable[[str], str]:
    prefix = len(root.rstrip(os.sep)) + 1
    if os.sep == "/":
        return lambda path: path[prefix:]
    return lambda path: path[prefix:].replace(os.sep, "/")


def _excluded(patterns: tuple[str, ...], rel: str) -> bool:
    return any(fnmatch.fnmatch(rel, pattern) for pattern in patterns)


def _stat_files(config: Config) -> Iterator[tuple[str, str, os.stat_result]]:
    """(rel_path, path, stat) of every procedure file now, in no particular order."""
    root = _check_root(config)
    relative = _relative(root)
    patterns = tuple(config.exclude)
    for entries in _markdown_entries(root):
        for entry in entries:
            rel = relative(entry.path)
            if patterns and _excluded(patterns, rel):
                continue
            try:
                stat = entry.stat()
            except OSError:
                continue  # vanished while walking: treated as removed
            yield rel, entry.path, stat


def scan_files(config: Config) -> Files:
    """Every procedure file now: rel_path -> (path, mtime_ns, size). One stat each."""
    return {rel: (path, st.st_mtime_ns, st.st_size) for rel, path, st in _stat_files(config)}


def listing_digest(lines: Iterable[str]) -> str:
    """The digest of `rel\\tmtime_ns\\tsize` lines, whatever their order."""
    ordered = sorted(lines)
    return hashlib.sha256("\n".join(ordered).encode("utf-8", "surrogateescape")).hexdigest()


def manifest_digest(files: Mapping[str, tuple[int, int]]) -> str:
    """The digest of a manifest (rel_path -> (mtime_ns, size)): equal digests, same files."""
    return listing_digest(f"{rel}\t{mtime}\t{size}" for rel, (mtime, size) in files.items())


def files_digest(config: Config) -> str:
    """`manifest_digest(scan_files(config))`, without building the mapping on the way."""
    return listing_digest(
        f"{rel}\t{st.st_mtime_ns}\t{st.st_size}" for rel, _path, st in _stat_files(config)
    )


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
