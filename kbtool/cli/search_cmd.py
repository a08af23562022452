"""`kbtool index`, `kbtool search`, `kbtool show`, `kbtool eval`: the search commands.

Whoosh and the search package are imported inside the commands: `kbtool --help` and the other
commands must not pay for them at start-up.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kbtool.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, AppContext, KbtoolClickError, main
from kbtool.core.display import json_visible, one_line, visible
from kbtool.core.fileio import utf8_safe

if TYPE_CHECKING:  # names only: importing the search package at start-up imports Whoosh
    from kbtool.model.config import Config
    from kbtool.search.searcher import KbSearcher, SearchResponse

T = TypeVar("T")

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _err(message: str) -> None:
    click.echo(utf8_safe(message), err=True)


def _out(text: str, color: bool | None = None) -> None:
    """Standard output, always UTF-8: file names and queries may hold bytes that were not."""
    click.echo(utf8_safe(text), color=color)


def _json(data: Any) -> None:
    _out(json_visible(json.dumps(data, ensure_ascii=False, indent=2)))


def _tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def _index_progress(stream: Any = None) -> Iterator[Callable[[int, int], None]]:
    """A progress callback for index builds: a bar on a terminal from 200 files, else quiet.

    Quiet in CI and in pipes (`stream` is not a terminal), and for small knowledge bases,
    whose builds take well under a second.
    """
    stream = stream if stream is not None else sys.stderr
    show = _tty(stream)
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if not show or total < 200:
            return
        if bar is None:
            bar = click.progressbar(length=total, label="indexing", file=stream)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _searched(app: AppContext, config: Config, run: Callable[[KbSearcher], T]) -> T:
    """`run(searcher)` on the index brought up to date; the searcher's notes said on stderr.

    The files are stat-ed for the freshness check in a forked child where possible
    (`file_scan.digest_in_background`), while this process imports the search package and
    runs the search on the index as it is. When the check then finds the index up to date
    (nearly every search) that answer stands; otherwise the index is updated and the search
    is run again. At 25,000 procedures the walk takes as long as the import and the search
    together, so an agent waits for the longer of the two, not for both.
    """
    from kbtool.model.file_scan import digest_in_background

    files_digest = digest_in_background(config)
    stale = None
    try:
        from kbtool.search.indexer import stale_reason

        answer = _run_unchecked(config, app.today, run)
        if answer is not None:
            stale = stale_reason(config, files_digest())
            if stale is None:
                notes, result = answer
                for note in notes:
                    _err(visible(note))
                return result
    finally:
        files_digest()  # never leave the walk behind, whatever happened here
    with _open_searcher(app, config, files_digest, stale) as searcher:
        return run(searcher)


def _run_unchecked(
    config: Config, today: dt.date, run: Callable[[KbSearcher], T]
) -> tuple[list[str], T] | None:
    """(notes, `run(searcher)`) on the index as it is; None when it cannot be opened or
    searched (missing, damaged, being replaced): the checked way then says what is wrong."""
    from kbtool.search.searcher import open_unchecked

    try:
        with open_unchecked(config, today=today) as searcher:
            return list(searcher.notes), run(searcher)
    except Exception:  # noqa: BLE001 - whatever failed is met again, and reported, below
        return None


def _open_searcher(
    app: AppContext,
    config: Config,
    files_digest: Callable[[], str | None] | None = None,
    stale: str | None = None,
) -> KbSearcher:
    """The index opened for searching, brought up to date first; its notes said on stderr.
    `stale`: why the index was just found out of date (the files are not compared again)."""
    from kbtool.search import open_searcher

    with _index_progress() as progress:  # a search that must (re)build the index first
        searcher = open_searcher(
            config,
            today=app.today,
            on_wait=_err,
            files_digest=files_digest,
            progress=progress,
            stale=stale,
        )
    for note in searcher.notes:
        _err(visible(note))
    return searcher


# --- kbtool index ---------------------------------------------------------------------------


@main.command()
@click.option("--rebuild", is_flag=True, help="Rebuild from scratch instead of updating.")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds to wait when another kbtool process is updating the index.",
)
@click.pass_obj
def index(app: AppContext, rebuild: bool, wait: float) -> None:
    """Build or update the search index (only changed, added and removed files).

    The index lives in .kbtool/ at the knowledge base's root; it is a cache that can always
    be rebuilt. An interrupted build leaves the previous index in use.

    \b
    Examples:
      kbtool index                          update after editing procedures
      kbtool index --rebuild                start from scratch
      kbtool --procedures ~/notes index     index any folder of Markdown
    """
    from kbtool.search import build_index

    config = app.config()
    with _index_progress() as progress:
        stats = build_index(config, rebuild=rebuild, progress=progress, wait=wait, on_wait=_err)
    if stats.reason and stats.reason not in ("rebuild requested", "no search index yet"):
        _err(visible(stats.reason))
    if stats.rebuilt:
        click.echo(f"indexed {stats.total} procedures in {stats.seconds:.1f} s")
    elif stats.changed:
        click.echo(
            f"index updated in {stats.seconds:.2f} s: {stats.added} added, {stats.updated} "
            f"changed, {stats.removed} removed ({stats.total} procedures)"
        )
    else:
        click.echo(f"index up to date ({stats.total} procedures)")
    if config.state_dir != config.root / ".kbtool":
        _err(
            f"{config.root / '.kbtool'} cannot be written: the index is kept in {config.state_dir}"
        )


# --- kbtool search --------------------------------------------------------------------------


@main.command()
@click.argument("query", nargs=-1)
@click.option("--service", help="Only procedures of this service.")
@click.option("--tag", help="Only procedures with this tag.")
@click.option("--audience", type=click.Choice(["L1", "L2", "L3"], case_sensitive=False))
@click.option(
    "--status", type=click.Choice(["draft", "published", "retired"], case_sensitive=False)
)
@click.option("--owner", help="Only procedures owned by this person (roster handle).")
@click.option("--retired", "include_retired", is_flag=True, help="Include retired procedures.")
@click.option("-n", "--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--as-typed", is_flag=True, help="Search the words as typed: no typo correction.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--color/--no-color", default=None, help="Colour (default: only on a terminal).")
@click.pass_obj
def search(
    app: AppContext,
    query: tuple[str, ...],
    service: str | None,
    tag: str | None,
    audience: str | None,
    status: str | None,
    owner: str | None,
    include_retired: bool,
    limit: int,
    as_typed: bool,
    as_json: bool,
    color: bool | None,
) -> None:
    """Find the procedure for what the caller says.

    Typos are corrected (and said so), error codes and ids match exactly and come first, the
    knowledge base's synonyms apply (procedures/synonyms.yml). Exit code 1 when nothing
    matched; such searches are logged for the knowledge-gap report.

    \b
    Examples:
      kbtool search outlook stuck loading profile
      kbtool search 0x8004010F
      kbtool search "vpn wont connect" --service Network --limit 5
      kbtool search pasword reset --json   (corrected_query: "password reset")
      kbtool search pasword reset --as-typed
    """
    text = utf8_safe(" ".join(query).strip())  # an argument's stray bytes are not words
    if not text:
        raise KbtoolClickError(
            "empty query: type a few words of what the caller says, e.g. "
            "kbtool search outlook stuck loading profile",
            EXIT_USAGE,
        )
    config = app.config()
    response = _searched(
        app,
        config,
        lambda searcher: searcher.search(
            text,
            limit=limit,
            service=service,
            tag=tag,
            audience=audience,
            status=status.lower() if status else None,
            include_retired=include_retired,
            owner=owner,
            correct=not as_typed,
        ),
    )
    filters = {
        "service": service,
        "tag": tag,
        "audience": audience,
        "status": status,
        "owner": owner,
    }
    if as_json:
        from kbtool.search.response import search_json

        _json(search_json(response, filters=filters))
    else:
        use_color = _tty(sys.stdout) if color is None else color
        _out(_render_results(response, use_color, filters), color=use_color)
    _record_search(config, text, response, filters)
    sys.exit(EXIT_OK if response.results else EXIT_FINDINGS)


def _record_search(
    config: Config, text: str, response: SearchResponse, filters: dict[str, str | None]
) -> None:
    """Record the search in the events store (channel cli), after the answer was printed.

    The agent sees the results first; a store that cannot be written never fails the search
    (a read-only checkout, a full disk, a database that is down), as the search log never did.
    `[search] log_misses = false` keeps searches that found nothing out.
    """
    if not config.events.enabled or (not response.total and not config.search.log_misses):
        return
    sys.stdout.flush()
    from kbtool.events import record, search_event

    record(
        config,
        [
            search_event(
                "cli",
                text,
                response.total,
                filters=filters,
                corrected=response.corrected_query,
            )
        ],
    )


def _render_results(response: SearchResponse, color: bool, filters: dict[str, str | None]) -> str:
    """The hits as text. Every value from the procedures (or the roster) goes through
    `one_line` before it is styled: a control character in a title or a snippet is printed
    as `\x1b`, never sent to the terminal."""

    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if color else text

    def marks(text: str) -> str:
        return (
            _BOLD.sub(lambda m: style(m.group(1), bold=True, fg="yellow"), text) if color else text
        )

    lines: list[str] = []
    for note in response.notes:
        lines.append(style(one_line(note), dim=True))
    typed = one_line(response.query.strip())
    if response.corrected_query and response.results:
        # Only the corrected words were in no procedure; the others matched as typed.
        words = ", ".join(repr(one_line(word)) for word, _shown in response.corrections)
        lines.append(
            f"showing results for {style(one_line(response.corrected_query), bold=True)}"
            f" (no procedure has {words})"
        )
    if not response.results:
        lines.extend(_no_results(response, typed, filters, style))
        return "\n".join(lines)
    if response.weak:
        lines.append(style(f"no close match for {typed!r}; nearest:", fg="yellow"))
    width = len(str(len(response.results)))
    for number, hit in enumerate(response.results, 1):
        ident = one_line(hit.id or hit.path)
        title = style(one_line(hit.title), bold=True)
        head = f"{number:>{width}}. {style(ident, bold=True, fg='cyan')}  {title}"
        flags = []
        if hit.exact:
            flags.append(style("exact match", fg="green"))
        if hit.overdue:
            flags.append(style("OVERDUE for review", fg="red", bold=True))
        if hit.status != "published":
            flags.append(style(one_line(hit.status), fg="magenta"))
        if flags:
            head += "  [" + ", ".join(flags) + "]"
        lines.append(head)
        pad = " " * (width + 2)
        if hit.summary:
            lines.append(pad + one_line(hit.summary))
        if hit.snippet and hit.snippet != hit.summary:
            lines.append(pad + style("… ", dim=True) + marks(one_line(hit.snippet)))
        owner = one_line(hit.owner) if hit.owner else None
        who = f"owner: {owner or 'none'}"
        if hit.orphaned:
            who = f"acting owner: {owner or 'none (owner and backup unavailable)'}"
        detail = [who]
        if hit.service:
            detail.append(f"service: {one_line(hit.service)}")
        if hit.id:
            detail.append(one_line(hit.path))
        lines.append(pad + style(" · ".join(detail), dim=True))
    if response.weak and response.did_you_mean:
        suggestions = ", ".join(one_line(word) for word in response.did_you_mean)
        lines.append(f"did you mean: {suggestions}?")
    return "\n".join(lines)


def _no_results(
    response: Any, typed: str, filters: dict[str, str | None], style: Callable[..., str]
) -> list[str]:
    """What to say when nothing matched, one reason only: the filters (when the words match
    without them), only retired procedures, or the words themselves (with a did-you-mean)."""
    used = " ".join(f"--{name} {one_line(value)}" for name, value in filters.items() if value)
    if response.filter_problems or response.outside_filters:
        lines = [f"no procedure matches {typed!r} with {used}"]
        lines += [one_line(problem) for problem in response.filter_problems]
        if response.outside_filters:
            count = response.outside_filters
            lines.append(
                f"{count} procedure{'s' if count != 1 else ''} match{'es' if count == 1 else ''}"
                " without the filters: try without them"
            )
        return lines
    if response.retired_matches:
        lines = [f"only retired procedures match {typed!r}:"]
        for hit in response.retired_matches:
            line = f"  {one_line(hit.id or hit.path)}  {one_line(hit.title)}"
            if hit.replaced_by is not None:
                ident, title = hit.replaced_by
                line += " — replaced by " + style(one_line(ident), bold=True)
                line += f" {one_line(title)}" if title else " (not found)"
            lines.append(line)
        replacements = [h.replaced_by[0] for h in response.retired_matches if h.replaced_by]
        if replacements:
            lines.append(f"open the replacement: kbtool show {one_line(replacements[0])}")
        lines.append(f"to see the retired ones: kbtool search --retired {typed}")
        return lines
    lines = [f"no procedure matches {typed!r}"]
    if response.did_you_mean:
        suggestions = ", ".join(one_line(word) for word in response.did_you_mean)
        lines.append(f"did you mean: {suggestions}?")
    return lines


# --- kbtool show ----------------------------------------------------------------------------


@main.command()
@click.argument("ident", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def show(app: AppContext, ident: str, as_json: bool) -> None:
    """Show one procedure for use during a call: symptoms, steps, escalation, who to call.

    ID is a procedure id (any case), its path under the procedures folder, or its path as
    typed from where you are (procedures/email/...). On a terminal the Markdown is rendered
    (lists, code, bold); in a pipe it is plain text.

    \b
    Examples:
      kbtool show KB-0042
      kbtool show procedures/email/outlook-stuck-loading-profile.md
      kbtool show email/outlook-stuck-loading-profile.md --json
    """
    config = app.config()
    wanted = _as_procedures_path(ident, config.procedures_dir) or ident
    with _open_searcher(app, config) as searcher:
        from kbtool.cli.show_text import link_targets, resolve_link
        from kbtool.search.card import find_card  # after the search package, imported above

        card = find_card(searcher, wanted)
        procedure = card.procedure
        ids = {
            target: found
            for target in link_targets(procedure.body)
            if (found := searcher.id_of(resolve_link(target, procedure.rel_path))) is not None
        }
        replacement = searcher.replacement(procedure.superseded_by)
    if as_json:
        _json(card.as_json())
        return
    import shutil  # only `kbtool show` needs it: not imported before `kbtool search` forks

    from kbtool.cli.show_text import render_card

    terminal = _tty(sys.stdout)
    width = shutil.get_terminal_size().columns if terminal else 80
    text = render_card(
        card,
        config.steps_section,
        terminal=terminal,
        width=width,
        ids=ids,
        replacement=replacement,
    )
    _out(text, color=terminal)


def _as_procedures_path(typed: str, procedures_dir: Path) -> str | None:
    """`typed` as a path under the procedures folder when it names a file there as typed from
    the current directory (`procedures/email/x.md`); None otherwise."""
    try:
        path = (Path.cwd() / typed).resolve()
        rel = path.relative_to(procedures_dir.resolve())
    except (OSError, ValueError):
        return None
    return rel.as_posix() if path.is_file() else None


# --- kbtool eval ----------------------------------------------------------------------------


def _write_regression_set(config: Config, file: Path, min_clicks: int) -> None:
    from kbtool.core.fileio import atomic_write_text
    from kbtool.workflow.regression_set import regression_cases, render_cases

    cases, problem = regression_cases(config, min_clicks=min_clicks)
    if problem:
        raise KbtoolClickError(f"cannot read the events: {problem}", EXIT_USAGE)
    if not cases:
        raise KbtoolClickError(
            f"no query was opened and marked solved in {min_clicks} searches yet; nothing"
            f" written to {file} (lower --min-clicks, or wait for more feedback)",
            EXIT_FINDINGS,
        )
    try:
        atomic_write_text(file, render_cases(cases))
    except OSError as exc:
        raise KbtoolClickError(f"{file}: cannot write: {exc.strerror or exc}", EXIT_USAGE) from None
    _err(f"wrote {len(cases)} cases from the events to {file}")


@main.command(name="eval")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--min-mrr", type=click.FloatRange(0, 1), help="Fail (exit 1) below this MRR@10.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--from-events",
    is_flag=True,
    help="First write FILE from the events: queries typed on the site, each with the procedure"
    " agents opened from its results and marked solved.",
)
@click.option(
    "--min-clicks",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="With --from-events: how many searches must agree before a pair becomes a case.",
)
@click.pass_obj
def eval_(
    app: AppContext,
    file: Path,
    min_mrr: float | None,
    as_json: bool,
    from_events: bool,
    min_clicks: int,
) -> None:
    """Measure search quality on real caller phrasings: MRR@10 and recall@1/5/10.

    FILE is JSON lines: {"query": "...", "target": "KB-0042" or a path}. Keep such a file
    in CI with --min-mrr so a change that makes search worse fails the build. With
    --from-events, FILE is written first from what agents searched, opened and marked solved
    on the site, then measured.

    \b
    Examples:
      kbtool eval tests/search-regression.jsonl
      kbtool eval queries.jsonl --min-mrr 0.8
      kbtool eval --from-events --min-clicks 3 desk-phrasings.jsonl
    """
    from kbtool.search.evaluate import evaluate, load_cases

    config = app.config()
    if from_events:
        _write_regression_set(config, file, min_clicks)
    cases = load_cases(file)
    with _open_searcher(app, config) as searcher:
        report = evaluate(searcher, cases)
    if as_json:
        _json(report.as_json())
    else:
        _out(
            f"{report.count} queries  MRR@10 {report.mrr:.3f}  recall@1 {report.recall(1):.3f}"
            f"  recall@5 {report.recall(5):.3f}  recall@10 {report.recall(10):.3f}"
        )
        if report.misses:
            _out(f"missed (target not in the top 10): {len(report.misses)}")
            for miss in report.misses:
                _out(
                    f"  {file}:{miss.case.line}: {miss.case.query!r} -> expected "
                    f"{miss.case.target}, got {miss.top or 'nothing'}"
                )
    if min_mrr is not None and report.mrr < min_mrr:
        _err(f"MRR@10 {report.mrr:.3f} is below the minimum {min_mrr:.3f}")
        sys.exit(EXIT_FINDINGS)
