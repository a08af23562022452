"""Helpers shared by the formatters: fingerprints, safe and visible text, the registry."""

from __future__ import annotations

import pytest

from kbtool.lint.findings import Finding, Severity
from kbtool.lint.formatters import FORMAT_NAMES, fingerprints, get_formatter, safe_text, visible


def finding(
    path: str = "procedures/a.md",
    line: int = 3,
    code: str = "FR001",
    message: str = "overdue for review by 12 days (due 2026-01-02)",
) -> Finding:
    return Finding(path, line, 1, code, Severity.ERROR, message)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (finding(line=3), finding(line=30)),
        (finding(), finding(message="overdue for review by 13 days (due 2026-01-02)")),
        (finding(), Finding("procedures/a.md", 3, 9, "FR001", Severity.WARNING, finding().message)),
    ],
    ids=["line moved", "day count changed", "column and severity changed"],
)
def test_fingerprint_is_stable(before: Finding, after: Finding) -> None:
    assert fingerprints([before]) == fingerprints([after])


@pytest.mark.parametrize(
    "other",
    [finding(path="procedures/b.md"), finding(code="FR004"), finding(message="another problem")],
    ids=["path", "code", "message"],
)
def test_fingerprint_changes_with_what_the_finding_is(other: Finding) -> None:
    assert fingerprints([finding()]) != fingerprints([other])


def test_twins_get_distinct_fingerprints_that_follow_their_rank() -> None:
    twins = [finding(line=4, message="link 'x.md'"), finding(line=9, message="link 'x.md'")]
    first, second = fingerprints(twins)
    assert first != second
    # Moving both keeps both; the first twin keeps its fingerprint when the second is fixed.
    assert fingerprints(
        [finding(line=5, message="link 'x.md'"), finding(line=10, message="link 'x.md'")]
    ) == [first, second]
    assert fingerprints(twins[:1]) == [first]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("plain", "plain"), ("bad\udcff.md", "bad\ufffd.md"), ("\ud800x", "\ufffdx")],
)
def test_safe_text_replaces_lone_surrogates(text: str, expected: str) -> None:
    assert safe_text(text) == expected
    safe_text(text).encode("utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tab\tnewline\ncr\r", "tab\tnewline\ncr\r"),
        ("nul\x00 esc\x1b del\x7f nel\x85", "nul\\x00 esc\\x1b del\\x7f nel\\x85"),
        ("rtl \u202e lri \u2066", "rtl \\u202e lri \\u2066"),
        ("café 東京 🙂", "café 東京 🙂"),
    ],
)
def test_visible_shows_acting_characters(text: str, expected: str) -> None:
    assert visible(text) == expected


def test_every_format_name_has_a_formatter() -> None:
    for name in FORMAT_NAMES:
        assert callable(get_formatter(name))
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        get_formatter("xml")
