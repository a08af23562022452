"""Safe file reading and writing: only regular files are read, and never more than a limit;
never a half-written file, whatever interrupts us."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

#: Opening never waits: a pipe with no writer would block `open` itself. O_NOCTTY: opening a
#: terminal device must not make it ours. Both are absent on Windows, where neither applies.
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class NotRegularFileError(OSError):
    """The path names a pipe, a device, a socket or a folder: nothing to read as a file."""

    def __init__(self, path: str | os.PathLike[str], kind: str) -> None:
        super().__init__(f"not a regular file but {kind}")
        self.filename = os.fspath(path)
        self.kind = kind


class FileTooLargeError(OSError):
    """The file holds more than `limit` bytes: its size says so (`size`), or reading found more
    than it said (`while_reading`)."""

    def __init__(
        self, path: str | os.PathLike[str], size: int, limit: int, *, while_reading: bool = False
    ) -> None:
        super().__init__(f"file is over {limit:,} bytes")
        self.filename = os.fspath(path)
        self.size = size
        self.limit = limit
        self.while_reading = while_reading


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words: "a named pipe (FIFO)", "a device"..."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular(
    path: str | os.PathLike[str], limit: int, *, head: bool = False
) -> tuple[bytes, os.stat_result]:
    """The bytes of the regular file at `path` (at most `limit`) and its status.

    The file is opened without blocking and checked through the opened descriptor, so what is
    checked is what is read: a pipe, a device or a folder raises `NotRegularFileError` before
    a byte is read, and a file over `limit` raises `FileTooLargeError`, whether its size says
    so (checked before reading) or it holds more than it says (procfs, a file still growing):
    the read itself stops at `limit + 1` bytes. With `head`, the first `limit` bytes of a file
    of any size are returned instead.
    """
    fd = os.open(path, _READ_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(path, file_kind(info.st_mode))
        if info.st_size > limit and not head:
            raise FileTooLargeError(path, info.st_size, limit)
        chunks: list[bytes] = []
        wanted = limit if head else limit + 1
        while wanted > 0:
            chunk = os.read(fd, min(wanted, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise FileTooLargeError(path, info.st_size, limit, while_reading=True)
        return data, info
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename over `path`.

    Keeps the original file's permission bits when it exists.
    """
    if path.is_dir():
        raise IsADirectoryError(21, "is a folder, not a file", str(path))
    if path.exists() and not path.is_file():
        # A device or pipe (`-o /dev/null`, `-o /dev/stdout`): renaming over it would replace it.
        with open(path, "wb") as handle:
            handle.write(data)
        return
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    mode = None
    with contextlib.suppress(FileNotFoundError):
        mode = path.stat().st_mode & 0o7777
    import tempfile  # here: reading (the search's file walk imports this module) never needs it

    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        if mode is not None:
            os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
