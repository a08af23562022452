"""Every format's exact output for a clean run and for hostile findings, against golden files."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kbtool.lint.formatters import FORMAT_NAMES, get_formatter
from kbtool.lint.formatters.github_format import step_summary
from tests.lint.formatters.conftest import SCENARIOS, report_for

EXTENSIONS = {
    "text": "txt",
    "json": "json",
    "github": "log",
    "sarif": "sarif",
    "gitlab": "json",
    "junit": "xml",
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_output_matches_golden(
    name: str, scenario: str, golden: Callable[[str, str], None]
) -> None:
    text = get_formatter(name)(report_for(scenario))
    golden(f"{name}-{scenario}.{EXTENSIONS[name]}", text)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_github_step_summary_matches_golden(
    scenario: str, golden: Callable[[str, str], None]
) -> None:
    golden(f"github-summary-{scenario}.md", step_summary(report_for(scenario)))


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_output_is_encodable_and_deterministic(name: str, scenario: str) -> None:
    first = get_formatter(name)(report_for(scenario))
    assert first == get_formatter(name)(report_for(scenario))
    first.encode("utf-8")  # lone surrogates from undecodable file names would raise here
    assert first.endswith("\n")
