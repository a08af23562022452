"""FI: the file itself (encoding, size, readability, what it is) before any Markdown is read,
and characters no Markdown should hold."""

from __future__ import annotations

from collections.abc import Iterator

from kbtool.core.display import ACTING, shown_as
from kbtool.lint.findings import Problem, Severity
from kbtool.lint.rules.base import LintContext, rule
from kbtool.model.issues import IssueKind
from kbtool.model.procedure import Procedure


def issues(procedure: Procedure, kind: IssueKind) -> Iterator[Problem]:
    for issue in procedure.issues_of(kind):
        yield Problem(issue.message, issue.line, issue.col)


@rule("FI001", "not-utf8", Severity.ERROR, issue=IssueKind.ENCODING)
def not_utf8(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The file is not valid UTF-8.

    Procedures are read as UTF-8. The finding names the line and column of the first byte that
    cannot be decoded. Fix: re-save the file as UTF-8 (most editors: "Save with encoding").
    """
    yield from issues(procedure, IssueKind.ENCODING)


@rule("FI002", "empty-file", Severity.ERROR, issue=IssueKind.EMPTY)
def empty_file(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The file is empty or holds only white space.

    Fix: write the procedure (`kbtool new` scaffolds one) or delete the file.
    """
    yield from issues(procedure, IssueKind.EMPTY)


@rule("FI003", "file-too-large", Severity.ERROR, issue=IssueKind.TOO_LARGE)
def too_large(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The file is larger than `max_file_bytes` (1 MB by default) and was not read.

    A procedure an agent follows during a call fits on a few screens. Fix: split it into
    several procedures linked with `related`, move attachments out, or raise the limit.
    """
    yield from issues(procedure, IssueKind.TOO_LARGE)


@rule("FI004", "binary-file", Severity.ERROR, issue=IssueKind.BINARY)
def binary_file(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The file has NUL bytes: it is binary, not Markdown.

    A NUL in the first 8 KB makes the whole file binary (an image, a UTF-16 file); one further
    down is reported at its line and column. Fix: give the file another extension, or replace
    it with the Markdown source (or delete the pasted binary content).
    """
    yield from issues(procedure, IssueKind.BINARY)


@rule("FI005", "unreadable", Severity.ERROR, issue=IssueKind.UNREADABLE)
def unreadable(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The file cannot be read (permissions, a broken symbolic link, a symlink loop), or a
    folder cannot be listed.

    Fix: repair the link or the permissions, or remove the file.
    """
    yield from issues(procedure, IssueKind.UNREADABLE)


@rule("FI006", "byte-order-mark", Severity.WARNING, issue=IssueKind.BOM)
def byte_order_mark(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The file starts with a UTF-8 byte order mark.

    Some tools then fail to see the front matter. Fix: save as UTF-8 without BOM.
    """
    yield from issues(procedure, IssueKind.BOM)


@rule("FI007", "mixed-line-endings", Severity.WARNING, issue=IssueKind.LINE_ENDINGS)
def mixed_line_endings(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The file mixes Windows (CRLF) and Unix (LF) line endings.

    Either style alone is fine. Fix: convert the file to one style (e.g. `dos2unix`).
    """
    yield from issues(procedure, IssueKind.LINE_ENDINGS)


@rule("FI008", "outside-knowledge-base", Severity.ERROR, issue=IssueKind.OUTSIDE)
def outside_knowledge_base(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A symbolic link in the procedures folder points outside it, and was not read.

    Only files inside the procedures folder are procedures: a link to a file or a folder
    elsewhere (another repository, a system file, `/dev/zero`, `/`) is neither linted, nor
    indexed, nor published, so that nothing from outside the knowledge base reaches a search
    result or the site. A link to another procedure inside the folder is fine: that file is
    read once, under its own name. Fix: copy the file into the procedures folder, or remove
    the link.
    """
    yield from issues(procedure, IssueKind.OUTSIDE)


@rule("FI009", "not-a-regular-file", Severity.ERROR, issue=IssueKind.SPECIAL)
def not_a_regular_file(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A `*.md` entry is a named pipe (FIFO), a device or a socket, and was not read.

    Reading one could wait for ever or never end. Fix: remove it (or rename it without the
    `.md` extension).
    """
    yield from issues(procedure, IssueKind.SPECIAL)


@rule("FI010", "control-characters-in-body", Severity.ERROR)
def control_characters_in_body(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The body holds control characters or bidirectional overrides.

    Terminal escape sequences (ESC, the C1 controls: colours, hyperlinks that hide their
    target, writes to the clipboard) would act on the terminal of the agent who searches, and
    bidirectional overrides make text read differently from what it is. They are invisible in
    most editors; `kbtool search` and `kbtool show` print them as `\\x1b` or `\\u202e`. One
    finding per line, at the first such character. Fix: delete them (retype the line).
    """
    body = procedure.body
    if not body or ACTING.search(body) is None:
        return
    for number, line in enumerate(body.split("\n")):
        match = ACTING.search(line)
        if match is not None:
            yield Problem(
                f"control character {shown_as(match[0])} in the text; delete it (it can hide "
                "text or act on the terminal of whoever reads the procedure)",
                procedure.body_start_line + number,
                match.start() + 1,
            )
