"""Findings and severities: immutable values, ordered severities, 1-based positions."""

from __future__ import annotations

import dataclasses

import pytest

from kbtool.lint.findings import Finding, Severity


@pytest.mark.parametrize(
    ("text", "severity"),
    [("error", Severity.ERROR), (" Warning ", Severity.WARNING), ("INFO", Severity.INFO)],
)
def test_parse(text: str, severity: Severity) -> None:
    assert Severity.parse(text) is severity
    assert Severity.parse(severity.label) is severity


def test_parse_refuses_naming_the_choices() -> None:
    with pytest.raises(
        ValueError, match="unknown severity 'fatal' \\(use error, warning or info\\)"
    ):
        Severity.parse("fatal")


def test_severities_are_ordered() -> None:
    assert max(Severity.INFO, Severity.ERROR, Severity.WARNING) is Severity.ERROR
    assert [s.label for s in sorted(Severity)] == ["info", "warning", "error"]


def test_findings_are_immutable_and_sort_by_place_then_code() -> None:
    a = Finding("b.md", 2, 1, "ST001", Severity.WARNING, "x")
    b = Finding("b.md", 2, 1, "FM002", Severity.ERROR, "y")
    c = Finding("a.md", 9, 4, "LN001", Severity.ERROR, "z")
    d = Finding("b.md", 1, 7, "OW002", Severity.INFO, "w")
    assert sorted([a, b, c, d], key=Finding.sort_key) == [c, d, b, a]
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.line = 3  # type: ignore[misc]
