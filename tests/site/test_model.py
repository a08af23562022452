"""What the site says about a procedure: lint mapping, build date, escalation, banners."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from kbtool.lint.findings import Finding, Severity
from kbtool.model.config import load_config
from kbtool.site.card import due_text, procedure_markdown
from kbtool.site.model import STATE_RULES, build_date, lint_messages, load_site
from tests.site.conftest import TODAY, site_procedure, write_kb


def finding(code: str, severity: Severity) -> Finding:
    return Finding("procedures/a.md", 7, 1, code, severity, "message")


@pytest.mark.parametrize(
    ("code", "severity", "fail_on", "level"),
    [
        ("FM002", Severity.ERROR, Severity.ERROR, logging.WARNING),
        ("OW002", Severity.ERROR, Severity.ERROR, logging.WARNING),
        ("FM008", Severity.WARNING, Severity.ERROR, logging.INFO),
        ("FM008", Severity.WARNING, Severity.WARNING, logging.WARNING),
        ("ST003", Severity.INFO, Severity.ERROR, logging.DEBUG),
        ("FR001", Severity.ERROR, Severity.ERROR, logging.INFO),  # a state: shown as a banner
        ("OW008", Severity.ERROR, Severity.WARNING, logging.INFO),
    ],
)
def test_lint_messages(code: str, severity: Severity, fail_on: Severity, level: int) -> None:
    [message] = lint_messages([finding(code, severity)], fail_on, STATE_RULES)
    assert message.level == level
    assert message.text == f"procedures/a.md:7: {code} message"


@pytest.mark.parametrize(
    ("option", "env", "expected"),
    [
        ("2026-01-02", {"KBTOOL_TODAY": "2027-01-01"}, dt.date(2026, 1, 2)),
        (dt.date(2026, 1, 3), {}, dt.date(2026, 1, 3)),
        (None, {"KBTOOL_TODAY": "2027-01-01"}, dt.date(2027, 1, 1)),
        (None, {}, dt.date.today()),
    ],
)
def test_build_date(option: object, env: dict[str, str], expected: dt.date) -> None:
    assert build_date(option, env) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("option", "env", "message"),
    [
        ("01/02/2026", {}, "today: '01/02/2026' is not a date"),
        (None, {"KBTOOL_TODAY": "soon"}, "KBTOOL_TODAY: 'soon' is not a date"),
    ],
)
def test_build_date_names_the_bad_value(
    option: str | None, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_date(option, env)


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(-1, "overdue by 1 day"), (-3, "overdue by 3 days"), (0, "due today"), (1, "in 1 day")],
)
def test_due_text(days_left: int, expected: str) -> None:
    from kbtool.model.review import ReviewState, ReviewStatus

    status = ReviewStatus.OVERDUE if days_left < 0 else ReviewStatus.DUE_SOON
    state = ReviewState(status, dt.date(2026, 1, 1), 180, dt.date(2026, 6, 30), days_left)
    assert due_text(state) == expected


def test_escalation_resolves_roles_teams_and_people(tmp_path) -> None:  # noqa: ANN001
    files = {
        "a/role.md": site_procedure("KB-0001", "Role", extra=""),
        "a/team.md": site_procedure("KB-0002", "Team").replace("team-lead", "desk"),
        "a/person.md": site_procedure("KB-0003", "Person").replace(
            "escalate_to: team-lead", "escalate_to: asmith"
        ),
        "a/unknown.md": site_procedure("KB-0004", "Nobody").replace("team-lead", "wizard"),
    }
    root = write_kb(tmp_path, files)
    site = load_site(load_config(cwd=root), dt.date.fromisoformat(TODAY), run_lint=False)
    by_id = {p.procedure.id: p.escalation for p in site.pages.values()}
    assert (by_id["KB-0001"].kind, by_id["KB-0001"].label) == ("role", "Team lead")
    assert [p.name for p in by_id["KB-0001"].people] == ["Lee Lead"]
    assert (by_id["KB-0002"].kind, by_id["KB-0002"].email) == ("team", "desk@example.com")
    assert (by_id["KB-0003"].kind, by_id["KB-0003"].label) == ("person", "Alan Smith")
    assert by_id["KB-0004"].kind == "unknown"


def test_procedure_markdown_replaces_the_body_h1_with_the_escaped_title(tmp_path) -> None:  # noqa: ANN001
    files = {
        "a/x.md": site_procedure(
            "KB-0001",
            '"<b>Bold</b> title"',
            title_h1="Something else",
            extra='error_codes: ["0x1*2*"]',
        )
    }
    root = write_kb(tmp_path, files)
    site = load_site(load_config(cwd=root), dt.date.fromisoformat(TODAY), run_lint=False)
    text = procedure_markdown(next(iter(site.pages.values())))
    assert text.startswith("# &lt;b&gt;Bold&lt;/b&gt; title\n")
    assert "Something else" not in text
    assert text.count("\n# ") == 0  # exactly one H1
    assert "Error codes: `0x1*2*`" in text
    assert "## Symptoms" in text


@pytest.mark.parametrize(
    ("code", "span"),
    [
        ("0x8004010F", "`0x8004010F`"),
        ("a`b", "``a`b``"),
        ("`x`", "`` `x` ``"),
        ("<script>", "`<script>`"),
        ("two\nlines", "`two lines`"),
    ],
)
def test_code_span(code: str, span: str) -> None:
    import markdown

    from kbtool.site.card import code_span

    assert code_span(code) == span
    html = markdown.markdown(code_span(code))
    text = " ".join(code.split())
    expected = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert html == f"<p><code>{expected}</code></p>"
