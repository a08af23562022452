"""FI: the file itself (encoding, size, readability) before any Markdown is read."""

from __future__ import annotations

from collections.abc import Iterator

from kbtool.findings import Problem, Severity
from kbtool.procedure import Procedure
from kbtool.rules.base import LintContext, rule


def issues(procedure: Procedure, kind: str) -> Iterator[Problem]:
    for issue in procedure.issues_of(kind):
        yield Problem(issue.message, issue.line, issue.col)


@rule("FI001", "not-utf8", Severity.ERROR, issue="encoding")
def not_utf8(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The file is not valid UTF-8.

    Procedures are read as UTF-8. The finding names the line and column of the first byte that
    cannot be decoded. Fix: re-save the file as UTF-8 (most editors: "Save with encoding").
    """
    yield from issues(procedure, "encoding")


@rule("FI002", "empty-file", Severity.ERROR, issue="empty")
def empty_file(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The file is empty or holds only white space.

    Fix: write the procedure (`kbtool new` scaffolds one) or delete the file.
    """
    yield from issues(procedure, "empty")


@rule("FI003", "file-too-large", Severity.ERROR, issue="too-large")
def too_large(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The file is larger than `max_file_bytes` (1 MB by default) and was not read.

    A procedure an agent follows during a call fits on a few screens. Fix: split it into
    several procedures linked with `related`, move attachments out, or raise the limit.
    """
    yield from issues(procedure, "too-large")


@rule("FI004", "binary-file", Severity.ERROR, issue="binary")
def binary_file(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The file has NUL bytes: it is binary, not Markdown.

    Fix: give the file another extension, or replace it with the Markdown source.
    """
    yield from issues(procedure, "binary")


@rule("FI005", "unreadable", Severity.ERROR, issue="unreadable")
def unreadable(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The file cannot be read (permissions, a broken symbolic link, a symlink loop).

    Fix: repair the link or the permissions, or remove the file.
    """
    yield from issues(procedure, "unreadable")


@rule("FI006", "byte-order-mark", Severity.WARNING, issue="bom")
def byte_order_mark(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The file starts with a UTF-8 byte order mark.

    Some tools then fail to see the front matter. Fix: save as UTF-8 without BOM.
    """
    yield from issues(procedure, "bom")


@rule("FI007", "mixed-line-endings", Severity.WARNING, issue="line-endings")
def mixed_line_endings(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The file mixes Windows (CRLF) and Unix (LF) line endings.

    Either style alone is fine. Fix: convert the file to one style (e.g. `dos2unix`).
    """
    yield from issues(procedure, "line-endings")
