"""`kbtool lint`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kbtool.cli import EXIT_FINDINGS, EXIT_OK, AppContext, main, output_option
from kbtool.lint.formatters import FORMAT_NAMES

if TYPE_CHECKING:
    from kbtool.lint.engine import LintResult


def _apply_baseline(
    result: LintResult, baseline_file: Path, root: Path, *, update: bool, whole: bool = True
) -> tuple[LintResult, int]:
    """The result with only the findings not in the baseline, and how many were left out.
    With `update`, the baseline is rewritten from this run first (so nothing is new)."""
    from kbtool.core.fileio import atomic_write_text
    from kbtool.lint import baseline
    from kbtool.lint.engine import LintResult

    cwd = Path.cwd()
    codes_run = {rule.code for rule in result.rules_run}
    if update:
        previous = baseline.load(baseline_file) if baseline_file.exists() else None
        done = baseline.update(previous, result.findings, root, cwd, codes_run=codes_run)
        atomic_write_text(baseline_file, baseline.render(done.baseline))
        click.echo(
            f"wrote {baseline_file}: {len(done.baseline.entries):,} findings "
            f"({done.added:,} added, {done.dropped:,} fixed and dropped)",
            err=True,
        )
        known = done.baseline
    else:
        known = baseline.load(baseline_file)
    parts = baseline.split(result.findings, known, root, cwd, codes_run=codes_run)
    if parts.vanished and not update and whole:  # a part linted says nothing of the rest
        click.echo(
            f"note: {parts.vanished:,} baselined finding{'s are' if parts.vanished != 1 else ' is'}"
            f" fixed; run with --update-baseline to drop {'them' if parts.vanished != 1 else 'it'}",
            err=True,
        )
    new_result = LintResult(
        findings=parts.new, files_checked=result.files_checked, rules_run=result.rules_run
    )
    return new_result, parts.known


def _codes(values: tuple[str, ...]) -> list[str]:
    """`--select FR,OW --select ST001` -> ["FR", "OW", "ST001"]."""
    return [c.strip().upper() for v in values for c in v.split(",") if c.strip()]


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, help="Only these rule codes or prefixes (FR, OW001).")
@click.option("--ignore", multiple=True, help="Skip these rule codes or prefixes.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMAT_NAMES),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--statistics", is_flag=True, help="Also print how many findings each rule made.")
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Text format: no list of findings, only the counts (with --statistics, per rule).",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Report only findings not in this baseline file (adopting a knowledge base).",
)
@click.option(
    "--update-baseline",
    is_flag=True,
    help="Write every finding of this run to the --baseline file (dropping fixed ones).",
)
@click.option(
    "--only-procedures",
    is_flag=True,
    help="Of the PATHS given, lint only those in the procedures folder (for pre-commit).",
)
@click.option(
    "--changed-since",
    metavar="REF",
    help="Only procedures changed since git REF (for pull requests, e.g. origin/main).",
)
@output_option
@click.option("--color/--no-color", default=None, help="Colour (default: only on a terminal).")
@click.pass_obj
def lint(
    app: AppContext,
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    output_format: str,
    statistics: bool,
    quiet: bool,
    baseline_file: Path | None,
    update_baseline: bool,
    only_procedures: bool,
    changed_since: str | None,
    output: Path | None,
    color: bool | None,
) -> None:
    """Check procedures: front matter, ownership, freshness, structure and links.

    \b
    Examples:
      kbtool lint                          every procedure
      kbtool lint procedures/email         one folder
      kbtool lint --select FR,OW           only freshness and ownership
      kbtool lint --format sarif -o kb.sarif
      kbtool lint --changed-since origin/main --format github
      kbtool lint --statistics --quiet     counts per rule, no list
      kbtool lint --only-procedures README.md procedures/a.md   only procedures/a.md
      kbtool lint --baseline kbtool-baseline.json --update-baseline   accept today's findings
      kbtool lint --baseline kbtool-baseline.json                     then: only new ones

    Exit status: 0 clean (warnings allowed), 1 error findings, 2 usage or configuration error.
    """
    from kbtool import __version__
    from kbtool.core.errors import UsageError
    from kbtool.lint.engine import lint as lint_knowledge_base
    from kbtool.lint.formatters import Report, get_formatter
    from kbtool.lint.rules import unknown_selectors
    from kbtool.lint.selection import RuleSelection
    from kbtool.workflow.vcs import changed_files

    for option, values in (("--select", select), ("--ignore", ignore)):
        bad = unknown_selectors(_codes(values))
        if bad:
            codes = ", ".join(bad)
            raise UsageError(f"{option}: unknown rule code(s) {codes} (see `kbtool rules`)")
    if update_baseline and baseline_file is None:
        raise UsageError("--update-baseline needs --baseline FILE (the file to write)")
    if update_baseline and (paths or changed_since):
        raise UsageError(
            "--update-baseline records the whole knowledge base: run it without paths or "
            "--changed-since"
        )
    config = app.config()
    selection = RuleSelection.from_config(config, select=_codes(select), ignore=_codes(ignore))
    kb = app.kb(load=False)  # the linter parses the files itself, in parallel when many
    changed = None
    if changed_since:
        changed = {p.resolve() for p in changed_files(config.root, changed_since)}
    if only_procedures:
        # pre-commit passes every staged Markdown file: the configured folder picks them
        named = {p.resolve() for p in paths}
        changed = named if changed is None else changed & named
        paths = ()
    result = lint_knowledge_base(
        kb, app.today, selection=selection, paths=list(paths) or None, only=changed
    )

    baselined = 0
    if baseline_file is not None:
        result, baselined = _apply_baseline(
            result,
            baseline_file,
            config.root,
            update=update_baseline,
            whole=not (paths or changed_since),
        )

    use_color = color if color is not None else (output is None and sys.stdout.isatty())
    report = Report(
        result=result,
        color=use_color and output_format == "text",
        tool_version=__version__,
        baselined=baselined,
        quiet=quiet,
    )
    text = get_formatter(output_format)(report)
    if output is not None:
        from kbtool.core.fileio import atomic_write_text

        atomic_write_text(output, text)
    else:
        click.echo(text, nl=False, color=True if report.color else None)
    if output_format == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        from kbtool.lint.formatters.github_format import step_summary

        summary_path = os.environ["GITHUB_STEP_SUMMARY"]
        try:
            with open(summary_path, "a", encoding="utf-8") as handle:
                handle.write(step_summary(report))
        except OSError as exc:  # the annotations are out already: warn, do not fail the lint
            click.echo(
                f"warning: cannot write the step summary to {summary_path}: {exc.strerror or exc}",
                err=True,
            )
    if statistics:
        counts = result.by_code()
        rules = {r.code: r for r in result.rules_run}
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            name = rules[code].name if code in rules else ""
            to_stderr = output is None and output_format != "text"
            click.echo(f"{count:6d}  {code}  {name}", err=to_stderr)
    if kb.roster is None and output_format == "text":
        click.echo(
            f"note: no roster at {config.roster_path}; owners and backups were not checked "
            "against it",
            err=True,
        )
    sys.exit(EXIT_FINDINGS if result.has_errors else EXIT_OK)
