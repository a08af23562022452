"""Safe file reading and writing.

Reading: only regular files are read (never a pipe, a device or a folder, and opening never
blocks), and never more than a limit (`read_regular`).

Writing: never a half-written file, never someone else's bytes lost.

Everything is written to a temporary file beside the target (`.NAME.XXXXXXXX.tmp`), flushed to
disk and renamed over the target, so an interrupted write leaves the old file or the new one.
Each temporary file is locked (`flock`) while it is being written: the next write of the same
target removes the ones nobody holds any more (left by a killed process) and never touches one
a live process is still writing.

Two writers:

- `atomic_write_bytes` for files kbtool generates (reports, CODEOWNERS, the index's own files):
  new files get the mode the umask gives, an existing file keeps its mode (and its owner and
  group where we may set them), and a symlink is written through to its target.
- `replace_contents` for files people edit (procedures): it locks the file, reads it, asks the
  caller for the new content, and renames only if nothing changed in between (else it starts
  again from what is there now). Bytes another program appended during the rename itself are
  carried over into the new file. It keeps the mode, the owner and the group, or refuses; it
  refuses hard-linked files (see `replace_contents`).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import signal
import stat
import time
from collections.abc import Callable
from pathlib import Path

from kbtool.core.errors import UsageError

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

    def __str__(self) -> str:  # not OSError's "[Errno None] None: 'path'"
        return str(self.args[0])


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

    def __str__(self) -> str:
        return str(self.args[0])


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


def read_regular_text(path: str | os.PathLike[str], limit: int) -> str:
    """`read_regular` decoded as UTF-8: a configuration, a list or a set of cases someone
    wrote (a `UnicodeDecodeError` when it is not UTF-8)."""
    return read_regular(path, limit)[0].decode("utf-8")


#: How long to wait for another process's lock on a file before giving up.
LOCK_WAIT_SECONDS = 10.0
#: How many times to start again when the file changes between reading it and replacing it.
ATTEMPTS = 8
#: How many appends by another program to merge into one write before starting over.
APPEND_ROUNDS = 100
#: How long to wait for other programs to close the file they are writing.
WRITERS_WAIT_SECONDS = 2.0
#: `tempfile.mkstemp`'s random part: eight characters of this alphabet.
_TEMP_PART = r"[a-z0-9_]{8}"


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The permission bits `open()` would give a new file: 0o666 less the umask."""
    return 0o666 & ~current_umask()


def temp_name_pattern(path: Path) -> re.Pattern[str]:
    """The names of the temporary files a write of `path` creates beside it."""
    return re.compile(rf"\.{re.escape(path.name)}\.{_TEMP_PART}\.tmp")


def remove_stale_temps(path: Path) -> list[Path]:
    """Remove the temporary files of `path` left by killed writes; return what was removed.

    A temporary file is stale when no process holds its lock: a live writer holds it from
    creating the file until it has renamed it into place, and the kernel drops the lock of a
    killed one. Only names of `path`'s own pattern are looked at, never another file's.
    """
    pattern = temp_name_pattern(path)
    removed: list[Path] = []
    try:
        entries = [entry for entry in os.scandir(path.parent) if pattern.fullmatch(entry.name)]
    except OSError:
        return removed
    for entry in entries:
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a live write holds it
            # Still that file under that name (not renamed into place meanwhile)?
            now = os.lstat(entry.path)
            if (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed


def locked_temp_beside(path: Path) -> tuple[int, str]:
    """Create and lock a new temporary file beside `path`; return its descriptor and name."""
    import tempfile  # here: it imports shutil and random, which reading a file never needs

    while True:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # A cleaner may have taken it for stale in the instant before our lock.
            info, now = os.fstat(fd), os.lstat(name)
            if (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino):
                return fd, name
        except OSError:
            pass
        os.close(fd)


def _write_all(fd: int, data: bytes, at: int = 0, *, durable: bool = True) -> None:
    """Write all of `data` at offset `at` and (when `durable`) flush it to disk."""
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, at)
        view, at = view[written:], at + written
    if durable:
        os.fsync(fd)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(
    path: Path, data: bytes, *, refuse_read_only: bool = False, durable: bool = True
) -> None:
    """Write `data` to `path` atomically: the old file or the new one, never half of either.

    A new file gets the mode the umask gives (not mkstemp's 0600); an existing one keeps its
    mode, and its owner and group where the process may set them. A symlink is written through
    to its target. A device or pipe (`-o /dev/stdout`) is written to directly. With
    `refuse_read_only`, a file without any write permission bit is refused (`UsageError`),
    even for root, who could otherwise write it. Without `durable` nothing is flushed to disk:
    for a cache, which a crash may leave empty or lose (readers still see one whole file).
    """
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if path.exists() and not path.is_file():
        # A device or pipe: renaming over it would replace it.
        with open(path, "wb") as handle:
            handle.write(data)
        return
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    old: os.stat_result | None = None
    with contextlib.suppress(FileNotFoundError):
        old = path.stat()
    if refuse_read_only and old is not None and not old.st_mode & 0o222:
        raise UsageError("file is read-only; make it writable (chmod u+w) first", path=str(path))
    remove_stale_temps(path)
    fd, tmp_name = locked_temp_beside(path)
    try:
        try:
            _write_all(fd, data, durable=durable)
            if old is None:
                os.fchmod(fd, new_file_mode())
            else:
                with contextlib.suppress(PermissionError):
                    os.fchown(fd, old.st_uid, old.st_gid)  # a generated file: best effort
                os.fchmod(fd, stat.S_IMODE(old.st_mode))
            os.replace(tmp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
    finally:
        os.close(fd)
    if durable:
        _fsync_folder(folder)


def atomic_write_text(path: Path, text: str, *, refuse_read_only: bool = False) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), refuse_read_only=refuse_read_only)


# --- editing a file in place of its author ----------------------------------------------------


class _Changed(Exception):
    """The file changed between reading it and replacing it: start again."""


def _open_locked(path: Path) -> int:
    """Open `path` (a regular file, not a symlink) and take its lock; wait for other holders.

    The lock is on the open file: after someone else's rename it belongs to a file no longer
    at `path`, so it is checked that `path` still names the locked file, else we start over.
    """
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise UsageError("not a regular file; nothing was written", path=str(path))
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise UsageError(
                            "another process has held this file locked for "
                            f"{LOCK_WAIT_SECONDS:.0f} s; nothing was written, try again later",
                            path=str(path),
                        ) from None
                    time.sleep(0.01)
            now = os.lstat(path)
            if (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    offset = 0
    while True:
        chunk = os.pread(fd, 1 << 20, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def _gained(fd: int, path: Path, seen: os.stat_result, content: bytes) -> bytes | None:
    """What the file we read has gained since: None when nothing, else its whole new content.

    Raises `_Changed` unless the change is bytes appended to the same file (no other edit, no
    rename over it, no chmod or chown, which our copy would undo).
    """
    info = os.fstat(fd)
    try:
        now = os.lstat(path)
    except FileNotFoundError:
        raise _Changed from None
    if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino) or (
        info.st_mode,
        info.st_uid,
        info.st_gid,
    ) != (seen.st_mode, seen.st_uid, seen.st_gid):
        raise _Changed
    current = _read_all(fd)
    if current == content:
        return None
    if not current.startswith(content):
        raise _Changed
    return current


_F_SETSIG = getattr(fcntl, "F_SETSIG", 10)  # Linux; not every Python names it


def _has_writers(fd: int) -> bool | None:
    """Whether another process has the file open for writing (None: the system cannot tell).

    A read lease (Linux) is granted only while nobody has the file open for writing; it is
    taken and given back at once. A lease broken meanwhile signals its holder, SIGIO by
    default, which would end the process: SIGURG is asked for instead (ignored by default).
    """
    if not hasattr(fcntl, "F_SETLEASE"):
        return None
    try:
        fcntl.fcntl(fd, _F_SETSIG, signal.SIGURG)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except OSError as exc:
        return True if exc.errno in (errno.EAGAIN, errno.EBUSY) else None
    fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    return False


def _writers_done(fd: int, timeout: float = WRITERS_WAIT_SECONDS) -> bool:
    """Wait until nobody else has the file open for writing; False when they still do."""
    deadline = time.monotonic() + timeout
    while True:
        busy = _has_writers(fd)
        if busy is None:
            time.sleep(0.01)  # cannot tell: give a writer between open and write a moment
            return True
        if not busy:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)


def _owner_text(uid: int, gid: int) -> str:
    import grp
    import pwd

    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:
        user = str(uid)
    try:
        group = grp.getgrgid(gid).gr_name
    except KeyError:
        group = str(gid)
    return f"{user}:{group}"


def _take_identity(fd: int, path: Path, seen: os.stat_result) -> None:
    """Give the temporary file the owner, group and mode of the file it replaces, or refuse."""
    mine = os.fstat(fd)
    if (mine.st_uid, mine.st_gid) != (seen.st_uid, seen.st_gid):
        try:
            os.fchown(fd, seen.st_uid, seen.st_gid)
        except PermissionError:
            raise UsageError(
                f"the file is owned by {_owner_text(seen.st_uid, seen.st_gid)}; replacing it "
                "would make it yours (only its owner or root can keep its owner and group); "
                "nothing was written: run this as the file's owner",
                path=str(path),
            ) from None
    os.fchmod(fd, stat.S_IMODE(seen.st_mode))  # after fchown, which clears setuid and setgid


def _conflict_copy(path: Path, data: bytes) -> Path:
    """Save another writer's version beside `path` under a new name; return that name."""
    for n in range(1, 1000):
        candidate = path.with_name(f"{path.name}.kbtool-conflict" + (f"-{n}" if n > 1 else ""))
        fd, tmp_name = locked_temp_beside(path)
        try:
            _write_all(fd, data)
            os.fchmod(fd, new_file_mode())
            os.link(tmp_name, candidate)  # fails rather than overwrite an earlier copy
            return candidate
        except FileExistsError:
            continue
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            os.close(fd)
    raise UsageError("too many conflict copies beside this file; clean them up", path=str(path))


def replace_contents(
    path: Path, edit: Callable[[bytes], bytes], *, attempts: int = ATTEMPTS
) -> tuple[bytes, bytes]:
    """Replace the content of `path` (a regular file, symlinks resolved) by `edit(content)`.

    Returns (the content edited, the content written). Nothing is written when `edit` returns
    the content unchanged; `edit` may raise to refuse, and is called again on the new content
    when the file changed before the rename (up to `attempts` times, then `UsageError`).

    The file is locked while it is edited (`flock`, so other kbtool processes wait), and just
    before the rename its identity (device, inode), size, times and content are compared with
    what was read. A writer that takes no lock can still append in the instant between that
    check and the rename: the old file is read again after the rename and what it gained is
    put into the new file. A change other than an append that lands in that instant cannot be
    merged; the other version is then saved as `NAME.kbtool-conflict` and `UsageError` says so.

    Hard-linked files are refused: a rename replaces one name only, so the other names would
    keep the old text, and writing in place instead would give up the guarantee that an
    interruption never leaves half a file. A file whose owner or group the process cannot
    give to the new file is refused too.
    """
    for _ in range(attempts):
        try:
            return _replace_once(path, edit, attempts)
        except _Changed:
            continue
    raise UsageError(
        f"the file changed while it was being written, {attempts} times in a row (another "
        "program keeps writing it); nothing was written: try again when it is done",
        path=str(path),
    )


def _replace_once(path: Path, edit: Callable[[bytes], bytes], attempts: int) -> tuple[bytes, bytes]:
    fd = _open_locked(path)
    try:
        seen = os.fstat(fd)
        if seen.st_nlink > 1:
            raise UsageError(
                f"the file has {seen.st_nlink} hard links; it is replaced whole (so that an "
                "interruption never leaves half a file), which would split them and leave "
                "the other names with the old text; nothing was written: make it a single "
                "file (or a symlink) first",
                path=str(path),
            )
        before = _read_all(fd)
        after = edit(before)
        if after == before:
            return before, after
        remove_stale_temps(path)
        tmp_fd, tmp_name = locked_temp_beside(path)
        try:
            try:
                _write_all(tmp_fd, after)
                _take_identity(tmp_fd, path, seen)
                # Another program appending (a log line, a note) is merged into the new
                # file without starting over: only the appended bytes are written again.
                for _ in range(APPEND_ROUNDS):
                    if not _writers_done(fd):
                        raise UsageError(
                            "another program keeps the file open for writing (what it writes "
                            "next would go to the replaced copy); nothing was written: try "
                            "again when it is done",
                            path=str(path),
                        )
                    current = _gained(fd, path, seen, before)
                    if current is None:
                        break
                    grown = current[len(before) :]
                    again = edit(current)
                    if again != after + grown:
                        raise _Changed
                    _write_all(tmp_fd, grown, at=len(after))
                    before, after, seen = current, again, os.fstat(fd)
                else:
                    raise _Changed
                os.replace(tmp_name, path)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp_name)
                raise
        finally:
            os.close(tmp_fd)
        # A writer that opened the old file just before the rename writes to it now: wait
        # for it to close it (nobody else can open it: it has no name any more), then see
        # what the old file gained.
        _writers_done(fd)
        late = _read_all(fd)
        _fsync_folder(path.parent)
    finally:
        os.close(fd)
    if late != before:
        _carry_over(path, before, after, late, attempts)
    return before, after


def _carry_over(path: Path, before: bytes, after: bytes, late: bytes, attempts: int) -> None:
    """Put what reached the old file during the rename into the new one, or save it aside."""
    gained = late[len(before) :] if late.startswith(before) else None

    def splice(current: bytes) -> bytes:
        if gained is None or not current.startswith(after):
            raise _Unmergeable
        # The gained bytes were written before anything that reached the new file.
        return after + gained + current[len(after) :]

    try:
        if gained is None or attempts <= 1:
            raise _Unmergeable
        replace_contents(path, splice, attempts=attempts - 1)
    except (_Unmergeable, UsageError):
        saved = _conflict_copy(path, late)
        raise UsageError(
            "the file changed while it was being written (another program wrote it at the "
            f"same instant); its version was saved as {saved.name}: compare the two and "
            "merge by hand",
            path=str(path),
        ) from None


class _Unmergeable(Exception):
    """What another program wrote during the rename cannot be merged into the new file."""


def utf8_safe(text: str) -> str:
    """`text` with lone surrogates replaced by U+FFFD, so that it encodes as UTF-8.

    Bytes of a file name or a command-line argument that are not UTF-8 reach Python as
    surrogate escapes (`caf\\udce9.md`); written out as they are, they raise, or (where
    Python writes them back as bytes) make the output invalid UTF-8.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text
