"""The `kbtool` command line: a thin click shell over the library.

Each command reads its options, calls one library function, renders and exits. Domain errors
are translated here, once, into a message naming the file and line and exit code 2.
Heavy imports (Whoosh, MkDocs) stay inside the commands that need them, so start-up is quick.

On top of every layer: may import any of them; nothing imports it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kbtool import __version__
from kbtool.core.display import visible
from kbtool.core.errors import KbtoolError

if TYPE_CHECKING:  # loaded on first use, so `kbtool --help` does not pay for the model
    from kbtool.model.config import Config
    from kbtool.model.knowledge_base import KnowledgeBase

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


#: `--output/-o FILE` for every command that writes a report.
output_option = click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file instead of standard output.",
)


class KbtoolClickError(click.ClickException):
    exit_code = EXIT_USAGE

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it on the class


class AppContext:
    """Global options, with the configuration and knowledge base loaded on first use."""

    def __init__(self, procedures: Path | None, config_file: Path | None, today: dt.date | None):
        self.procedures = procedures
        self.config_file = config_file
        self._today = today
        self._config: Config | None = None
        self._kb: KnowledgeBase | None = None

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    @property
    def today_given(self) -> bool:
        return self._today is not None

    def config(self) -> Config:
        if self._config is None:
            from kbtool.model.config import load_config

            config = load_config(config_file=self.config_file, procedures=self.procedures)
            if config.lint.names_codes:
                # Every command refuses a rule code that does not exist, as it refuses any
                # bad value; only a configuration naming codes pays for importing the rules.
                from kbtool.lint.selection import check_config_codes

                check_config_codes(config)
            self._config = config
        return self._config

    def kb(self, *, require_roster: bool = False, load: bool = True) -> KnowledgeBase:
        if self._kb is None or (load and not self._kb.procedures and self._kb.files):
            from kbtool.model.knowledge_base import load_knowledge_base

            self._kb = load_knowledge_base(self.config(), require_roster=require_roster, load=load)
        return self._kb


def parse_date_option(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> dt.date | None:
    """Click callback for options that take a YYYY-MM-DD date (`--today`, `--date`...)."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


#: Which module defines each command. Modules are imported only when their command runs (or
#: help lists them), so `kbtool search` does not pay for the linter's imports, nor lint for
#: Whoosh's: start-up time is what an agent waits for with a caller on the line.
COMMAND_MODULES: dict[str, str] = {
    "lint": "lint_cmd",
    "rules": "rules_cmd",
    "index": "search_cmd",
    "search": "search_cmd",
    "show": "search_cmd",
    "eval": "search_cmd",
    "new": "workflow_cmd",
    "review": "workflow_cmd",
    "stale": "workflow_cmd",
    "codeowners": "workflow_cmd",
    "report": "workflow_cmd",
    "feedback": "workflow_cmd",
    "serve": "serve_cmd",
    "init": "init_cmd",
}


class KbtoolGroup(click.Group):
    """Loads commands on demand; translates domain exceptions once, at the edge."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            import importlib

            # The module registers its commands on `main` as it is imported.
            importlib.import_module(f"kbtool.cli.{COMMAND_MODULES[cmd_name]}")
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KbtoolError as exc:
            # Messages name files and quote values: shown, never acting on the terminal.
            raise KbtoolClickError(visible(exc.located()), EXIT_USAGE) from None
        except OSError as exc:
            # The environment said no (a full disk, a folder where a file was expected...):
            # say what and where, as an environment error, not a traceback.
            where = f"{exc.filename}: " if exc.filename else ""
            raise KbtoolClickError(visible(f"{where}{exc.strerror or exc}"), EXIT_USAGE) from None
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


@click.group(cls=KbtoolGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kbtool")
@click.option(
    "--procedures",
    type=click.Path(path_type=Path, file_okay=False),
    help="Procedures folder (overrides the configured one; any folder of Markdown works).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Configuration file (default: kbtool.toml or [tool.kbtool] found upwards).",
)
@click.option(
    "--today",
    callback=parse_date_option,
    metavar="YYYY-MM-DD",
    envvar="KBTOOL_TODAY",  # the same variable pins the date of `mkdocs build` (the site)
    help="Judge freshness as of this date (reproducible CI and tests). Env: KBTOOL_TODAY.",
)
@click.pass_context
def main(
    ctx: click.Context, procedures: Path | None, config_file: Path | None, today: dt.date | None
) -> None:
    """kbtool: lint, index, search and publish service desk procedures.

    \b
    Examples:
      kbtool lint                      check every procedure
      kbtool search "outlook profile"  find the procedure for a caller's symptom
      kbtool --today 2027-01-01 stale  what will be overdue by New Year
    """
    ctx.obj = AppContext(procedures, config_file, today)


__all__ = ["main", "AppContext", "COMMAND_MODULES", "EXIT_OK", "EXIT_FINDINGS", "EXIT_USAGE"]
