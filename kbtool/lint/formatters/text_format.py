"""`path:line:col: CODE message`, one finding a line, colour only on a terminal."""

from __future__ import annotations

from kbtool.lint.findings import Severity
from kbtool.lint.formatters import Report, visible

_COLOURS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"


def render(report: Report) -> str:
    lines: list[str] = []
    for f in () if report.quiet else report.result.findings:
        # Control characters from a crafted file name or value must not drive the terminal.
        # One finding is one line: a newline inside a value must not fake a second finding.
        path, message = (
            visible(text).replace("\r", "\\r").replace("\n", "\\n") for text in (f.path, f.message)
        )
        if report.color:
            colour = _COLOURS[f.severity]
            lines.append(
                f"{_BOLD}{path}:{f.line}:{f.col}:{_RESET} {colour}{f.code}{_RESET} {message}"
            )
        else:
            lines.append(f"{path}:{f.line}:{f.col}: {f.code} {message}")
    summary = report.result.summary()
    tail = (
        f"{summary['files']} file{'s' if summary['files'] != 1 else ''} checked: "
        f"{summary['errors']} error{'s' if summary['errors'] != 1 else ''}, "
        f"{summary['warnings']} warning{'s' if summary['warnings'] != 1 else ''}, "
        f"{summary['info']} info"
    )
    if report.baselined:
        tail = f"{tail} ({report.baselined:,} more in the baseline, not shown)"
    if not report.result.findings:
        tail = f"{tail}. All clean." if not report.baselined else f"{tail}. Nothing new."
    lines.append(tail)
    return "\n".join(lines) + "\n"
