"""FI rules: the file itself (encoding, emptiness, size, binary, readability, BOM, endings,
what it is) and control characters in the body."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import procedure, write_procedure
from tests.lint.rules.helpers import MAIN, assert_finding, lint_kb, of

CLEAN = procedure().encode("utf-8")


@pytest.mark.parametrize(
    ("content", "code", "line", "col", "fragment"),
    [
        pytest.param(
            CLEAN.replace(b"Outlook is stuck", b"Caf\xe9 is stuck", 1),
            "FI001",
            3,
            11,
            "byte 0xe9 cannot be decoded",
            id="latin1-byte",
        ),
        pytest.param(b"", "FI002", 1, 1, "file is empty", id="empty"),
        pytest.param(b"  \n\n\t\n", "FI002", 1, 1, "file is empty", id="whitespace-only"),
        pytest.param(b"PK\x03\x04\x00\x00binary", "FI004", 1, 1, "NUL bytes", id="binary"),
        pytest.param(b"\xef\xbb\xbf" + CLEAN, "FI006", 1, 1, "byte order mark", id="bom"),
        pytest.param(
            CLEAN.replace(b"\n", b"\r\n", 5), "FI007", 1, 1, "mixed line endings", id="mixed-eol"
        ),
    ],
)
def test_file_rule_fails(
    kb_root: Path, content: bytes, code: str, line: int, col: int, fragment: str
) -> None:
    findings = lint_kb(kb_root, {MAIN: content})
    assert_finding(findings, code, line, fragment, col=col)


def test_file_over_the_size_limit_is_not_read(kb_root: Path) -> None:
    findings = lint_kb(kb_root, config="max_file_bytes = 100\n")
    assert_finding(findings, "FI003", 1, "over the limit of 100 (max_file_bytes)")
    assert [f.code for f in findings] == ["FI003"]  # nothing else: the file was not parsed


@pytest.mark.parametrize("target", ["missing.md", "loop.md"], ids=["dangling", "self-loop"])
def test_unreadable_symlink(kb_root: Path, target: str) -> None:
    os.symlink(target, kb_root / "procedures" / "loop.md")
    findings = lint_kb(kb_root)
    assert_finding(findings, "FI005", 1, "cannot read file", path="procedures/loop.md")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(CLEAN, id="lf"),
        pytest.param(CLEAN.replace(b"\n", b"\r\n"), id="crlf-only"),
        pytest.param(CLEAN.replace(b"\n", b"\r"), id="old-mac-cr"),
        pytest.param(
            CLEAN.replace(b"Outlook is stuck", "Café ☕ is stuck".encode(), 1), id="utf8-text"
        ),
    ],
)
def test_clean_files_pass_every_file_rule(kb_root: Path, content: bytes) -> None:
    findings = lint_kb(kb_root, {MAIN: content})
    assert [f for f in findings if f.code.startswith("FI")] == []
    assert findings == [], findings  # and the file parses into a clean procedure


def test_crlf_file_keeps_line_numbers(kb_root: Path) -> None:
    text = procedure({"owner": "nobody"}).replace("\n", "\r\n")
    findings = lint_kb(kb_root, {MAIN: text.encode()})
    assert_finding(findings, "OW002", 9, "owner 'nobody' is not in the roster")


def test_bom_file_still_parses_front_matter(kb_root: Path) -> None:
    findings = lint_kb(kb_root, {MAIN: b"\xef\xbb\xbf" + CLEAN})
    assert [f.code for f in findings] == ["FI006"]


def test_fi_findings_can_be_silenced_by_selection(kb_root: Path) -> None:
    write_procedure(kb_root, "empty.md", b"")
    assert of(lint_kb(kb_root, select=["FM"]), "FI002") == []
    assert of(lint_kb(kb_root, select=["FI"]), "FI002")


def _socket(path: Path) -> None:
    import socket

    with socket.socket(socket.AF_UNIX) as listening:  # the file stays after close
        listening.bind(os.path.relpath(path))  # relative: socket paths are short


@pytest.mark.parametrize(
    ("name", "make", "code", "fragment"),
    [
        pytest.param(
            "notes.md",
            lambda p, o: os.symlink(o / "x.md", p),
            "FI008",
            "symbolic link to a file outside the procedures folder",
            id="file-link",
        ),
        pytest.param(
            "shared",
            lambda p, o: os.symlink(o, p),
            "FI008",
            "symbolic link to a folder outside the procedures folder",
            id="folder-link",
        ),
        # A socket, not a pipe: opening a pipe would hang a regression in this process (the
        # pipe cases run in a subprocess with a timeout, tests/test_bad_input_files.py).
        pytest.param(
            "sock.md", lambda p, o: _socket(p), "FI009", "a socket, not a regular file", id="socket"
        ),
    ],
)
def test_entries_that_are_not_read(
    kb_root: Path,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    make: object,
    code: str,
    fragment: str,
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "x.md").write_text(procedure({"id": "KB-0900"}), encoding="utf-8")
    make(kb_root / "procedures" / name, outside)  # type: ignore[operator]
    findings = lint_kb(kb_root)
    assert_finding(findings, code, 1, fragment, path=f"procedures/{name}", col=1)
    assert [f.code for f in findings] == [code]  # nothing of the outside file was read
    assert of(lint_kb(kb_root, select=["FM"]), code) == []  # and the rule can be deselected


@pytest.mark.parametrize(
    ("text", "col", "shown"),
    [
        pytest.param("Press \x1b[2J now.", 7, "\\x1b", id="csi"),
        pytest.param("a\x1b]52;c;eA==\x07", 2, "\\x1b", id="osc52"),
        pytest.param("\x9b2J", 1, "\\x9b", id="c1"),
        pytest.param("abc \u202edcba", 5, "\\u202e", id="bidi"),
    ],
)
def test_control_characters_in_the_body(kb_root: Path, text: str, col: int, shown: str) -> None:
    body = "# T\n\n## Symptoms\n\n" + text + "\n\n## Resolution\n\n1. Go.\n\n## Escalation\n\nL.\n"
    content = procedure(body=body)
    line = content.split("\n").index(text) + 1
    findings = lint_kb(kb_root, {MAIN: content})
    found = assert_finding(findings, "FI010", line, shown, col=col)
    assert [f.code for f in findings] == ["FI010"], findings
    assert "\x1b" not in found.message and "\u202e" not in found.message


def test_tabs_and_plain_text_are_no_control_characters(kb_root: Path) -> None:
    body = "# T\n\n## Symptoms\n\nA\ttab, café, 東京.\n\n## Resolution\n\n1. Go.\n\n"
    body += "## Escalation\n\nLead.\n"
    assert lint_kb(kb_root, {MAIN: procedure(body=body)}) == []
