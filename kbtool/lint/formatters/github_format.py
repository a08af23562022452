"""GitHub Actions: workflow commands that become annotations, and a Markdown step summary.

`render` prints one `::error file=…,line=…,col=…,title=CODE::message` line a finding
(`::warning` and `::notice` for the other severities). GitHub shows only the first ten
annotations of each kind per step, so `step_summary` writes the whole picture to
`$GITHUB_STEP_SUMMARY`: counts, findings per rule and the findings themselves.
"""

from __future__ import annotations

import re
from collections import Counter

from kbtool.lint.findings import Finding, Severity
from kbtool.lint.formatters import Report, safe_text, visible
from kbtool.lint.rules import RULES_BY_CODE

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}

#: Findings listed one by one in the step summary; GitHub caps a summary at 1 MiB.
SUMMARY_MAX_FINDINGS = 200
#: Characters of a message shown in the step summary before it is cut.
SUMMARY_MAX_MESSAGE = 500


def escape_data(text: str) -> str:
    """Escape a workflow command's message as the Actions toolkit does (`escapeData`).

    Control characters and bidirectional overrides are shown as `\\xNN` first (`visible`).
    """
    return visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value (`escapeProperty`): also `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(finding: Finding) -> str:
    """The workflow command that annotates `finding`."""
    properties = ",".join(
        f"{name}={escape_property(value)}"
        for name, value in (
            ("file", finding.path),
            ("line", str(finding.line)),
            ("col", str(finding.col)),
            ("title", finding.code),
        )
    )
    return f"::{_COMMANDS[finding.severity]} {properties}::{escape_data(finding.message)}"


def _counts_line(report: Report) -> str:
    s = report.result.summary()
    return (
        f"{s['files']} file{'s' if s['files'] != 1 else ''} checked: "
        f"{s['errors']} error{'s' if s['errors'] != 1 else ''}, "
        f"{s['warnings']} warning{'s' if s['warnings'] != 1 else ''}, {s['info']} info"
    )


def render(report: Report) -> str:
    lines = [command(f) for f in report.result.findings]
    # A plain line (not a command) for the log; it holds no text from the knowledge base.
    lines.append(f"kbtool lint: {_counts_line(report)}")
    return "\n".join(lines) + "\n"


# --- the step summary ---------------------------------------------------------------------

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and an escaped one
# is always literal: no emphasis, link, autolink, HTML or table cell border can start from it.
_MARKDOWN_SPECIAL = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029]")


def escape_markdown(text: str, limit: int | None = None) -> str:
    """`text` as literal Markdown inline text, safe inside a table cell.

    Line breaks become spaces (a table row is one line), other control characters and
    bidirectional overrides are shown as `\\xNN` (`visible`); the text is cut at `limit`.
    """
    text = safe_text(text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    text = visible(_LINE_BREAKS.sub(" ", text).replace("\t", " "))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _rule_name(code: str, report: Report) -> str:
    for r in report.result.rules_run:
        if r.code == code:
            return r.name
    known = RULES_BY_CODE.get(code)
    return known.name if known is not None else ""


def step_summary(report: Report) -> str:
    """A Markdown summary for `$GITHUB_STEP_SUMMARY`: counts, findings by rule, findings."""
    result = report.result
    errors = result.count(Severity.ERROR)
    verdict = f"{errors} error{'s' if errors != 1 else ''}" if errors else "no errors"
    out = [f"## kbtool lint: {verdict}", "", _counts_line(report) + "."]
    if not result.findings:
        return "\n".join([*out, "", "All clean.", ""]) + "\n"

    worst: dict[str, Severity] = {}
    for f in result.findings:
        worst[f.code] = max(worst.get(f.code, f.severity), f.severity)
    counts = Counter(f.code for f in result.findings)
    out += ["", "### Findings by rule", "", "| rule | name | severity | findings |"]
    out.append("| --- | --- | --- | ---: |")
    for code, count in sorted(counts.items(), key=lambda item: (-worst[item[0]], item[0])):
        name = escape_markdown(_rule_name(code, report))
        out.append(f"| {escape_markdown(code)} | {name} | {worst[code].label} | {count} |")

    # Errors first, so that a truncated list still shows what fails the build.
    ordered = sorted(result.findings, key=lambda f: (-f.severity, f.sort_key()))
    shown = ordered[:SUMMARY_MAX_FINDINGS]
    out += ["", "### Findings", "", "| file | line | rule | severity | message |"]
    out.append("| --- | ---: | --- | --- | --- |")
    for f in shown:
        out.append(
            f"| {escape_markdown(f.path)} | {f.line} | {escape_markdown(f.code)} "
            f"| {f.severity.label} | {escape_markdown(f.message, SUMMARY_MAX_MESSAGE)} |"
        )
    hidden = len(ordered) - len(shown)
    if hidden:
        out += [
            "",
            f"… and {hidden} more finding{'s' if hidden != 1 else ''}. Run `kbtool lint` "
            "locally, or use `--format sarif` for code scanning, to see them all.",
        ]
    return "\n".join(out) + "\n\n"
