"""FM rules: front matter syntax, required fields, types, keys, ids, dates, values."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BODY, procedure
from tests.lint.rules.helpers import MAIN, assert_finding, line_of, lint_kb, of

LONG_SUMMARY = "Outlook " + "never opens " * 25


# (changes to the clean procedure, code, line needle (None: line 1), message fragment)
FAILING = [
    pytest.param(
        {"owner": "[jdoe"}, "FM002", "owner:", "stopped on line 10", id="unclosed-bracket"
    ),
    pytest.param({"title": "Error: 0x80"}, "FM002", "title:", "quote a value", id="colon-hint"),
    pytest.param({"tags": "\n\t- outlook"}, "FM002", "- outlook", "tabs", id="tab-hint"),
    pytest.param(
        {"service": "Email\nservice: Mail"},
        "FM003",
        "service: Mail",
        "duplicate key 'service' (first defined on line 5)",
        id="duplicate-key",
    ),
    pytest.param({"service": None}, "FM005", None, "required field 'service'", id="no-service"),
    pytest.param({"title": '""'}, "FM005", None, "required field 'title'", id="empty-title"),
    pytest.param({"summary": None}, "FM005", None, "required field 'summary'", id="no-summary"),
    pytest.param({"tags": "{a: b}"}, "FM006", "tags:", "'tags' must be a list", id="tags-map"),
    pytest.param({"title": "[a, b]"}, "FM006", "title:", "'title' must be text", id="title-list"),
    pytest.param(
        {"review_every": "soon"},
        "FM006",
        "review_every:",
        "whole number of days",
        id="interval-text",
    ),
    pytest.param(
        {"review_every": "-3"}, "FM006", "review_every:", "positive number", id="interval-negative"
    ),
    pytest.param({"status": "live"}, "FM007", "status:", "'status' is 'live'", id="status"),
    pytest.param({"audience": "L4"}, "FM007", "audience:", "use one of L1, L2, L3", id="audience"),
    pytest.param({"onwer": "jdoe"}, "FM008", "onwer:", "did you mean 'owner'", id="typo-key"),
    pytest.param(
        {"colour": "blue"}, "FM008", "colour:", "allow it with fields.extra", id="unknown-key"
    ),
    pytest.param({"id": "KB-42"}, "FM009", "id:", "does not match the pattern", id="id-pattern"),
    pytest.param(
        {"reviewed": "2026-02-30"}, "FM011", "reviewed:", "is not a date", id="impossible-date"
    ),
    pytest.param(
        {"reviewed": "'10/01/2026'"},
        "FM011",
        "reviewed:",
        "e.g. 2026-10-01",
        id="us-date-unconfigured",
    ),
    pytest.param({"reviewed": "soon"}, "FM011", "reviewed:", "is not a date", id="word-date"),
    pytest.param(
        {"title": '"Reset \u202egnp.exe"'}, "FM012", "title:", "bidirectional", id="bidi-override"
    ),
    pytest.param(
        {"summary": '"bell \\x07 here"'}, "FM012", "summary:", "control", id="escaped-control"
    ),
    pytest.param({"title": "Raw \x1b[31m red"}, "FM012", "title:", "U+001B", id="raw-escape"),
    pytest.param(
        {"summary": LONG_SUMMARY}, "FM014", "summary:", "keep it to one sentence", id="long-summary"
    ),
]


@pytest.mark.parametrize(("changes", "code", "needle", "fragment"), FAILING)
def test_front_matter_rule_fails(
    kb_root: Path, changes: dict[str, str | None], code: str, needle: str | None, fragment: str
) -> None:
    text = procedure(changes)
    findings = lint_kb(kb_root, {MAIN: text})
    assert_finding(findings, code, line_of(text, needle), fragment)


@pytest.mark.parametrize(
    ("text", "code", "line", "fragment"),
    [
        pytest.param(BODY, "FM001", 1, "must start with a '---' line", id="no-front-matter"),
        pytest.param("---\nid: KB-0001\n" + BODY, "FM001", 1, "not closed", id="unclosed"),
        pytest.param("---\n---\n" + BODY, "FM004", 1, "front matter is empty", id="empty"),
        pytest.param("---\n- a\n- b\n---\n" + BODY, "FM004", 2, "not a list", id="list"),
        pytest.param("---\njust text\n---\n" + BODY, "FM004", 2, "not a line of text", id="scalar"),
    ],
)
def test_front_matter_block_fails(
    kb_root: Path, text: str, code: str, line: int, fragment: str
) -> None:
    assert_finding(lint_kb(kb_root, {MAIN: text}), code, line, fragment)


def test_duplicate_id_is_reported_in_both_files(kb_root: Path) -> None:
    findings = lint_kb(kb_root, {"network/vpn.md": procedure({"title": "VPN"})})
    line = line_of(procedure(), "id:")
    assert_finding(findings, "FM010", line, "also used by network/vpn.md")
    assert_finding(
        findings,
        "FM010",
        line,
        "also used by email/outlook-profile.md",
        path="procedures/network/vpn.md",
    )


def test_unknown_service_suggests_the_closest(kb_root: Path) -> None:
    text = procedure({"service": "Emial"})
    config = '[fields]\nservices = ["Email", "Network"]\n'
    findings = lint_kb(kb_root, {MAIN: text}, config=config)
    assert_finding(findings, "FM013", line_of(text, "service:"), "did you mean 'Email'")


# Variants that must NOT produce the code: (changes, config, code)
PASSING = [
    pytest.param({"title": '"Error: 0x80"'}, "", "FM002", id="quoted-colon"),
    pytest.param({}, "", "FM003", id="no-duplicates"),
    pytest.param(
        {"status": "draft", "summary": None, "backup": None, "reviewed": None},
        "",
        "FM005",
        id="draft-needs-no-summary",
    ),
    pytest.param({"tags": "outlook, profile"}, "", "FM006", id="comma-tags"),
    pytest.param({"review_every": "'90'"}, "", "FM006", id="quoted-interval"),
    pytest.param({"status": "retired"}, "", "FM007", id="retired"),
    pytest.param({"colour": "blue"}, '[fields]\nextra = ["colour"]\n', "FM008", id="extra-key"),
    pytest.param(
        {"id": "DOC-7"}, '[fields]\nid_pattern = "DOC-\\\\d+"\n', "FM009", id="custom-id-pattern"
    ),
    pytest.param(
        {"reviewed": "10/01/2026"},
        '[fields]\ndate_formats = ["%m/%d/%Y"]\n',
        "FM011",
        id="us-date-configured",
    ),
    pytest.param({"reviewed": "2026-10-01T09:30:00"}, "", "FM011", id="datetime"),
    pytest.param({"title": '"<script>alert(1)</script>"'}, "", "FM012", id="html-is-text"),
    pytest.param(
        {"service": "Email"}, '[fields]\nservices = ["Email"]\n', "FM013", id="service-in-catalogue"
    ),
    pytest.param({"summary": "x" * 200}, "", "FM014", id="summary-at-limit"),
]


@pytest.mark.parametrize(("changes", "config", "code"), PASSING)
def test_front_matter_rule_passes(
    kb_root: Path, changes: dict[str, str | None], config: str, code: str
) -> None:
    findings = lint_kb(kb_root, {MAIN: procedure(changes)}, config=config)
    assert of(findings, code) == [], findings


def test_clean_procedure_has_no_front_matter_findings(kb_root: Path) -> None:
    assert lint_kb(kb_root) == []


def test_us_date_is_read_as_the_right_day(kb_root: Path) -> None:
    # 10/01/2026 is 1 October in US order: due 2027-03-30, so overdue on 2027-04-01 only.
    changes = {"reviewed": "10/01/2026"}
    config = '[fields]\ndate_formats = ["%m/%d/%Y"]\n'
    files = {MAIN: procedure(changes)}
    assert of(lint_kb(kb_root, files, config=config, today="2027-03-29"), "FR001") == []
    assert of(lint_kb(kb_root, files, config=config, today="2027-04-01"), "FR001")


def test_aliases_read_dotted_keys(kb_root: Path) -> None:
    changes = {"owner": None, "reviewed": None, "ms.author": "jdoe", "ms.date": "2026-10-01"}
    config = '[fields.aliases]\nowner = "ms.author"\nreviewed = "ms.date"\n'
    assert lint_kb(kb_root, {MAIN: procedure(changes)}, config=config) == []


def test_aliased_field_is_named_by_its_alias(kb_root: Path) -> None:
    changes = {"owner": None, "ms.author": "nobody"}
    config = '[fields.aliases]\nowner = "ms.author"\n'
    text = procedure(changes)
    findings = lint_kb(kb_root, {MAIN: text}, config=config)
    assert_finding(findings, "OW002", line_of(text, "ms.author:"), "owner 'nobody'")
    missing = lint_kb(kb_root, {MAIN: procedure({"owner": None})}, config=config)
    assert_finding(missing, "OW001", 1, "add `ms.author: <handle>`")


@pytest.mark.parametrize("value", ["no", "on", "off", "yes", "No"])
def test_yaml_11_booleans_stay_text(kb_root: Path, value: str) -> None:
    text = procedure({"service": value, "tags": f"[{value}]"})
    findings = lint_kb(kb_root, {MAIN: text})
    assert of(findings, "FM006") == [], findings
