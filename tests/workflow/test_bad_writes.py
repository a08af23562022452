"""Writes that must never lose or break anything (issue 9, items 7, 8, 12 and 17).

Every test goes through the real CLI: in-process with CliRunner where only the result matters,
in real subprocesses where processes race (parallel `kbtool new`, an appender writing while
`kbtool review` runs, a process holding a lock, a user who is not root).
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kbtool.model.config import load_config
from kbtool.model.procedure import Procedure, parse_text
from tests.conftest import TODAY

KBTOOL = [sys.executable, "-m", "kbtool"]

BODY = b"\n# Title\n\n## Symptoms\n\nIt breaks.\n\n## Resolution\n\n1. Fix it.\n"


def _file(
    front: bytes, body: bytes = BODY, *, opener: bytes = b"---\n", closer: bytes = b"---\n"
) -> bytes:
    return opener + front + closer + body


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*.tmp"))


# --- item 8: every shape of `reviewed:` either edited correctly or refused --------------------

NEW = b"2026-11-01"  # what `--today 2026-11-01 review` writes in the default date format
US = '[fields]\ndate_formats = ["%m/%d/%Y"]\n'
COMMA = '[fields]\ndate_formats = ["%b %d, %Y"]\n'
ALIAS = '[fields]\naliases = { reviewed = "ms.date" }\n'

# (case, kbtool.toml, file before, file after). `--today 2026-11-01 review KB-0100`.
EDITED: list[tuple[str, str, bytes, bytes]] = [
    (
        "plain",
        "",
        _file(b"id: KB-0100\nreviewed: 2026-01-05\n"),
        _file(b"id: KB-0100\nreviewed: 2026-11-01\n"),
    ),
    (
        "single quoted",
        "",
        _file(b"id: KB-0100\nreviewed: '2026-01-05'\n"),
        _file(b"id: KB-0100\nreviewed: '2026-11-01'\n"),
    ),
    (
        "double quoted",
        "",
        _file(b'id: KB-0100\nreviewed: "2026-01-05"\n'),
        _file(b'id: KB-0100\nreviewed: "2026-11-01"\n'),
    ),
    (
        "comment after the value",
        "",
        _file(b"id: KB-0100\nreviewed: 2026-01-05  # by jdoe\n"),
        _file(b"id: KB-0100\nreviewed: 2026-11-01  # by jdoe\n"),
    ),
    (
        "comment right after the key",
        "",
        _file(b"id: KB-0100\nreviewed: # todo\nowner: jdoe\n"),
        _file(b"id: KB-0100\nreviewed: 2026-11-01 # todo\nowner: jdoe\n"),
    ),
    (
        "comment after the key, wide gap",
        "",
        _file(b"id: KB-0100\nreviewed:    # todo\n"),
        _file(b"id: KB-0100\nreviewed: 2026-11-01    # todo\n"),
    ),
    (
        "comment after the key, tab",
        "",
        _file(b"id: KB-0100\nreviewed:\t# todo\n"),
        _file(b"id: KB-0100\nreviewed: 2026-11-01\t# todo\n"),
    ),
    (
        "empty value",
        "",
        _file(b"id: KB-0100\nreviewed:\nowner: jdoe\n"),
        _file(b"id: KB-0100\nreviewed: 2026-11-01\nowner: jdoe\n"),
    ),
    (
        "tilde null with comment",
        "",
        _file(b"id: KB-0100\nreviewed: ~  # never\n"),
        _file(b"id: KB-0100\nreviewed: 2026-11-01  # never\n"),
    ),
    (
        "null",
        "",
        _file(b"id: KB-0100\nreviewed: null\n"),
        _file(b"id: KB-0100\nreviewed: 2026-11-01\n"),
    ),
    (
        "empty double quotes",
        "",
        _file(b'id: KB-0100\nreviewed: ""\n'),
        _file(b'id: KB-0100\nreviewed: "2026-11-01"\n'),
    ),
    (
        "empty single quotes",
        "",
        _file(b"id: KB-0100\nreviewed: ''\n"),
        _file(b"id: KB-0100\nreviewed: '2026-11-01'\n"),
    ),
    (
        "tab after the colon",
        "",
        _file(b"id: KB-0100\nreviewed:\t2026-01-05\n"),
        _file(b"id: KB-0100\nreviewed:\t2026-11-01\n"),
    ),
    (
        "trailing blanks kept",
        "",
        _file(b"id: KB-0100\nreviewed: 2026-01-05   \n"),
        _file(b"id: KB-0100\nreviewed: 2026-11-01   \n"),
    ),
    (
        "CRLF with a comment after the key",
        "",
        b"---\r\nid: KB-0100\r\nreviewed: # todo\r\n---\r\nbody\r\n",
        b"---\r\nid: KB-0100\r\nreviewed: 2026-11-01 # todo\r\n---\r\nbody\r\n",
    ),
    (
        "CR only line endings",
        "",
        b"---\rid: KB-0100\rreviewed: 2026-01-05\r---\rbody\r",
        b"---\rid: KB-0100\rreviewed: 2026-11-01\r---\rbody\r",
    ),
    (
        "byte order mark, key absent",
        "",
        b"\xef\xbb\xbf" + _file(b"id: KB-0100\n"),
        b"\xef\xbb\xbf" + _file(b"id: KB-0100\nreviewed: 2026-11-01\n"),
    ),
    (
        "key first",
        "",
        _file(b"reviewed: 2026-01-05\nid: KB-0100\nowner: jdoe\n"),
        _file(b"reviewed: 2026-11-01\nid: KB-0100\nowner: jdoe\n"),
    ),
    (
        "double-quoted key",
        "",
        _file(b'id: KB-0100\n"reviewed": 2026-01-05\n'),
        _file(b'id: KB-0100\n"reviewed": 2026-11-01\n'),
    ),
    (
        "single-quoted key and value",
        "",
        _file(b"id: KB-0100\n'reviewed': '2026-01-05'\n"),
        _file(b"id: KB-0100\n'reviewed': '2026-11-01'\n"),
    ),
    (
        "explicit key",
        "",
        _file(b"id: KB-0100\n? reviewed\n: 2026-01-05\n"),
        _file(b"id: KB-0100\n? reviewed\n: 2026-11-01\n"),
    ),
    (
        "a commented-out key above is left alone",
        "",
        _file(b"# reviewed: 2020-01-01\nid: KB-0100\nreviewed: 2026-01-05\n"),
        _file(b"# reviewed: 2020-01-01\nid: KB-0100\nreviewed: 2026-11-01\n"),
    ),
    (
        "key absent, a commented-out key",
        "",
        _file(b"id: KB-0100\n# reviewed: 2020-01-01\n"),
        _file(b"id: KB-0100\n# reviewed: 2020-01-01\nreviewed: 2026-11-01\n"),
    ),
    (
        "key absent, the same key nested",
        "",
        _file(b"id: KB-0100\nmeta:\n  reviewed: 2020-01-01\n"),
        _file(b"id: KB-0100\nmeta:\n  reviewed: 2020-01-01\nreviewed: 2026-11-01\n"),
    ),
    (
        "the same key nested before the real one",
        "",
        _file(b"id: KB-0100\nmeta: {reviewed: 2020-01-01}\nreviewed: 2026-01-05\n"),
        _file(b"id: KB-0100\nmeta: {reviewed: 2020-01-01}\nreviewed: 2026-11-01\n"),
    ),
    (
        "key absent, a look-alike line in a block scalar",
        "",
        _file(b"id: KB-0100\nsummary: |\n  reviewed: 2020-01-01\n"),
        _file(b"id: KB-0100\nsummary: |\n  reviewed: 2020-01-01\nreviewed: 2026-11-01\n"),
    ),
    (
        "key absent, a look-alike in a quoted value",
        "",
        _file(b'id: KB-0100\nsummary: "reviewed: 2020-01-01"\n'),
        _file(b'id: KB-0100\nsummary: "reviewed: 2020-01-01"\nreviewed: 2026-11-01\n'),
    ),
    (
        "key absent, closed with ...",
        "",
        _file(b"id: KB-0100\n", closer=b"...\n"),
        _file(b"id: KB-0100\nreviewed: 2026-11-01\n", closer=b"...\n"),
    ),
    (
        "key absent, opener with trailing blanks",
        "",
        _file(b"id: KB-0100\n", opener=b"---  \n"),
        _file(b"id: KB-0100\nreviewed: 2026-11-01\n", opener=b"---  \n"),
    ),
    (
        "key absent, indented mapping",
        "",
        _file(b"  id: KB-0100\n  owner: jdoe\n"),
        _file(b"  id: KB-0100\n  owner: jdoe\n  reviewed: 2026-11-01\n"),
    ),
    (
        "folded block scalar",
        "",
        _file(b"id: KB-0100\nreviewed: >\n  2026-01-05\nowner: jdoe\n"),
        _file(b"id: KB-0100\nreviewed: >\n  2026-11-01\nowner: jdoe\n"),
    ),
    (
        "literal block scalar, strip, last key",
        "",
        _file(b"id: KB-0100\nreviewed: |-\n    2026-01-05\n\n"),
        _file(b"id: KB-0100\nreviewed: |-\n    2026-11-01\n\n"),
    ),
    (
        "block scalar with a header comment",
        "",
        _file(b"id: KB-0100\nreviewed: > # folded\n  2026-01-05\nowner: jdoe\n"),
        _file(b"id: KB-0100\nreviewed: > # folded\n  2026-11-01\nowner: jdoe\n"),
    ),
    (
        "multi-line double-quoted value",
        "",
        _file(b'id: KB-0100\nreviewed: "2026-01-05\n  "\nowner: jdoe\n'),
        _file(b'id: KB-0100\nreviewed: "2026-11-01"\nowner: jdoe\n'),
    ),
    (
        "multi-line single-quoted value",
        "",
        _file(b"id: KB-0100\nreviewed: '\n  2026-01-05'\nowner: jdoe\n"),
        _file(b"id: KB-0100\nreviewed: '2026-11-01'\nowner: jdoe\n"),
    ),
    (
        "plain value on the next line",
        "",
        _file(b"id: KB-0100\nreviewed:\n  2026-01-05\n"),
        _file(b"id: KB-0100\nreviewed:\n  2026-11-01\n"),
    ),
    (
        "anchored value keeps its anchor",
        "",
        _file(b"id: KB-0100\nreviewed: &d 2026-01-05\n"),
        _file(b"id: KB-0100\nreviewed: &d 2026-11-01\n"),
    ),
    (
        "value that is an alias of another key",
        "",
        _file(b"id: KB-0100\ncreated: &d 2026-01-05\nreviewed: *d\n"),
        _file(b"id: KB-0100\ncreated: &d 2026-01-05\nreviewed: 2026-11-01\n"),
    ),
    (
        "explicit str tag kept",
        "",
        _file(b"id: KB-0100\nreviewed: !!str 2026-01-05\n"),
        _file(b"id: KB-0100\nreviewed: !!str 2026-11-01\n"),
    ),
    (
        "date and time",
        "",
        _file(b"id: KB-0100\nreviewed: 2026-01-05 09:30:00\n"),
        _file(b"id: KB-0100\nreviewed: 2026-11-01\n"),
    ),
    (
        "a number",
        "",
        _file(b"id: KB-0100\nreviewed: 20260105\n"),
        _file(b"id: KB-0100\nreviewed: 2026-11-01\n"),
    ),
    (
        "text that is not a date",
        "",
        _file(b"id: KB-0100\nreviewed: soon  # ask jdoe\n"),
        _file(b"id: KB-0100\nreviewed: 2026-11-01  # ask jdoe\n"),
    ),
    (
        "flow mapping with the key",
        "",
        _file(b"{id: KB-0100, reviewed: 2026-01-05, owner: jdoe}\n"),
        _file(b"{id: KB-0100, reviewed: 2026-11-01, owner: jdoe}\n"),
    ),
    (
        "flow mapping without the key",
        "",
        _file(b"{id: KB-0100, owner: jdoe}\n"),
        _file(b"{id: KB-0100, owner: jdoe, reviewed: 2026-11-01}\n"),
    ),
    (
        "flow mapping, the key without a value",
        "",
        _file(b"{id: KB-0100, reviewed}\n"),
        _file(b"{id: KB-0100, reviewed: 2026-11-01}\n"),
    ),
    (
        "multi-line flow mapping with a trailing comma",
        "",
        _file(b"{id: KB-0100,\n owner: jdoe,\n}\n"),
        _file(b"{id: KB-0100,\n owner: jdoe, reviewed: 2026-11-01,\n}\n"),
    ),
    (
        "flow mapping with a comment after it",
        "",
        _file(b"{id: KB-0100}  # one line\n"),
        _file(b"{id: KB-0100, reviewed: 2026-11-01}  # one line\n"),
    ),
    (
        "flow mapping, a date format with a comma is quoted",
        COMMA,
        _file(b"{id: KB-0100}\n"),
        _file(b'{id: KB-0100, reviewed: "Nov 01, 2026"}\n'),
    ),
    (
        "block mapping, a date format with a comma stays plain",
        COMMA,
        _file(b"id: KB-0100\nreviewed: Jan 05, 2026\n"),
        _file(b"id: KB-0100\nreviewed: Nov 01, 2026\n"),
    ),
    (
        "US format kept",
        US,
        _file(b"id: KB-0100\nreviewed: 01/05/2026 # US\n"),
        _file(b"id: KB-0100\nreviewed: 11/01/2026 # US\n"),
    ),
    (
        "configured alias key, a reviewed key beside it is left alone",
        ALIAS,
        _file(b"id: KB-0100\nreviewed: 2020-01-01\nms.date: 2026-01-05\n"),
        _file(b"id: KB-0100\nreviewed: 2020-01-01\nms.date: 2026-11-01\n"),
    ),
    (
        "merged from another key: an explicit key is added",
        "",
        _file(b"base: &base {reviewed: 2026-01-05}\n<<: *base\nid: KB-0100\n"),
        _file(
            b"base: &base {reviewed: 2026-01-05}\n<<: *base\nid: KB-0100\nreviewed: 2026-11-01\n"
        ),
    ),
]

# (case, kbtool.toml, file, what the message says). Nothing may be written.
REFUSED: list[tuple[str, str, bytes, str]] = [
    (
        "anchored value used by an alias elsewhere",
        "",
        _file(b"id: KB-0100\nreviewed: &d 2026-01-05\nchecked: *d\n"),
        "would also change 'checked'",
    ),
    ("a list", "", _file(b"id: KB-0100\nreviewed: [2026-01-05]\n"), "holds a list"),
    ("a block list", "", _file(b"id: KB-0100\nreviewed:\n  - 2026-01-05\n"), "holds a list"),
    ("a mapping", "", _file(b"id: KB-0100\nreviewed: {on: 2026-01-05}\n"), "holds a mapping"),
    (
        "an empty block scalar",
        "",
        _file(b"id: KB-0100\nreviewed: |\nowner: jdoe\n"),
        "empty block scalar",
    ),
    (
        "the key twice",
        "",
        _file(b"id: KB-0100\nreviewed: 2026-01-05\nreviewed: 2026-01-06\n"),
        "front matter cannot be read",
    ),
    (
        "tab indentation",
        "",
        _file(b"id: KB-0100\nmeta:\n\treviewed: 2026-01-05\n"),
        "front matter cannot be read",
    ),
    (
        "an explicit key without a value cannot take one",
        "",
        _file(b"? reviewed\nid: KB-0100\n"),
        "would not read back",
    ),
]


def _review(run_cli: Callable[..., Any], kb_root: Path, toml: str, before: bytes) -> Any:
    (kb_root / "kbtool.toml").write_text(toml, encoding="utf-8")
    (kb_root / "procedures" / "x.md").write_bytes(before)
    return run_cli("--today", TODAY, "review", "x.md")


@pytest.mark.parametrize(("case", "toml", "before", "after"), EDITED, ids=[c[0] for c in EDITED])
def test_review_edits_every_shape_correctly(
    kb_root: Path, run_cli: Callable[..., Any], case: str, toml: str, before: bytes, after: bytes
) -> None:
    result = _review(run_cli, kb_root, toml, before)
    assert result.exit_code == 0, result.output
    path = kb_root / "procedures" / "x.md"
    assert path.read_bytes() == after
    # What was written reads back: the new date, and no problem reading the front matter.
    fresh = Procedure(path=path, rel_path="x.md")
    parse_text(fresh, after, load_config(cwd=kb_root))
    assert str(fresh.reviewed) == TODAY or toml in (US, COMMA)
    assert not [i for i in fresh.issues if i.kind in ("yaml", "bad-date", "line-endings")]


@pytest.mark.parametrize(
    ("case", "toml", "before", "message"), REFUSED, ids=[c[0] for c in REFUSED]
)
def test_review_refuses_what_it_cannot_edit(
    kb_root: Path, run_cli: Callable[..., Any], case: str, toml: str, before: bytes, message: str
) -> None:
    result = _review(run_cli, kb_root, toml, before)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "x.md" in result.output and "Traceback" not in result.output
    assert (kb_root / "procedures" / "x.md").read_bytes() == before
    assert _temp_files(kb_root) == []


# --- item 7: `kbtool review` keeps what others write, and the file's identity --------------

# Appends a numbered line every 2 ms (the tester's appender wrote every 10 ms).
APPENDER = """\
import os, sys, time
path, stop = sys.argv[1], sys.argv[2]
n = 0
while not os.path.exists(stop):
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"appended line {n}\\n")
    n += 1
    time.sleep(float(sys.argv[3]))
print(n)
"""


def test_review_keeps_lines_appended_meanwhile(
    kb_root: Path, run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    path = kb_root / "procedures/email/outlook-profile.md"
    stop = tmp_path / "stop"
    appender = subprocess.Popen(
        [sys.executable, "-c", APPENDER, str(path), str(stop), "0.002"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(0.1)
        stamped: list[str] = []
        for i in range(40):
            date = f"2026-10-{2 + i % 28:02d}"
            result = run_cli("--today", TODAY, "review", "KB-0001", "--date", date)
            # Refusing is allowed (the file kept changing); losing what was appended is not.
            assert result.exit_code in (0, 2), result.output
            if result.exit_code == 0:
                stamped.append(date)
            else:
                assert "changed while" in result.output or "open for writing" in result.output, (
                    result.output
                )
    finally:
        stop.touch()
        out, _ = appender.communicate(timeout=30)
    written = int(out)
    lines = path.read_text(encoding="utf-8").splitlines()
    appended = [line for line in lines if line.startswith("appended line ")]
    assert appended == [f"appended line {n}" for n in range(written)]  # all, once, in order
    assert len(stamped) >= 30  # it did get its work done
    assert f"reviewed: {stamped[-1]}" in lines
    assert _temp_files(kb_root) == []


def _replace_after(change: Callable[[str], None]) -> Callable[[str, str], None]:
    """os.replace that lets another writer in just before the rename, after every check."""
    real_replace = os.replace
    done: list[bool] = []

    def replace(src: str, dst: str) -> None:
        if not done and str(dst).endswith(".md"):
            done.append(True)
            change(str(dst))
        real_replace(src, dst)

    return replace


def test_review_keeps_an_append_that_lands_during_the_rename(
    kb_root: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A write can land between the last check and the rename itself; the old file is read
    # once more after the rename and what was appended to it is carried over.
    def append(dst: str) -> None:
        with open(dst, "a", encoding="utf-8") as handle:
            handle.write("late line\n")

    monkeypatch.setattr(os, "replace", _replace_after(append))
    result = run_cli("--today", TODAY, "review", "KB-0001")
    assert result.exit_code == 0, result.output
    text = (kb_root / "procedures/email/outlook-profile.md").read_text(encoding="utf-8")
    assert "reviewed: 2026-11-01\n" in text and text.endswith("late line\n")


def test_review_saves_a_rewrite_that_lands_during_the_rename(
    kb_root: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def rewrite(dst: str) -> None:
        Path(dst).write_text("someone else's version\n", encoding="utf-8")

    monkeypatch.setattr(os, "replace", _replace_after(rewrite))
    result = run_cli("--today", TODAY, "review", "KB-0001")
    assert result.exit_code == 2, result.output
    assert "changed while" in result.output and "kbtool-conflict" in result.output
    saved = list((kb_root / "procedures/email").glob("outlook-profile.md.kbtool-conflict*"))
    assert [p.read_text(encoding="utf-8") for p in saved] == ["someone else's version\n"]


def test_review_writes_through_a_symlink(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    folder = kb_root / "procedures/email"
    real = folder / "outlook-profile.md"
    link = folder / "shortcut.md"
    link.symlink_to("outlook-profile.md")
    result = run_cli("--today", TODAY, "review", "email/shortcut.md")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == "outlook-profile.md"
    assert "reviewed: 2026-11-01\n" in real.read_text(encoding="utf-8")


def test_review_refuses_a_symlink_out_of_the_knowledge_base(
    kb_root: Path, run_cli: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "other.md"
    outside.write_bytes(_file(b"id: KB-0100\nreviewed: 2026-01-05\n"))
    link = kb_root / "procedures/other.md"
    link.symlink_to(outside)
    result = run_cli("--today", TODAY, "review", "other.md")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert link.is_symlink() and os.readlink(link) == str(outside)
    assert outside.read_bytes() == _file(b"id: KB-0100\nreviewed: 2026-01-05\n")


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_review_keeps_mode_owner_and_group(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    path = kb_root / "procedures/email/outlook-profile.md"
    os.chown(path, 12345, 23456)
    path.chmod(0o2640)  # setgid is cleared by chown, so the order matters
    result = run_cli("--today", TODAY, "review", "KB-0001")
    assert result.exit_code == 0, result.output
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (12345, 23456, 0o2640)
    assert "reviewed: 2026-11-01\n" in path.read_text(encoding="utf-8")


def test_review_refuses_a_hard_linked_file(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    path = kb_root / "procedures/email/outlook-profile.md"
    twin = kb_root / "outlook-profile.copy"
    os.link(path, twin)
    before = _snapshot(kb_root)
    result = run_cli("--today", TODAY, "review", "KB-0001")
    assert result.exit_code == 2, result.output
    assert "hard link" in result.output and str(path) in result.output
    assert _snapshot(kb_root) == before
    assert path.stat().st_nlink == 2


def _without_chown() -> None:
    """Drop CAP_CHOWN before exec: root then cannot give files away, like any other user."""
    import ctypes

    pr_capbset_drop, cap_chown = 24, 0
    if ctypes.CDLL(None, use_errno=True).prctl(pr_capbset_drop, cap_chown, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_review_refuses_to_take_someone_elses_file(kb_root: Path) -> None:
    # A group-writable file of another user: replacing it would make it ours; refuse instead.
    path = kb_root / "procedures/email/outlook-profile.md"
    os.chown(path, 12345, 23456)
    path.chmod(0o664)
    before = path.read_bytes()
    done = subprocess.run(
        [*KBTOOL, "--today", TODAY, "review", "KB-0001"],
        cwd=kb_root,
        capture_output=True,
        text=True,
        preexec_fn=_without_chown,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "owner" in done.stderr and str(path) in done.stderr
    assert path.read_bytes() == before and path.stat().st_uid == 12345
    assert _temp_files(kb_root) == []


# --- item 12: parallel `kbtool new` never issues an id twice ----------------------------------

NEW_FLAGS = (
    "--service",
    "Email",
    "--owner",
    "jdoe",
    "--backup",
    "asmith",
    "--summary",
    "Something breaks.",
    "--no-interactive",
)


def _parallel(kb_root: Path, argvs: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    procs = [
        subprocess.Popen(
            [*KBTOOL, "--today", TODAY, *argv],
            cwd=kb_root,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for argv in argvs
    ]
    done = []
    for proc, argv in zip(procs, argvs, strict=True):
        out, err = proc.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(argv, proc.returncode, out, err))
    return done


def _ids(kb_root: Path) -> list[str]:
    found = []
    for path in sorted((kb_root / "procedures").rglob("*.md")):
        match = re.search(r"^id: (\S+)$", path.read_text(encoding="utf-8"), re.M)
        if match:
            found.append(match.group(1))
    return found


def test_parallel_new_issues_distinct_ids(kb_root: Path) -> None:
    results = _parallel(
        kb_root, [["new", "--title", f"Problem number {i}", *NEW_FLAGS] for i in range(8)]
    )
    assert [r.returncode for r in results] == [0] * 8, [r.stderr for r in results]
    ids = _ids(kb_root)
    assert sorted(ids) == [f"KB-{n:04d}" for n in range(1, 10)]


def test_parallel_new_with_the_same_id_creates_one_file(kb_root: Path) -> None:
    results = _parallel(
        kb_root,
        [["new", "--id", "KB-0050", "--title", f"Problem {i}", *NEW_FLAGS] for i in range(8)],
    )
    codes = sorted(r.returncode for r in results)
    assert codes == [0] + [2] * 7, [r.stderr for r in results]
    assert all("already taken" in r.stderr for r in results if r.returncode)
    assert _ids(kb_root).count("KB-0050") == 1


# --- item 17: new files follow the umask; read-only targets refused; stale temp files -------


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


OUTPUTS = [
    ("codeowners", ["codeowners"], ".github/CODEOWNERS"),
    ("report -o", ["report", "-o", "out/health.txt"], "out/health.txt"),
    ("stale -o", ["stale", "-o", "out/stale.md", "--format", "markdown"], "out/stale.md"),
    ("lint -o", ["lint", "--format", "json", "-o", "out/lint.json"], "out/lint.json"),
]


@pytest.mark.parametrize(("case", "argv", "target"), OUTPUTS, ids=[c[0] for c in OUTPUTS])
@pytest.mark.usefixtures("umask_022")
def test_new_output_files_follow_the_umask(
    kb_root: Path, run_cli: Callable[..., Any], case: str, argv: list[str], target: str
) -> None:
    result = run_cli("--today", TODAY, *argv)
    assert result.exit_code in (0, 1), result.output
    assert stat.S_IMODE((kb_root / target).stat().st_mode) == 0o644


def test_codeowners_refuses_a_read_only_file(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    target = kb_root / ".github/CODEOWNERS"
    target.parent.mkdir()
    target.write_text("* @someone\n", encoding="utf-8")
    target.chmod(0o444)
    result = run_cli("--today", TODAY, "codeowners")
    assert result.exit_code == 2, result.output
    assert "read-only" in result.output and "CODEOWNERS" in result.output
    assert target.read_text(encoding="utf-8") == "* @someone\n"


HOLD_LOCK = """\
import fcntl, sys, time
handle = open(sys.argv[1], "rb")
fcntl.flock(handle, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)
"""

WRITERS = [
    ("review", ["review", "KB-0001"], "procedures/email/outlook-profile.md"),
    ("codeowners", ["codeowners"], ".github/CODEOWNERS"),
    ("report -o", ["report", "-o", "health.txt"], "health.txt"),
]


@pytest.mark.parametrize(("case", "argv", "target"), WRITERS, ids=[c[0] for c in WRITERS])
def test_next_write_cleans_its_own_stale_temp_files(
    kb_root: Path, run_cli: Callable[..., Any], case: str, argv: list[str], target: str
) -> None:
    path = kb_root / target
    path.parent.mkdir(parents=True, exist_ok=True)
    stale = path.parent / f".{path.name}.k3j4h5g6.tmp"  # left by a killed write
    live = path.parent / f".{path.name}.a1b2c3d4.tmp"  # another write still in progress
    other = path.parent / f".{path.name}x.k3j4h5g6.tmp"  # another file's
    for temp in (stale, live, other):
        temp.write_bytes(b"half")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(live)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        result = run_cli("--today", TODAY, *argv)
        assert result.exit_code == 0, result.output
        assert not stale.exists()
        assert live.read_bytes() == b"half" and other.read_bytes() == b"half"
    finally:
        holder.kill()
        holder.wait()
