"""GitHub Actions workflow commands and the step summary."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from kbtool.lint.engine import LintResult
from kbtool.lint.findings import Finding, Severity
from kbtool.lint.formatters import Report, visible
from kbtool.lint.formatters.github_format import (
    SUMMARY_MAX_FINDINGS,
    SUMMARY_MAX_MESSAGE,
    command,
    escape_data,
    escape_property,
    render,
    step_summary,
)
from tests.lint.formatters.conftest import (
    HOSTILE_MESSAGES,
    HOSTILE_PATHS,
    RULES_RUN,
    hostile_result,
    report_for,
)

# --- a reader of workflow commands, after the runner's ActionCommand.TryParseV2 -----------
#
# The runner takes a line that starts with "::", ends the command at the next "::", splits
# the properties on "," and each at its first "=", then unescapes properties and data by
# replacing %0D, %0A (and for properties %3A, %2C) and finally %25.


def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    assert line.startswith("::")
    end = line.index("::", 2)
    info, data = line[2:end], line[end + 2 :]
    name, _, props = info.partition(" ")
    properties: dict[str, str] = {}
    for item in filter(None, props.split(",")):
        key, _, value = item.partition("=")
        properties[key] = unescape_property(value)
    return name, properties, unescape_data(data)


@pytest.mark.parametrize("message", HOSTILE_MESSAGES)
@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_command_round_trips_through_the_runners_parser(path: str, message: str) -> None:
    finding = Finding(path, 12, 3, "LN001", Severity.WARNING, message)
    line = command(finding)
    # One line: neither the message nor the path can start a second command.
    assert "\n" not in line and "\r" not in line
    name, properties, data = parse_command(line)
    assert name == "warning"
    assert properties == {
        "file": visible(path),
        "line": "12",
        "col": "3",
        "title": "LN001",
    }
    assert data == visible(message)


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("100%", "100%25", "100%25"),
        ("a\nb\r\nc", "a%0Ab%0D%0Ac", "a%0Ab%0D%0Ac"),
        ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
        ("%0A", "%250A", "%250A"),
        ("esc\x1b[1m", "esc\\x1b[1m", "esc\\x1b[1m"),
        ("bidi \u202e", "bidi \\u202e", "bidi \\u202e"),
        ("bad \udcff", "bad \ufffd", "bad \ufffd"),
    ],
)
def test_escaping_follows_the_actions_toolkit(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


@pytest.mark.parametrize(
    ("severity", "name"),
    [(Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "notice")],
)
def test_severity_picks_the_command(severity: Severity, name: str) -> None:
    line = command(Finding("procedures/a.md", 2, 5, "FR001", severity, "overdue"))
    assert line == f"::{name} file=procedures/a.md,line=2,col=5,title=FR001::overdue"


def test_render_has_one_command_per_finding_then_the_counts() -> None:
    report = report_for("hostile")
    lines = render(report).splitlines()
    commands = [parse_command(line) for line in lines if line.startswith("::")]
    assert len(commands) == len(report.result.findings)
    assert [c[1]["title"] for c in commands] == [f.code for f in report.result.findings]
    assert lines[-1] == "kbtool lint: 6 files checked: 8 errors, 2 warnings, 1 info"


def test_clean_run_prints_only_the_counts() -> None:
    assert render(report_for("clean")) == (
        "kbtool lint: 3 files checked: 0 errors, 0 warnings, 0 info\n"
    )


# --- the step summary, rendered as GitHub would (CommonMark + GFM tables) ----------------


class _Cells(HTMLParser):
    """Tag names used, and the text of each table row's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def rendered(markdown: str) -> _Cells:
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    parser = _Cells()
    parser.feed(html)
    return parser


def test_summary_renders_hostile_text_as_text() -> None:
    report = report_for("hostile")
    cells = rendered(step_summary(report))
    # Raw HTML is allowed by the renderer, yet nothing but our own structure comes out.
    assert cells.tags <= {"h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td"}
    findings_rows = [row for row in cells.rows if len(row) == 5][1:]  # minus the header
    assert len(findings_rows) == len(report.result.findings)
    by_position = {(row[0], row[1]): row for row in findings_rows}
    for f in report.result.findings:
        row = by_position[(visible(f.path), str(f.line))]
        expected = visible(re.sub(r"\r\n|[\r\n\u2028\u2029]", " ", f.message).replace("\t", " "))
        assert row[2:] == [f.code, f.severity.label, expected]


def test_summary_counts_findings_by_rule() -> None:
    cells = rendered(step_summary(report_for("hostile")))
    by_rule = {row[0]: row[1:] for row in cells.rows if len(row) == 4}
    assert by_rule["rule"] == ["name", "severity", "findings"]
    assert by_rule["LN001"] == ["broken-link", "error", "4"]
    assert by_rule["FR002"] == ["due-soon", "info", "1"]
    assert len(by_rule) == 1 + 8


def test_summary_of_a_clean_run_says_so() -> None:
    text = step_summary(report_for("clean"))
    assert text.startswith("## kbtool lint: no errors\n")
    assert "All clean." in text
    assert "|" not in text


def test_summary_of_a_huge_run_is_cut_errors_first() -> None:
    findings = [
        Finding(f"procedures/p{i:04d}.md", 1, 1, "ST003", Severity.WARNING, "empty")
        for i in range(SUMMARY_MAX_FINDINGS + 40)
    ] + [Finding("procedures/z.md", 1, 1, "FR001", Severity.ERROR, "x" * 5000)]
    report = Report(LintResult(findings, len(findings), RULES_RUN))
    text = step_summary(report)
    cells = rendered(text)
    rows = [row for row in cells.rows if len(row) == 5][1:]
    assert len(rows) == SUMMARY_MAX_FINDINGS
    assert rows[0][2] == "FR001"  # the error comes first, although its file sorts last
    assert len(rows[0][4]) == SUMMARY_MAX_MESSAGE
    assert rows[0][4].endswith("…")
    assert "… and 41 more findings." in text
    assert len(text.encode()) < 1024 * 1024  # GitHub's limit for one step's summary


def test_summary_names_rules_that_did_not_run_as_selected() -> None:
    result = hostile_result()
    result.rules_run = ()
    by_rule = {row[0]: row[1] for row in rendered(step_summary(Report(result))).rows}
    assert by_rule["FI005"] == "unreadable"
    assert by_rule["OW002"] == "owner-unknown"
