"""`GET /api/health`: is search answering, from which index, and when were index and site built.

200 with `"status": "ok"` when a search would be answered; 503 with `"status": "unavailable"`
and the reason when it would not (no index yet, or it cannot be read), for a load balancer's
health check. A missing site is reported but still 200: the API keeps working without it; so
are events that are not being recorded (a locked, corrupt or unreachable database, a full disk):
`events.recording` is false and `events.problem` says why.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kbtool import __version__
from kbtool.web.errors import ApiError
from kbtool.web.event_routes import events_status
from kbtool.web.state import searching, server_state


async def health(request: Request) -> Response:
    # Unlike the other endpoints, a query string is not refused here: a load balancer's probe
    # that adds a cache-buster must not take a working server out of service.
    state = server_state(request)
    site = state.site.state()
    body: dict[str, Any] = {
        "status": "ok",
        "version": __version__,
        "index": None,
        "site": {"present": site.present, "built": site.built},
        # Events failing to be written never make the server unhealthy: searches still work.
        "events": events_status(state.events),
    }

    def work(searcher: Any) -> dict[str, Any]:
        from kbtool.search import store

        generation = searcher.generation
        built = None
        try:
            mtime = os.stat(generation / store.MANIFEST).st_mtime
            built = dt.datetime.fromtimestamp(mtime, dt.UTC).isoformat(timespec="seconds")
        except OSError:
            pass
        return {
            "generation": generation.name,
            "procedures": searcher.doc_count,
            "built": built,
            "as_of": searcher.today.isoformat(),
        }

    try:
        body["index"] = await searching(request, work)
    except ApiError as exc:
        body["status"] = "unavailable"
        body["problem"] = exc.message
        return JSONResponse(body, status_code=503, headers={"Cache-Control": "no-store"})
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


routes = [Route("/api/health", health, methods=["GET", "HEAD"])]
