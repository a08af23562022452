"""ST: the body follows the content standard (Symptoms, Cause, Resolution, Escalation)."""

from __future__ import annotations

from collections.abc import Iterator

from kbtool.lint.findings import Problem, Severity
from kbtool.lint.rules.base import LintContext, rule
from kbtool.model.procedure import Procedure
from kbtool.model.steps import steps, steps_section
from kbtool.model.template import leftovers


def _has_body(procedure: Procedure) -> bool:
    return procedure.scan is not None and procedure.has_front_matter


@rule("ST001", "missing-section", Severity.ERROR)
def missing_section(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A required `## Section` is missing (`structure.required_sections`).

    Default: Symptoms, Resolution, Escalation (Cause is optional). Headings are level 2 and
    matched without regard to case. Fix: add the section with its content.
    """
    if not _has_body(procedure):
        return
    assert procedure.scan is not None
    for title in context.config.required_sections:
        if procedure.scan.section(title) is None:
            yield Problem(
                f"missing required section '## {title}'",
                procedure.body_start_line,
            )


@rule("ST002", "no-numbered-steps", Severity.ERROR)
def no_numbered_steps(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The Resolution section has no numbered steps.

    Agents follow a resolution step by step and tell the caller which step they are on.
    A step is an item of a numbered list in the section that is not nested in another
    numbered item, at the margin or under a bullet; `kbtool show` and the site read the steps
    the same way. Fix: write the steps as a numbered list (`1. ...`, `2. ...`).
    """
    if not _has_body(procedure):
        return
    section = steps_section(procedure, context.config)
    if section is not None and not steps(procedure, context.config):
        yield Problem(
            f"'## {section.title}' has no numbered steps; write them as `1. ...`", section.line
        )


@rule("ST003", "empty-section", Severity.WARNING)
def empty_section(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A `## Section` has a heading and nothing under it.

    Fix: write the section or remove the heading.
    """
    if not _has_body(procedure):
        return
    assert procedure.scan is not None
    for section in procedure.scan.sections:
        if not section.has_content:
            yield Problem(f"section '## {section.title}' is empty", section.line)


@rule("ST004", "duplicate-section", Severity.WARNING)
def duplicate_section(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The same `## Section` heading appears twice.

    Readers (and the rules) see only the first. Fix: merge the two sections.
    """
    if not _has_body(procedure):
        return
    assert procedure.scan is not None
    seen: dict[str, int] = {}
    for section in procedure.scan.sections:
        key = section.title.strip().lower()
        if key in seen:
            yield Problem(
                f"section '## {section.title}' repeats the one on line {seen[key]}", section.line
            )
        else:
            seen[key] = section.line


@rule("ST005", "template-text", Severity.WARNING)
def template_text(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The body still holds text of the `kbtool new` template: a placeholder line in italics
    (`*First step.*`) or one of the template's guidance comments.

    Reported on drafts too, so that a procedure is not published with them. Fix: write the real
    content in place of each placeholder and delete the template's comments.
    """
    if not _has_body(procedure):
        return
    for line, kind in leftovers(procedure.body, procedure.body_start_line):
        if kind == "placeholder":
            yield Problem("the template's placeholder is still here; write the real text", line)
        else:
            yield Problem("the template's guidance comment is still here; delete it", line)
