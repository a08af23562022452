"""The authoring and freshness workflow: `new`, `review`, `stale`, `codeowners`, `report`.

Each command reads its options, calls the library (`kbtool.workflow`: `scaffold`,
`review_stamp`, `freshness_report`, `codeowners`, `health_report`), renders and exits.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kbtool.cli import EXIT_FINDINGS, EXIT_OK, AppContext, main, output_option, parse_date_option
from kbtool.core.display import json_visible, visible
from kbtool.core.errors import NotFoundError, UsageError
from kbtool.model.config import AUDIENCES, STATUSES, Config

if TYPE_CHECKING:
    from kbtool.model.knowledge_base import KnowledgeBase
    from kbtool.model.procedure import Procedure

REPORT_FORMATS = ("text", "markdown", "json")


def _split(values: tuple[str, ...]) -> list[str]:
    """`--tag a,b --tag c` -> ["a", "b", "c"]."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the current directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


# --- kbtool new -----------------------------------------------------------------------------


@main.command()
@click.option("--id", "ident", help="The id (default: the next free one).")
@click.option("--title", help="What the caller would call the problem.")
@click.option("--summary", help="One sentence, as a caller would say it.")
@click.option("--service", help="The service it belongs to (e.g. Email).")
@click.option("--tag", "tags", multiple=True, help="Tags (repeat, or comma-separated).")
@click.option("--audience", type=click.Choice(AUDIENCES), help="Who may carry it out [L1].")
@click.option("--status", type=click.Choice(STATUSES), default="draft", show_default=True)
@click.option("--owner", help="Roster handle (default: you, when your git email is in the roster).")
@click.option("--backup", help="Roster handle of the backup, who acts when the owner is away.")
@click.option(
    "--reviewed",
    callback=parse_date_option,
    metavar="YYYY-MM-DD",
    help="Review date to record (default: today).",
)
@click.option("--escalate-to", help="A role, team or person of the roster [team-lead].")
@click.option("--error-code", "error_codes", multiple=True, help="An error code callers read out.")
@click.option("--related", multiple=True, help="Ids of related procedures.")
@click.option("--folder", help="Sub-folder of the procedures folder (default: from the service).")
@click.option(
    "--path",
    "target",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write exactly this file instead.",
)
@click.option("--dry-run", is_flag=True, help="Print the procedure instead of writing it.")
@click.option(
    "--interactive/--no-interactive",
    default=None,
    help="Ask for missing fields (default: when standard input is a terminal).",
)
@click.pass_obj
def new(
    app: AppContext,
    ident: str | None,
    title: str | None,
    summary: str | None,
    service: str | None,
    tags: tuple[str, ...],
    audience: str | None,
    status: str,
    owner: str | None,
    backup: str | None,
    reviewed: dt.date | None,
    escalate_to: str | None,
    error_codes: tuple[str, ...],
    related: tuple[str, ...],
    folder: str | None,
    target: Path | None,
    dry_run: bool,
    interactive: bool | None,
) -> None:
    """Scaffold a new procedure from the template, with the next free id.

    Fields not given as options are asked for on a terminal. The owner defaults to you when
    your `git config user.email` is in the roster. An existing file is never overwritten.

    \b
    Examples:
      kbtool new                                     asks for the title, service, owner...
      kbtool new --title "VPN drops every hour" --service Network --backup okim
      kbtool new --title "..." --service Email --dry-run
    """
    from kbtool.workflow.scaffold import (
        NewProcedure,
        check_new,
        create_procedure,
        default_owner,
        default_path,
        field_problem,
        git_user_email,
        issued_ids,
        lint_new,
        next_free_id,
        person_problem,
        render_procedure,
        require_markdown,
        service_problem,
        services_in_use,
    )

    config = app.config()
    kb = app.kb()
    ask = sys.stdin.isatty() if interactive is None else interactive
    email = git_user_email(Path.cwd())
    me = default_owner(kb.roster, email)

    def need(
        value: str | None,
        label: str,
        flag: str,
        default: str | None = None,
        required: bool = True,
        choices: tuple[str, ...] = (),
        field: str | None = None,
    ) -> str | None:
        if value is not None:
            return value
        if ask:
            kind = click.Choice(choices) if choices else None
            answer = click.prompt(
                label,
                default=default if default is not None else ("" if not required else None),
                type=kind,
                show_default=default is not None,
                value_proc=None if choices else checked(field),
            )
            return str(answer).strip() or None
        if default is not None:
            return default
        if required:
            raise UsageError(f"{flag} is required (no terminal to ask on; pass it as an option)")
        return None

    def checked(field: str | None) -> Callable[[str], str] | None:
        """Lint's rules on an answer as it is typed: click asks again when they refuse it."""
        if field is None:
            return None

        def check(answer: str) -> str:
            value: object = _split((answer,)) if field == "tags" else answer.strip()
            problem = field_problem(field, value, config) if value else None
            if problem is None and isinstance(value, str) and value:
                problem = _answer_problem(field, value)
            if problem is not None:
                raise click.BadParameter(problem)
            return answer

        return check

    chosen: dict[str, str | None] = {}

    def _answer_problem(field: str, value: str) -> str | None:
        """What the roster and the knowledge base say about one answer (asked again when
        something is wrong, so no answer given so far is lost)."""
        if field in ("owner", "backup"):
            return person_problem(field, value, kb, owner=chosen.get("owner"))
        roster = kb.roster
        if (
            field == "escalate_to"
            and roster is not None
            and not roster.knows_escalation_target(value)
        ):
            return f"{value!r} is not a role, team or person of the roster"
        if field == "service" and not config.services:
            problem, near = service_problem(value, kb)
            if problem is None:
                return None
            if near is not None:
                return problem
            in_use = ", ".join(services_in_use(kb)) or "none yet"
            if not click.confirm(f"{problem} (in use: {in_use}); add it?", default=False):
                return "give one of the services in use, or confirm the new one"
        return None

    title = need(title, "Title (what the caller would call the problem)", "--title", field="title")
    summary = need(
        summary,
        "Summary (one sentence, as a caller would say it)",
        "--summary",
        required=False,
        field="summary",
    )
    # Where the file goes, when given, brings the folder's [[defaults]] as default answers.
    folder_defaults = _folder_defaults(config, folder, target)
    service = need(
        service,
        "Service",
        "--service",
        default=folder_defaults.get("service"),
        choices=config.services,
        field="service",
    )
    owner = need(
        owner,
        "Owner (roster handle)",
        "--owner",
        default=me or folder_defaults.get("owner"),
        required=ask,
        field="owner",
    )
    chosen["owner"] = owner
    if owner is None:
        raise UsageError(
            f"--owner is required: your git email ({email or 'not set'}) is not in the roster"
        )
    backup = need(
        backup,
        "Backup (roster handle, not the owner)",
        "--backup",
        default=_default_backup(folder_defaults, kb, owner),
        required=False,
        field="backup",
    )
    if not tags and ask:
        tags = (need(None, "Tags (comma-separated)", "--tag", required=False, field="tags") or "",)
    escalate_to = need(
        escalate_to,
        "Escalate to (role, team or person)",
        "--escalate-to",
        default=folder_defaults.get("escalate_to", "team-lead"),
        field="escalate_to",
    )
    assert title is not None and service is not None

    procedure = NewProcedure(
        id=ident or next_free_id(issued_ids(kb), config.id_pattern),
        title=title,
        service=service,
        owner=owner,
        summary=summary,
        tags=_split(tags),
        audience=audience or folder_defaults.get("audience", "L1"),
        status=status,
        backup=backup,
        reviewed=reviewed or app.today,
        escalate_to=escalate_to,
        error_codes=[code for code in error_codes if code.strip()],
        related=_split(related),
    )
    check_new(procedure, kb)
    path = (target if target is not None else default_path(config, procedure, folder)).absolute()
    require_markdown(path)
    text = render_procedure(procedure, config, _shown(path))
    lint_new(text, path, kb, app.today)
    if dry_run:
        click.echo(text, nl=False)
        return
    # The id is taken again under a lock, from the ids in use then: parallel runs never share.
    procedure = create_procedure(
        kb,
        procedure,
        path,
        lambda p: render_procedure(p, config, _shown(path)),
        id_given=ident is not None,
    )
    click.echo(visible(f"created {_shown(path)} ({procedure.id}, owner {owner})"))


def _folder_defaults(config: Config, folder: str | None, target: Path | None) -> dict[str, str]:
    """The [[defaults]] of where the new procedure goes (`--folder` or `--path`), as text."""
    from kbtool.model.effective import matching_defaults

    if target is not None:
        try:
            rel = target.resolve().relative_to(config.procedures_dir).as_posix()
        except ValueError:
            return {}
    elif folder is not None:
        rel = f"{folder.strip('/')}/new.md"
    else:
        return {}
    return {name: str(value) for name, (value, _glob) in matching_defaults(config, rel).items()}


def _default_backup(defaults: dict[str, str], kb: KnowledgeBase, owner: str | None) -> str | None:
    """The folder's backup, else the owner's standing one; never the owner."""
    from kbtool.model.effective import standing_backup

    backup = defaults.get("backup")
    if backup is not None and backup != owner:
        return backup
    return standing_backup(kb.roster, owner)


# --- kbtool review --------------------------------------------------------------------------


@main.command()
@click.argument("idents", nargs=-1, required=True, metavar="ID…")
@click.option(
    "--date",
    "date",
    callback=parse_date_option,
    metavar="YYYY-MM-DD",
    help="The review date to record (default: today).",
)
@click.option("--dry-run", is_flag=True, help="Say what would change without writing.")
@click.pass_obj
def review(app: AppContext, idents: tuple[str, ...], date: dt.date | None, dry_run: bool) -> None:
    """Record a review: set `reviewed:` to today, changing nothing else in the file.

    IDs are procedure ids or paths relative to the procedures folder. The key (or its
    configured alias) is added before the closing `---` when absent. Every id is checked
    before any file is written.

    \b
    Examples:
      kbtool review KB-0042
      kbtool review KB-0042 KB-0043 --date 2026-11-20
    """
    from kbtool.workflow.review_stamp import apply_stamp, plan_stamp

    config = app.config()
    kb = app.kb()
    when = date or app.today
    if when > app.today:
        raise UsageError(f"--date {when.isoformat()} is after today ({app.today.isoformat()})")
    plans = [plan_stamp(_find_one(kb, ident), config, when) for ident in idents]
    for planned, ident in zip(plans, idents, strict=True):
        # Worked out again when the file changed since it was planned: report what was written.
        plan = planned if dry_run else apply_stamp(planned)
        if not plan.changed:
            line = f"{ident}: {_shown(plan.path)} already records {plan.new_value}"
        elif plan.inserted:
            line = f"{ident}: {_shown(plan.path)} {plan.key}: {plan.new_value} (added)"
        else:
            line = f"{ident}: {_shown(plan.path)} {plan.key}: {plan.old_value} -> {plan.new_value}"
        click.echo(visible(line))


# --- kbtool stale ---------------------------------------------------------------------------


@main.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(REPORT_FORMATS),
    default="text",
    show_default=True,
    help="markdown suits a CI job summary; json is for scripts.",
)
@click.option(
    "--within",
    "within_days",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="Count as due soon when due within DAYS (default: review.due_soon, 30).",
)
@click.option(
    "--drafts-older-than",
    "drafts_days",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    metavar="DAYS",
    help="List drafts started over DAYS ago.",
)
@click.option(
    "--fail",
    is_flag=True,
    help="Exit 1 when anything is overdue (or published unreviewed) or unowned.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    metavar="N",
    help="List only the first N procedures (text and markdown; json lists all).",
)
@click.option(
    "--summary",
    "summary_only",
    is_flag=True,
    help="Counts per acting owner and per service, then the most urgent (--limit, default 20).",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=False),
    help="Leave out what this lint baseline accepts (overdue, unowned... on adoption day).",
)
@output_option
@click.pass_obj
def stale(
    app: AppContext,
    output_format: str,
    within_days: int | None,
    drafts_days: int,
    fail: bool,
    limit: int | None,
    summary_only: bool,
    baseline_file: Path | None,
    output: Path | None,
) -> None:
    """The freshness and ownership report, grouped by acting owner with each backup.

    Lists procedures overdue for review (with how many days), due soon, orphaned (owner
    inactive or away: the backup acts), unowned (nobody can act) and drafts left for long.

    \b
    Examples:
      kbtool stale
      kbtool stale --within 60 --format markdown >> "$GITHUB_STEP_SUMMARY"
      kbtool --today 2027-01-01 stale --fail
      kbtool stale --summary --limit 10     at 2,500 procedures: counts, then the worst 10
      kbtool stale --baseline kbtool-baseline.json --fail   only what is new since adoption

    Exit status: 0, or 1 with --fail when something is overdue or unowned; 2 on bad input.
    """
    from kbtool.workflow.freshness_report import RENDERERS, build_report

    config = app.config()
    baselined = None
    if baseline_file is not None:
        from kbtool.lint import baseline

        baselined = baseline.load(baseline_file).codes_by_path()
    kb = app.kb(require_roster=True)
    report = build_report(
        kb,
        app.today,
        within_days=config.due_soon_days if within_days is None else within_days,
        drafts_older_than_days=drafts_days,
        baselined=baselined,
    )
    if summary_only and limit is None:
        limit = 20
    text = RENDERERS[output_format](report, limit=limit, summary=summary_only)
    _emit(text, output, output_format)
    sys.exit(EXIT_FINDINGS if fail and report.failing else EXIT_OK)


# --- kbtool codeowners ----------------------------------------------------------------------


@main.command()
@click.option("--check", is_flag=True, help="Exit 1 (with a diff) when the file is out of date.")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The file (default: .github/CODEOWNERS at the repository root).",
)
@click.pass_obj
def codeowners(app: AppContext, check: bool, output: Path | None) -> None:
    """Write .github/CODEOWNERS so pull requests ask each procedure's owner and backup.

    Rules run from general (the procedures folder: managers and QA) to specific (one per
    procedure), since the last matching pattern wins. Lines above the marker are kept.

    \b
    Examples:
      kbtool codeowners            write or update the file
      kbtool codeowners --check    in CI: fail when someone forgot to update it
    """
    import difflib

    from kbtool.workflow.codeowners import (
        default_path,
        generate,
        precedence_warnings,
        read_existing,
        repository_root,
    )

    kb = app.kb(require_roster=True)
    target = output if output is not None else default_path(kb)
    for warning in precedence_warnings(repository_root(kb), target):
        click.echo(visible(f"warning: {warning}"), err=True)
    existing = read_existing(target)
    text = generate(kb, target, existing)
    shown = _shown(target)
    if check:
        if existing == text:
            click.echo(f"{shown} is up to date")
            sys.exit(EXIT_OK)
        if existing is None:
            click.echo(f"{shown} does not exist; run `kbtool codeowners` and commit it")
        else:
            diff = difflib.unified_diff(
                existing.splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"{shown} (committed)",
                f"{shown} (from the procedures)",
            )
            click.echo(visible("".join(diff)), nl=False)
            click.echo(f"{shown} is out of date; run `kbtool codeowners` and commit it")
        sys.exit(EXIT_FINDINGS)
    if existing == text:
        click.echo(f"{shown} is up to date")
        return
    _write(text, target, refuse_read_only=True)  # like `review`: a read-only file is kept
    click.echo(f"wrote {shown}")


# --- kbtool report --------------------------------------------------------------------------


@main.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(REPORT_FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--oldest",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="How many of the oldest reviews to list.",
)
@click.option(
    "--top-misses",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="How many missed searches to list.",
)
@click.option(
    "--since",
    "misses_since",
    callback=parse_date_option,
    metavar="YYYY-MM-DD",
    help="Count only searches and other events since this date.",
)
@click.option(
    "--unused-days",
    type=click.IntRange(min=1, max=36_500),
    default=90,
    show_default=True,
    help="List published procedures nobody opened in this many days.",
)
@output_option
@click.pass_obj
def report(
    app: AppContext,
    output_format: str,
    oldest: int,
    top_misses: int,
    misses_since: dt.date | None,
    unused_days: int,
    output: Path | None,
) -> None:
    """Knowledge-base health for the monthly review.

    Counts by status and service, overdue share, backup coverage, procedures and review debt
    per owner, the oldest reviews; and from the events store: searches per day and channel, the
    searches that found nothing with their filters, abandoned searches, the mean reciprocal
    rank of opened results, the most viewed and the unused procedures, the "Did this solve
    it?" rate per procedure and service, open problem reports per acting owner.

    \b
    Examples:
      kbtool report
      kbtool report --format markdown --since 2026-11-01 -o health.md
      kbtool report --format json | jq .review.overdue_share
      kbtool report --unused-days 30 --format json | jq .usage.unused
    """
    from kbtool.workflow.health_report import RENDERERS, build_report

    kb = app.kb(require_roster=True)
    figures = build_report(
        kb,
        app.today,
        oldest=oldest,
        top_misses=top_misses,
        misses_since=misses_since,
        unused_days=unused_days,
    )
    _emit(RENDERERS[output_format](figures), output, output_format)


@main.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(REPORT_FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--since",
    callback=parse_date_option,
    metavar="YYYY-MM-DD",
    help="Only feedback given since this date.",
)
@click.option("--fail", is_flag=True, help="Exit 1 when any feedback is open (for CI).")
@output_option
@click.pass_obj
def feedback(
    app: AppContext,
    output_format: str,
    since: dt.date | None,
    fail: bool,
    output: Path | None,
) -> None:
    """Problem reports and "did not solve it" answers, for whoever answers for each procedure.

    Grouped by acting owner (the owner, or the backup while the owner is away), with the
    backup, newest first. Feedback is handled once the procedure's `reviewed:` date is after
    it (`kbtool review ID` after fixing it).

    \b
    Examples:
      kbtool feedback
      kbtool feedback --since 2026-11-01 --format markdown -o feedback.md
      kbtool feedback --format json | jq '.owners[].items[].procedure'
    """
    from kbtool.workflow.feedback_report import RENDERERS, build_feedback

    kb = app.kb(require_roster=True)
    report = build_feedback(kb, app.today, since=since)
    _emit(RENDERERS[output_format](report), output, output_format)
    sys.exit(EXIT_FINDINGS if fail and report.open else EXIT_OK)


def _emit(text: str, output: Path | None, output_format: str) -> None:
    """Print or write a report. Titles, names and paths in it come from the procedures and the
    roster: their control characters are shown as `\x1b` (`\u001b` escapes in JSON), so they
    act neither on the terminal nor on whatever later displays the file."""
    text = json_visible(text) if output_format == "json" else visible(text)
    if output is None:
        click.echo(text, nl=False)
        return
    _write(text, output)


def _write(text: str, output: Path, *, refuse_read_only: bool = False) -> None:
    from kbtool.core.fileio import atomic_write_text

    try:
        atomic_write_text(output, text, refuse_read_only=refuse_read_only)
    except OSError as exc:
        raise UsageError(f"cannot write: {exc.strerror or exc}", path=str(output)) from None


def _find_one(kb: KnowledgeBase, ident: str) -> Procedure:
    """The one procedure with this id (or path); refuse unknown and ambiguous ids."""
    import difflib

    matches = kb.with_id(ident)
    if len(matches) > 1:
        where = ", ".join(p.rel_path for p in matches)
        raise UsageError(f"id {ident!r} is declared by several files ({where}); fix that first")
    if matches:
        return matches[0]
    procedure = kb.find(ident)
    if procedure is not None:
        return procedure
    # A path from the current directory (procedures/a/b.md) or from the procedures folder; a
    # link inside the folder names the procedure it leads to (read once, under its real name).
    wanted = {Path(ident).resolve(), (kb.config.procedures_dir / ident).resolve()}
    for candidate in kb.procedures:
        if candidate.path.resolve() in wanted:
            return candidate
    ids = [p.id for p in kb.procedures if p.id is not None]
    close = difflib.get_close_matches(ident, ids, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise NotFoundError(f"unknown procedure id {ident!r}{hint}; nothing was changed")


__all__ = ["new", "review", "stale", "codeowners", "report", "feedback"]
