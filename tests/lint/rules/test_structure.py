"""ST rules: the body follows the content standard."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BODY, procedure
from tests.lint.rules.helpers import MAIN, assert_finding, line_of, lint_kb, of

NO_ESCALATION = BODY.split("## Escalation")[0]
BULLETS = BODY.replace("1. Close", "- Close").replace("2. Start", "- Start")
EMPTY_SYMPTOMS = BODY.replace("Outlook shows *Loading profile* and never opens.\n\n", "")
TWICE = BODY + "\n## Symptoms\n\nMore symptoms.\n"
PLACEHOLDER = BODY.replace("1. Close Outlook.", "1. *First step.*")
GUIDANCE_LEFT = BODY.replace(
    "## Escalation\n",
    "## Escalation\n\n<!-- When to stop and to whom: the role or team, and what to write in\n"
    "     the ticket. -->\n",
)
STEPS_UNDER_A_BULLET = BODY.replace(
    "1. Close Outlook.\n2. Start", "- Before you start:\n  1. Close Outlook.\n  2. Start"
)

# (body, code, needle, offset from the needle's line, message fragment)
FAILING = [
    # A missing section is reported on the first line of the body (after the closing ---).
    pytest.param(NO_ESCALATION, "ST001", "# Outlook", -1, "'## Escalation'", id="missing"),
    pytest.param(BULLETS, "ST002", "## Resolution", 0, "no numbered steps", id="bullets"),
    pytest.param(EMPTY_SYMPTOMS, "ST003", "## Symptoms", 0, "'## Symptoms' is empty", id="empty"),
    pytest.param(TWICE, "ST004", "More symptoms", -2, "repeats the one on line 20", id="twice"),
    pytest.param(PLACEHOLDER, "ST005", "*First step.*", 0, "placeholder", id="placeholder"),
    pytest.param(GUIDANCE_LEFT, "ST005", "<!-- When", 0, "guidance comment", id="comment"),
]


@pytest.mark.parametrize(("body", "code", "needle", "offset", "fragment"), FAILING)
def test_structure_rule_fails(
    kb_root: Path, body: str, code: str, needle: str, offset: int, fragment: str
) -> None:
    text = procedure(body=body)
    findings = lint_kb(kb_root, {MAIN: text})
    assert_finding(findings, code, line_of(text, needle) + offset, fragment)


PASSING = [
    pytest.param(
        NO_ESCALATION,
        '[structure]\nrequired_sections = ["Symptoms"]\n',
        "ST001",
        id="configured-sections",
    ),
    pytest.param(BODY.replace("## Symptoms", "## SYMPTOMS"), "", "ST001", id="case-insensitive"),
    pytest.param(BODY.replace("1. Close", "1) Close"), "", "ST002", id="paren-steps"),
    pytest.param(STEPS_UNDER_A_BULLET, "", "ST002", id="steps-under-a-bullet"),
    # An author's own comment is not the template's.
    pytest.param(BODY + "\n<!-- checked with the vendor -->\n", "", "ST005", id="own-comment"),
    # Resolution has bullets, but the configured steps section is "Fix", which is numbered.
    pytest.param(
        BULLETS + "\n## Fix\n\n1. Do it.\n",
        '[structure]\nsteps_section = "Fix"\n',
        "ST002",
        id="custom-steps-section",
    ),
    pytest.param(BULLETS + "<!-- kbtool: disable ST002 -->\n", "", "ST002", id="disabled-in-file"),
    pytest.param(
        EMPTY_SYMPTOMS,
        '[lint.per_file_ignores]\n"email/*" = ["ST"]\n',
        "ST003",
        id="per-file-ignore",
    ),
    pytest.param(BODY, "", "ST004", id="no-repeat"),
    pytest.param(BODY + "\n```\n## Symptoms\n```\n", "", "ST004", id="heading-in-fence"),
]


@pytest.mark.parametrize(("body", "config", "code"), PASSING)
def test_structure_rule_passes(kb_root: Path, body: str, config: str, code: str) -> None:
    findings = lint_kb(kb_root, {MAIN: procedure(body=body)}, config=config)
    assert of(findings, code) == [], findings


def test_commented_out_section_does_not_count(kb_root: Path) -> None:
    body = NO_ESCALATION + "<!--\n## Escalation\n\nTo whom?\n-->\n"
    findings = lint_kb(kb_root, {MAIN: procedure(body=body)})
    assert [f.code for f in findings] == ["ST001"]


def test_setext_sections_count(kb_root: Path) -> None:
    body = BODY.replace("## Escalation\n", "Escalation\n----------\n")
    assert lint_kb(kb_root, {MAIN: procedure(body=body)}) == []
