"""FI rules: the file itself (encoding, emptiness, size, binary, readability, BOM, endings)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.rules.helpers import MAIN, assert_finding, lint_kb, of, procedure, write

CLEAN = procedure().encode("utf-8")


@pytest.mark.parametrize(
    ("content", "code", "line", "col", "fragment"),
    [
        pytest.param(
            CLEAN.replace(b"Outlook is stuck", b"Caf\xe9 is stuck", 1),
            "FI001", 3, 11, "byte 0xe9 cannot be decoded", id="latin1-byte",
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
    write(kb_root, "empty.md", b"")
    assert of(lint_kb(kb_root, select=["FM"]), "FI002") == []
    assert of(lint_kb(kb_root, select=["FI"]), "FI002")
