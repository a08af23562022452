"""Safe reading and writing: only regular files are read, never beyond a limit; a write leaves
the old file or the new one, with the mode it had, and no temporary file behind it."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kbtool.core.errors import UsageError
from kbtool.core.fileio import (
    FileTooLargeError,
    NotRegularFileError,
    atomic_write_bytes,
    atomic_write_text,
    file_kind,
    locked_temp_beside,
    new_file_mode,
    read_regular,
    remove_stale_temps,
    replace_contents,
    utf8_safe,
)


def test_read_regular_reads_a_file_and_its_status(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"hello")
    data, info = read_regular(path, 5)
    assert data == b"hello" and info.st_size == 5 and stat.S_ISREG(info.st_mode)


@pytest.mark.parametrize("what", ["folder", "pipe", "socket", "device"])
def test_read_regular_refuses_what_is_not_a_regular_file(tmp_path: Path, what: str) -> None:
    path = tmp_path / "x.md"
    if what == "folder":
        path.mkdir()
    elif what == "pipe":
        os.mkfifo(path)  # opening it to read would wait for a writer, reading for ever
    elif what == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()
    else:
        path = Path("/dev/zero")  # endless
    with pytest.raises(OSError) as info:
        read_regular(path, 100)
    if what != "socket":  # a socket cannot even be opened
        assert isinstance(info.value, NotRegularFileError)
        assert info.value.kind == {"folder": "a folder", "pipe": "a named pipe (FIFO)"}.get(
            what, "a device"
        )


def test_read_regular_stops_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_bytes(b"x" * 101)
    with pytest.raises(FileTooLargeError) as info:
        read_regular(path, 100)
    assert (info.value.size, info.value.limit, info.value.while_reading) == (101, 100, False)
    assert read_regular(path, 100, head=True)[0] == b"x" * 100


def test_a_file_holding_more_than_its_size_says_is_stopped_while_reading() -> None:
    # procfs files say they are empty and are not.
    with pytest.raises(FileTooLargeError) as info:
        read_regular("/proc/self/status", 10)
    assert info.value.while_reading and info.value.size == 0


def test_file_kind() -> None:
    assert file_kind(stat.S_IFDIR) == "a folder"
    assert file_kind(stat.S_IFIFO) == "a named pipe (FIFO)"
    assert file_kind(stat.S_IFCHR) == file_kind(stat.S_IFBLK) == "a device"
    assert file_kind(stat.S_IFSOCK) == "a socket"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "report.txt"
    atomic_write_text(path, "café\n")
    assert path.read_text(encoding="utf-8") == "café\n"
    assert stat.S_IMODE(path.stat().st_mode) == new_file_mode()
    assert leftovers(path.parent) == []


def test_an_existing_file_keeps_its_mode_and_a_link_is_written_through(tmp_path: Path) -> None:
    target = tmp_path / "CODEOWNERS"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link"
    link.symlink_to(target)
    atomic_write_bytes(link, b"new\n")
    assert link.is_symlink() and target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_refusals_write_nothing(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        atomic_write_bytes(tmp_path, b"x")
    locked = tmp_path / "locked.md"
    locked.write_text("keep\n")
    locked.chmod(0o444)
    with pytest.raises(UsageError, match="file is read-only"):
        atomic_write_bytes(locked, b"x", refuse_read_only=True)
    assert locked.read_text() == "keep\n" and leftovers(tmp_path) == []


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "report.txt"
    path.write_text("old\n")

    def interrupted(source: str, target: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C just before the rename

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(path, b"new\n")
    monkeypatch.undo()
    assert path.read_text() == "old\n" and leftovers(tmp_path) == []


HOLD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from kbtool.core.fileio import locked_temp_beside
    fd, name = locked_temp_beside(Path(sys.argv[1]))
    print(name, flush=True)
    sys.stdin.read()
    """
)


def test_only_temporary_files_nobody_holds_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    fd, stale = locked_temp_beside(path)
    os.close(fd)  # its writer is gone: its lock with it
    (tmp_path / ".b.md.abcdefgh.tmp").write_text("another file's")
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        live = writer.stdout.readline().strip()
        assert remove_stale_temps(path) == [Path(stale)]
        assert Path(live).exists() and (tmp_path / ".b.md.abcdefgh.tmp").exists()
    finally:
        writer.communicate("", timeout=10)


def test_replace_contents_edits_keeps_the_mode_and_writes_nothing_unchanged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "procedure.md"
    path.write_bytes(b"reviewed: 2026-01-01\n")
    path.chmod(0o600)
    before, after = replace_contents(path, lambda data: data.replace(b"01-01", b"11-23"))
    assert (before, after) == (b"reviewed: 2026-01-01\n", b"reviewed: 2026-11-23\n")
    assert path.read_bytes() == after and stat.S_IMODE(path.stat().st_mode) == 0o600
    inode = path.stat().st_ino
    replace_contents(path, lambda data: data)
    assert path.stat().st_ino == inode  # not even renamed
    assert leftovers(tmp_path) == []


def test_replace_contents_refuses_hard_links_and_lets_the_edit_refuse(tmp_path: Path) -> None:
    path = tmp_path / "procedure.md"
    path.write_bytes(b"text\n")

    def refuse(data: bytes) -> bytes:
        raise UsageError("no")

    with pytest.raises(UsageError, match="no"):
        replace_contents(path, refuse)
    os.link(path, tmp_path / "other-name.md")
    with pytest.raises(UsageError, match="hard link"):
        replace_contents(path, lambda data: data + b"more\n")
    assert path.read_bytes() == b"text\n" and leftovers(tmp_path) == []


def test_utf8_safe() -> None:
    assert utf8_safe("caf\udce9.md") == "caf\ufffd.md"
    text = "café"
    assert utf8_safe(text) is text
