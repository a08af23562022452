"""The ASGI application: the API's routes, the site's files, errors and security headers.

`create_app(settings)` builds it; `app_from_environment()` is the factory uvicorn's worker
processes call (`kbtool.web.server`). The lifespan loads the configuration and opens the
searcher holder once per process, and closes it on shutdown.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Mount, Route
from starlette.types import ASGIApp

from kbtool.model.config import load_config
from kbtool.web import event_routes, health_routes, openapi, procedure_routes, search_routes
from kbtool.web.errors import EXCEPTION_HANDLERS, error_response
from kbtool.web.inputs import UrlLimit
from kbtool.web.searchers import IndexUnavailable, SearcherHolder
from kbtool.web.security import SecurityHeaders
from kbtool.web.settings import ServeSettings
from kbtool.web.site_info import SiteFolder
from kbtool.web.state import ServerState
from kbtool.web.static_site import SiteFiles

log = logging.getLogger("kbtool.web")

#: The methods of RFC 9110 (a Route without `methods` takes only GET).
_EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"]


async def _no_such_endpoint(request: Request) -> Response:
    """Whatever no API route took: 405 naming the methods when the path is an endpoint's, else
    404. Every method comes here (not to the site's files), so that `POST /api/health` is not
    "no endpoint" and `DELETE /api/search` does not list the methods of the site's files."""
    allowed = {
        method
        for route in request.app.routes
        if isinstance(route, Route)
        and route.endpoint is not _no_such_endpoint
        and route.matches(request.scope)[0] is not Match.NONE
        for method in route.methods or ()
    }
    if allowed:
        methods = ", ".join(sorted(allowed))
        return error_response(
            405,
            f"{request.method} is not allowed on {request.url.path}: use {methods}",
            headers={"Allow": methods},
        )
    return error_response(
        404, f"no endpoint {request.url.path}; the API is described at /api/openapi.json"
    )


def create_app(settings: ServeSettings) -> ASGIApp:
    """The application for one knowledge base and its built site."""
    config = load_config(
        config_file=settings.config_file, procedures=settings.procedures, cwd=settings.cwd
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        holder = SearcherHolder(config, today=settings.today)
        events = None
        if config.events.enabled:
            from kbtool.events import EventWriter, open_store

            events = EventWriter(lambda: open_store(config), keep_days=config.events.keep_days)
            events.start()
        app.state.kbtool = ServerState(config, holder, SiteFolder(settings.site_dir), events)

        def warm() -> None:
            try:
                with holder.lease():
                    pass
            except IndexUnavailable as exc:
                log.warning("search is unavailable until the index is built: %s", exc.message)

        await anyio.to_thread.run_sync(warm)  # the first search does not pay for opening
        try:
            yield
        finally:
            holder.close()
            if events is not None:
                # After the last request: what they queued is written before the process ends.
                await anyio.to_thread.run_sync(events.close)

    routes = [
        *search_routes.routes,
        *procedure_routes.routes,
        *health_routes.routes,
        *event_routes.routes,
        *openapi.routes,
        Route("/api/{rest:path}", _no_such_endpoint, methods=_EVERY_METHOD),
        Mount("/", app=SiteFiles(settings.site_dir)),
    ]
    app = Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS, lifespan=lifespan)
    # Outside Starlette's own error middleware, so that even a 500 carries the headers.
    return SecurityHeaders(UrlLimit(app))


def app_from_environment() -> ASGIApp:
    """uvicorn's factory for worker processes: the settings come from the environment."""
    return create_app(ServeSettings.from_environment())
