"""`kbtool rules`: the rule reference, from the rules' docstrings."""

from __future__ import annotations

import click

from kbtool.cli import main


@main.command("rules")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
)
def rules_command(output_format: str) -> None:
    """List every lint rule with its code, name, default severity and summary.

    \b
    Examples:
      kbtool rules
      kbtool rules --format markdown > docs/reference/rules.md
    """
    from kbtool.lint.rules import RULES
    from kbtool.lint.rules_doc import rules_markdown

    if output_format == "markdown":
        click.echo(rules_markdown(), nl=False)
        return
    for r in RULES:
        click.echo(f"{r.code}  {r.name:<26} {r.severity.label:<8} {r.summary}")
