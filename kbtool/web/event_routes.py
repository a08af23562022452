"""`POST /api/events`: what the site's pages record; `GET /api/events`: whether they may.

The site's scripts post one event a request (a search the agent settled on, a result opened, a
page view, "Did this solve it?", a problem report). Each is read strictly
(`kbtool.events.read_event`: known types and fields, bounded sizes, no control characters), its
procedure must be one the index has (an unknown id is refused, so nothing can fill the store
with made-up procedures), and it is only queued: the writer thread stores it (`EventWriter`), so
answering never waits for the database. The answer is 202 with whether events are being
recorded right now; the event is kept and written when the database is back.

`GET /api/events` answers only under `kbtool serve`: the pages show their feedback controls
when it says events are on, and stay as they are on a static host, where it does not exist.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kbtool.events import CATEGORIES, KINDS, EventError, EventWriter, read_event
from kbtool.events.model import MAX_EVENT_BYTES
from kbtool.web.errors import ApiError
from kbtool.web.inputs import json_object, no_arguments
from kbtool.web.state import searching, server_state


def events_status(writer: EventWriter | None) -> dict[str, Any]:
    """What `/api/health` and `GET /api/events` say about recording."""
    if writer is None:
        return {"enabled": False, "recording": False, "problem": "[events] enabled = false"}
    status = writer.status()
    return {
        "enabled": True,
        "recording": status.recording,
        "problem": status.problem,
        "pending": status.pending,
        "dropped": status.dropped,
    }


async def events_info(request: Request) -> Response:
    no_arguments(request)
    body = {
        **events_status(server_state(request).events),
        "types": list(KINDS),
        "categories": list(CATEGORIES),
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def _procedure_names(request: Request) -> dict[str, str]:
    """The index's procedure names (`KbSearcher.procedure_names`), kept per index version."""
    state = server_state(request)
    signature = state.holder.signature()
    if state.procedure_names is not None and state.procedure_names[0] == signature:
        return state.procedure_names[1]

    def work(searcher: Any) -> dict[str, str]:
        names: dict[str, str] = searcher.procedure_names()
        return names

    names = await searching(request, work)
    state.procedure_names = (signature, names)
    return names


async def post_event(request: Request) -> Response:
    no_arguments(request, body=True)
    writer = server_state(request).events
    if writer is None:
        raise ApiError(503, "events are switched off on this server ([events] enabled = false)")
    data = await json_object(request, max_bytes=MAX_EVENT_BYTES)
    try:
        event = read_event(data)
    except EventError as exc:
        raise ApiError(400, exc.message) from None
    if event.procedure is not None:
        names = await _procedure_names(request)
        known = names.get(event.procedure) or names.get(event.procedure.lower())
        if known is None:
            raise ApiError(400, f"unknown procedure {event.procedure!r}", parameter="procedure")
        event = replace(event, procedure=known)
    writer.record(event)
    return JSONResponse(
        {"accepted": True, **events_status(writer)},
        status_code=202,
        headers={"Cache-Control": "no-store"},
    )


routes = [
    Route("/api/events", events_info, methods=["GET", "HEAD"]),
    Route("/api/events", post_event, methods=["POST"]),
]
