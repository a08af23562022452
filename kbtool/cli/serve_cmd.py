"""`kbtool serve`: the knowledge base's web server (the built site and the JSON API).

The web application, uvicorn and Starlette are imported inside the command, so the other
commands never pay for them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kbtool.cli import EXIT_USAGE, AppContext, KbtoolClickError, main

if TYPE_CHECKING:
    from kbtool.model.config import Config


def _err(message: str) -> None:
    click.echo(message, err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="TCP port."
)
@click.option(
    "--site",
    "site_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="The built site to serve (default: site/ at the knowledge base's root).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes (each searches on its own; about one per core).",
)
@click.option("--build", is_flag=True, help="Update the index and run `mkdocs build` first.")
@click.option(
    "--watch",
    is_flag=True,
    help="Update the index when procedures change (at most every few seconds).",
)
@click.option("--access-log", is_flag=True, help="Log every request.")
@click.pass_obj
def serve(
    app: AppContext,
    host: str,
    port: int,
    site_dir: Path | None,
    workers: int,
    build: bool,
    watch: bool,
    access_log: bool,
) -> None:
    """Serve the site and the search API on http://HOST:PORT/ until Ctrl-C.

    The site's search box uses kbtool's search through the API (GET /api/search?q=...,
    POST /api/search, GET /api/procedures/ID, GET /api/health; the OpenAPI document is at
    /api/openapi.json). A running server follows the index: after `kbtool index` the next
    search uses it, without a restart. `mkdocs serve` stays the authors' live preview.

    \b
    Examples:
      kbtool serve                            http://127.0.0.1:8000/
      kbtool serve --build --watch            build first, re-index as procedures change
      kbtool serve --host 0.0.0.0 --workers 2 behind a reverse proxy that authenticates
    """
    from kbtool.web.server import Listen, ServeError, bind_for, is_loopback, serve
    from kbtool.web.settings import ServeSettings

    config = app.config()
    site = (site_dir or config.root / "site").resolve()
    if build:
        _build(app, config, site)
    if not (site / "index.html").is_file():
        raise KbtoolClickError(
            f"{site}: no built site here; build it with `mkdocs build` (or run `kbtool serve"
            " --build`), or name the site folder with --site",
            EXIT_USAGE,
        )
    settings = ServeSettings(
        cwd=Path.cwd(),
        site_dir=site,
        config_file=app.config_file.resolve() if app.config_file else None,
        procedures=app.procedures.resolve() if app.procedures else None,
        today=app.today if app.today_given else None,
    )
    try:
        sock = bind_for(Listen(host, port, workers, access_log))
    except ServeError as exc:
        raise KbtoolClickError(exc.message, EXIT_USAGE) from None
    bound_port = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    if not is_loopback(host):
        _err(
            f"warning: listening on {host}, reachable from other machines. kbtool serve has no"
            " login: put authentication in front of it (a reverse proxy with single sign-on,"
            " e.g. nginx with oauth2-proxy; see docs/api.md)."
        )

    def started() -> None:
        plural = "s" if workers > 1 else ""
        watching = "; watching procedures" if watch else ""
        _err(
            f"kbtool serve: http://{shown_host}:{bound_port}/ (site {site}; API at /api/;"
            f" {workers} worker{plural}{watching}) - Ctrl-C to stop"
        )

    serve(
        settings,
        Listen(host, bound_port, workers, access_log),
        sock=sock,
        config=config,
        watch=watch,
        on_started=started,
    )
    _err("kbtool serve: stopped")


def _build(app: AppContext, config: Config, site: Path) -> None:
    from kbtool.search import build_index
    from kbtool.site.build import build_site, find_mkdocs_config

    stats = build_index(config, on_wait=_err)
    _err(f"index: {stats.total} procedures" + (" (updated)" if stats.changed else ""))
    mkdocs_yml = find_mkdocs_config(Path.cwd(), config.root)
    if mkdocs_yml is None:
        raise KbtoolClickError(
            "--build needs mkdocs.yml in the current folder or the knowledge base's root",
            EXIT_USAGE,
        )
    _err(f"building the site from {os.path.relpath(mkdocs_yml)} into {site} ...")
    build_site(mkdocs_yml, site)
