"""The procedure folders as the last walk listed them, kept for the next freshness check.

Checking that the search index is fresh stats every procedure file: an edit in place changes
only the file's own time and size. Finding those files costs about as much again (at 25,000
procedures in 2,500 folders, listing the folders and sorting out their entries). A folder's
entries cannot change without its own stamp changing, though: creating, removing or renaming
an entry sets the folder's modification time, a chmod or chown its change time (which no
program can set back), and a folder mounted or moved in its place has another device or
inode. So a walk's result is kept here with every folder's stamp, and the next check, when
every folder still has its stamp, stats the files it names without listing a folder.

Like git's untracked cache this trusts the file system's times. Two rules keep it honest:

- A change in the same clock tick as the walk's own look at a folder would leave the stamp
  as it was, so a walk that saw a folder stamped less than `RACY_NS` before it began is not
  kept (git's "racy" entries). The next walk after that keeps it.
- Only a plain tree is kept: a walk that met a symbolic link or refused an entry is not, so
  that the gate in `file_scan.walk_procedures` decides those every time.

What is kept is a cache, never the record of anything: a file that cannot be read, is
damaged or was made for another folder or exclusion list is ignored, and the walk is made.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from kbtool.core.fileio import atomic_write_bytes

#: The file in the state folder that keeps the listing.
FILENAME = "procedure-folders.json"

#: Raised whenever what the walk lists or skips changes, so that no older listing is reused.
VERSION = 1

#: A folder stamped this close before the walk began is not trusted to show a later change.
#: Three seconds covers the coarsest common time stamps (FAT's two seconds).
RACY_NS = 3_000_000_000

#: Larger than any real listing (25,000 procedures keep about 1.4 MB): a bigger file is ignored.
MAX_BYTES = 256 * 1024 * 1024

Stamp = tuple[int, int, int, int]  # st_dev, st_ino, st_mtime_ns, st_ctime_ns
Folders = list[tuple[str, list[str]]]  # (folder relative to the root, "" for the root; files)


def stamp(info: os.stat_result) -> Stamp:
    return info.st_dev, info.st_ino, info.st_mtime_ns, info.st_ctime_ns


def keep(
    path: Path,
    root: str,
    exclude: Sequence[str],
    began_ns: int,
    folders: Sequence[tuple[str, os.stat_result, list[str]]],
) -> bool:
    """Keep a plain walk of `root` (its folders, each stat-ed before it was listed, with the
    names of its procedure files) that began at `began_ns`; False when it is not kept: a
    folder's stamp is too recent to be trusted, or the file cannot be written (a cache: the
    next check walks again)."""
    trusted_before = began_ns - RACY_NS
    if any(max(info.st_mtime_ns, info.st_ctime_ns) >= trusted_before for _f, info, _n in folders):
        return False
    record = {
        "version": VERSION,
        "root": root,
        "exclude": list(exclude),
        "folders": [[rel, *stamp(info), names] for rel, info, names in folders],
    }
    # ensure_ascii: a file name that is not UTF-8 (a lone surrogate here) survives the trip
    data = json.dumps(record, separators=(",", ":")).encode("ascii")
    try:
        atomic_write_bytes(path, data, durable=False)
    except OSError:
        return False
    return True


def load(path: Path, root: str, exclude: Sequence[str]) -> Folders | None:
    """The folders and files of the kept walk of `root` with `exclude`, when every folder
    still has the stamp it had then; None when there is none to trust."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            return None
        record = json.loads(data)
        if (
            record["version"] != VERSION
            or record["root"] != root
            or record["exclude"] != list(exclude)
        ):
            return None
        folders: Folders = []
        for rel, dev, ino, mtime, ctime, names in record["folders"]:
            if not (_inside(rel) and _file_names(names)):
                return None  # damaged: nothing outside the folder is ever named
            info = os.stat(os.path.join(root, rel) if rel else root)
            if (info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev) != (
                mtime,
                ctime,
                ino,
                dev,
            ):
                return None
            folders.append((rel, names))
    except (OSError, ValueError, TypeError, KeyError):  # none, damaged, or a folder gone
        return None
    return folders


def _inside(rel: object) -> bool:
    """A folder below the root, as the walk names it (no hidden part, so no `..`)."""
    return type(rel) is str and (
        rel == "" or ("/." not in "/" + rel and "//" not in rel and not rel.endswith("/"))
    )


def _file_names(names: object) -> bool:
    """Procedure file names as the walk lists them: `x.md`, none hidden, no folder part.

    Checked on the names joined, once per folder rather than once per name: each name ends
    in `.md` when `.md` before a separator is counted once per name. A name holding a NUL
    (the separator) could fool the count, but is refused when it is stat-ed."""
    if type(names) is not list:
        return False
    try:
        joined = "\0" + "\0".join(names) + "\0"
    except TypeError:  # not all strings
        return False
    return "/" not in joined and "\0." not in joined and joined.count(".md\0") == len(names)


def forget(path: Path) -> None:
    """Remove the kept listing (a file it names is gone: the next walk keeps a new one)."""
    with contextlib.suppress(OSError):
        os.unlink(path)
