"""`kbtool init`."""

from __future__ import annotations

import os
from pathlib import Path

import click

from kbtool.cli import main


@main.command()
@click.option(
    "--from",
    "source",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="The folder of Markdown to adopt (default: procedures/ if there, else here).",
)
@click.option("--dry-run", is_flag=True, help="Print the proposal; write nothing.")
def init(source: Path | None, dry_run: bool) -> None:
    """Adopt an existing folder of Markdown: propose and write kbtool.toml and a roster.

    Reports the front-matter keys in use with how many files use each, and proposes aliases
    for keys that mean kbtool's fields (ms.author is the owner, ms.date the review date in the
    format found, description the summary), the other keys as `extra`, and a roster skeleton
    with one person per owner found. kbtool.toml and roster.yml go in the current folder;
    neither is ever overwritten.

    \b
    Examples:
      kbtool init --from articles --dry-run   what would be written
      kbtool init --from articles             write kbtool.toml and roster.yml
    """
    from kbtool.core.display import visible
    from kbtool.core.errors import UsageError
    from kbtool.workflow.adopt import render_config, render_report, render_roster, scan
    from kbtool.workflow.scaffold import create_exclusive

    cwd = Path.cwd()
    if source is None:
        source = Path("procedures") if Path("procedures").is_dir() else Path(".")
    folder = source.resolve()
    found = scan(folder)
    inside = folder == cwd or cwd in folder.parents
    procedures = os.path.relpath(folder, cwd).replace(os.sep, "/") if inside else str(folder)
    config_path, roster_path = cwd / "kbtool.toml", cwd / "roster.yml"
    config_text = render_config(found, procedures, roster_path.name)
    roster_text = render_roster(found)
    click.echo(visible(render_report(found)), nl=False)
    if dry_run:
        for path, text in ((config_path, config_text), (roster_path, roster_text)):
            click.echo(f"\n--- {path.name} (not written: --dry-run) ---")
            click.echo(visible(text), nl=False)
        return
    written = []
    for path, text in ((config_path, config_text), (roster_path, roster_text)):
        if path.exists() or path.is_symlink():
            click.echo(f"{path.name} exists: left as it is (kbtool init --dry-run shows it)")
            continue
        create_exclusive(path, text)
        written.append(path.name)
    if not written:
        raise UsageError("kbtool.toml and roster.yml exist: nothing written")
    click.echo(f"wrote {' and '.join(written)}; next:")
    click.echo("  kbtool lint --statistics --quiet          what is left to fix, by rule")
    click.echo("  kbtool lint --baseline kbtool-baseline.json --update-baseline   accept it")
