"""`kbtool review`: only the review date changes, byte for byte."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TODAY

BODY = (
    b"\n# Title\n\n## Symptoms\n\nIt breaks.\n\n## Resolution\n\n1. Fix it.\n\n"
    b"## Escalation\n\nTeam lead.\n"
)


def _file(front: bytes, body: bytes = BODY) -> bytes:
    return b"---\n" + front + b"---\n" + body


# (case, kbtool.toml, file before, file after) with --today 2026-11-01.
CASES: list[tuple[str, str, bytes, bytes]] = [
    (
        "unquoted",
        "",
        _file(b"id: KB-0100\nowner: jdoe\nreviewed: 2026-01-05\n"),
        _file(b"id: KB-0100\nowner: jdoe\nreviewed: 2026-11-01\n"),
    ),
    (
        "comments and key order kept",
        "",
        _file(
            b"# owned by the desk\nreviewed: 2026-01-05   # last full review\n"
            b"id: KB-0100  # never reuse\nowner: jdoe\n"
        ),
        _file(
            b"# owned by the desk\nreviewed: 2026-11-01   # last full review\n"
            b"id: KB-0100  # never reuse\nowner: jdoe\n"
        ),
    ),
    (
        "single quotes",
        "",
        _file(b"id: 'KB-0100'\nreviewed: '2026-01-05'\nowner: jdoe\n"),
        _file(b"id: 'KB-0100'\nreviewed: '2026-11-01'\nowner: jdoe\n"),
    ),
    (
        "double quotes and odd spacing",
        "",
        _file(b'id: KB-0100\nreviewed :   "2026-01-05"\t# q\nowner: jdoe\n'),
        _file(b'id: KB-0100\nreviewed :   "2026-11-01"\t# q\nowner: jdoe\n'),
    ),
    (
        "CRLF line endings",
        "",
        b"---\r\nid: KB-0100\r\nreviewed: 2026-01-05\r\nowner: jdoe\r\n---\r\n\r\n# T\r\n",
        b"---\r\nid: KB-0100\r\nreviewed: 2026-11-01\r\nowner: jdoe\r\n---\r\n\r\n# T\r\n",
    ),
    (
        "key absent: inserted before the closing line",
        "",
        _file(b"id: KB-0100\nowner: jdoe  # me\n"),
        _file(b"id: KB-0100\nowner: jdoe  # me\nreviewed: 2026-11-01\n"),
    ),
    (
        "key absent with CRLF",
        "",
        b"---\r\nid: KB-0100\r\nowner: jdoe\r\n---\r\nbody\r\n",
        b"---\r\nid: KB-0100\r\nowner: jdoe\r\nreviewed: 2026-11-01\r\n---\r\nbody\r\n",
    ),
    (
        "empty value",
        "",
        _file(b"id: KB-0100\nreviewed:\nowner: jdoe\n"),
        _file(b"id: KB-0100\nreviewed: 2026-11-01\nowner: jdoe\n"),
    ),
    (
        "alias with US dates keeps the US format",
        '[fields]\naliases = { reviewed = "ms.date", owner = "ms.author" }\n'
        'date_formats = ["%m/%d/%Y"]\n',
        _file(b"id: KB-0100\nms.author: jdoe\nms.date: 01/05/2026\n"),
        _file(b"id: KB-0100\nms.author: jdoe\nms.date: 11/01/2026\n"),
    ),
    (
        "alias absent: the alias key is inserted",
        '[fields]\naliases = { reviewed = "ms.date" }\ndate_formats = ["%m/%d/%Y"]\n',
        _file(b"id: KB-0100\nowner: jdoe\n"),
        _file(b"id: KB-0100\nowner: jdoe\nms.date: 11/01/2026\n"),
    ),
    (
        "byte order mark kept",
        "",
        b"\xef\xbb\xbf" + _file(b"id: KB-0100\nreviewed: 2026-01-05\n"),
        b"\xef\xbb\xbf" + _file(b"id: KB-0100\nreviewed: 2026-11-01\n"),
    ),
    (
        "no newline at the end of the file; unicode elsewhere",
        "",
        _file(b"id: KB-0100\ntitle: Caf\xc3\xa9 Wi-Fi\nreviewed: 2026-01-05\n", b"\nend"),
        _file(b"id: KB-0100\ntitle: Caf\xc3\xa9 Wi-Fi\nreviewed: 2026-11-01\n", b"\nend"),
    ),
    (
        "a bad date is replaced",
        "",
        _file(b"id: KB-0100\nreviewed: 2026-13-45 # typo\n"),
        _file(b"id: KB-0100\nreviewed: 2026-11-01 # typo\n"),
    ),
]


@pytest.mark.parametrize(("case", "toml", "before", "after"), CASES, ids=[c[0] for c in CASES])
def test_review_changes_only_the_date(
    kb_root: Path, run_cli: Callable[..., Any], case: str, toml: str, before: bytes, after: bytes
) -> None:
    (kb_root / "kbtool.toml").write_text(toml, encoding="utf-8")
    path = kb_root / "procedures" / "x.md"
    path.write_bytes(before)
    result = run_cli("--today", TODAY, "review", "KB-0100")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == after
    assert "KB-0100" in result.output


def test_review_uses_date_option_and_reports_old_value(
    kb_root: Path, run_cli: Callable[..., Any]
) -> None:
    result = run_cli("--today", TODAY, "review", "kb-0001", "--date", "2026-10-20")
    assert result.exit_code == 0
    assert "reviewed: 2026-10-01 -> 2026-10-20" in result.output
    text = (kb_root / "procedures/email/outlook-profile.md").read_text()
    assert "reviewed: 2026-10-20\n" in text


def test_review_is_a_no_op_when_already_stamped(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    path = kb_root / "procedures/email/outlook-profile.md"
    before = os.stat(path).st_mtime_ns
    result = run_cli("--today", "2026-10-01", "review", "KB-0001")
    assert result.exit_code == 0
    assert "already records 2026-10-01" in result.output
    assert os.stat(path).st_mtime_ns == before


@pytest.mark.parametrize(
    "ident", ["email/outlook-profile.md", "procedures/email/outlook-profile.md"]
)
def test_review_by_path(kb_root: Path, run_cli: Callable[..., Any], ident: str) -> None:
    result = run_cli("--today", TODAY, "review", ident)
    assert result.exit_code == 0
    assert "reviewed: 2026-11-01" in (kb_root / "procedures/email/outlook-profile.md").read_text()


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_unknown_id_changes_no_file(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    before = _snapshot(kb_root)
    # The first id is fine: nothing is written until every id is known.
    result = run_cli("--today", TODAY, "review", "KB-0001", "KB-0002")
    assert result.exit_code == 2
    assert "unknown procedure id 'KB-0002' (did you mean KB-0001?)" in result.output
    assert _snapshot(kb_root) == before


def test_future_date_refused(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    before = _snapshot(kb_root)
    result = run_cli("--today", TODAY, "review", "KB-0001", "--date", "2026-12-01")
    assert result.exit_code == 2
    assert "after today" in result.output
    assert _snapshot(kb_root) == before


def test_unparsable_front_matter_names_the_file(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    path = kb_root / "procedures" / "broken.md"
    path.write_bytes(b"---\nid: KB-0100\ntitle: [unclosed\nreviewed: 2026-01-01\n---\nbody\n")
    before = _snapshot(kb_root)
    result = run_cli("--today", TODAY, "review", "broken.md")
    assert result.exit_code == 2
    assert str(path) in result.output and "front matter cannot be read" in result.output
    assert _snapshot(kb_root) == before


def test_duplicate_id_refused(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    (kb_root / "procedures" / "copy.md").write_bytes(_file(b"id: KB-0001\n"))
    before = _snapshot(kb_root)
    result = run_cli("--today", TODAY, "review", "KB-0001")
    assert result.exit_code == 2
    assert "declared by several files" in result.output
    assert _snapshot(kb_root) == before


def test_read_only_file_refused(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    path = kb_root / "procedures/email/outlook-profile.md"
    path.chmod(0o444)
    before = _snapshot(kb_root)
    result = run_cli("--today", TODAY, "review", "KB-0001")
    assert result.exit_code == 2
    assert "file is read-only" in result.output and str(path) in result.output
    assert _snapshot(kb_root) == before


def test_write_failure_is_reported_and_leaves_the_file(
    kb_root: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tests run as root, who may write any file and folder, so a failing rename cannot be
    # arranged through permissions; os.replace is made to fail the way a read-only folder or
    # file system makes it fail. This is the one simulated error in these tests.
    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    before = _snapshot(kb_root)
    result = run_cli("--today", TODAY, "review", "KB-0001")
    assert result.exit_code == 2
    assert "cannot write file: Permission denied; it was left unchanged" in result.output
    assert _snapshot(kb_root) == before  # the temporary file was removed too


def test_list_value_refused(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    # A value on the next line is edited in place now (tests/workflow/test_bad_writes.py has
    # every shape); a list cannot be, and the message names the key's line.
    path = kb_root / "procedures" / "x.md"
    path.write_bytes(_file(b"id: KB-0100\nreviewed:\n  - 2026-01-05\n"))
    before = _snapshot(kb_root)
    result = run_cli("--today", TODAY, "review", "KB-0100")
    assert result.exit_code == 2
    assert f"{path}:3:" in result.output and "holds a list" in result.output
    assert _snapshot(kb_root) == before


def test_dry_run_writes_nothing(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    before = _snapshot(kb_root)
    result = run_cli("--today", TODAY, "review", "KB-0001", "--dry-run")
    assert result.exit_code == 0
    assert "2026-10-01 -> 2026-11-01" in result.output
    assert _snapshot(kb_root) == before


def test_stamped_procedure_is_no_longer_overdue(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    late = "2027-06-01"
    assert run_cli("--today", late, "lint", "--select", "FR001").exit_code == 1
    assert run_cli("--today", late, "review", "KB-0001").exit_code == 0
    assert run_cli("--today", late, "lint", "--select", "FR001").exit_code == 0
