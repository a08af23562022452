"""`GET|POST /api/search`: kbtool's search over HTTP; `/search/search_index.json` for the site.

The answer is `kbtool search --json`'s (`kbtool.search.response.search_json`, the same
function), with each hit's page on the site. GET takes the parameters in the query string;
POST takes the same names in a JSON object, for a ticket's whole description.

The site's search box asks Material's page script for `search/search_index.json` before its
first search. Served by `kbtool serve`, that file is a stub: Material's search `config` and a
`kbtool` marker, no documents, so the page does not download the whole site's text (22 MB at
5,000 procedures) and kbtool's search worker knows to ask this API instead.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kbtool.model.config import AUDIENCES, STATUSES
from kbtool.web.errors import error_response
from kbtool.web.inputs import (
    MAX_BODY_BYTES,
    Param,
    Params,
    json_object,
    no_arguments,
    query_arguments,
)
from kbtool.web.state import searching, server_state

#: The most results one request may ask for.
MAX_LIMIT = 100
#: What the stub search index carries in its `config` for kbtool's search worker (`api`:
#: relative to the site's root).
STUB_MARKER = {"api": "api/search", "version": 1}

SEARCH_PARAMS = Params(
    [
        Param(
            "q",
            "string",
            "What the caller says, or a ticket's text: words, an id (KB-0042), an error code.",
            required=True,
            max_length=MAX_BODY_BYTES,
            control_ok=True,
            example="pasword reset",
        ),
        Param("service", "string", "Only procedures of this service (any case)."),
        Param("tag", "string", "Only procedures with this tag."),
        Param("audience", "string", "Only procedures for this level.", choices=AUDIENCES),
        Param("status", "string", "Only procedures in this status.", choices=STATUSES),
        Param("owner", "string", "Only procedures owned by this person (roster handle)."),
        Param(
            "retired", "boolean", "Include retired procedures (hidden by default).", default=False
        ),
        Param(
            "as_typed",
            "boolean",
            "Search the words as typed, without typo correction ('search as typed').",
            default=False,
        ),
        Param(
            "record",
            "boolean",
            "Record this search in the events store (channel api). The site's search box sends"
            " false, searching as the agent types, and records the search they settled on"
            " itself (POST /api/events).",
            default=True,
        ),
        Param(
            "limit",
            "integer",
            f"How many results, at most {MAX_LIMIT}.",
            default=10,
            minimum=1,
            maximum=MAX_LIMIT,
        ),
    ]
)

_FILTERS = ("service", "tag", "audience", "status", "owner")


async def search_get(request: Request) -> Response:
    return await _search(request, SEARCH_PARAMS.read(query_arguments(request)))


async def search_post(request: Request) -> Response:
    no_arguments(request, body=True)
    return await _search(request, SEARCH_PARAMS.read(await json_object(request)))


async def _search(request: Request, values: dict[str, Any]) -> Response:
    text = values["q"].strip()
    if not text:
        return error_response(
            400, "q is empty: send a few words of what the caller says", parameter="q"
        )
    filters = {name: values[name] for name in _FILTERS}
    site = server_state(request).site.state()

    def work(searcher: Any) -> dict[str, Any]:
        from kbtool.search.response import search_json

        response = searcher.search(
            values["q"],
            limit=values["limit"],
            service=filters["service"],
            tag=filters["tag"],
            audience=filters["audience"],
            status=filters["status"],
            owner=filters["owner"],
            include_retired=values["retired"],
            correct=not values["as_typed"],
        )
        return search_json(response, url_for=site.published.url_for, filters=filters)

    answer = await searching(request, work)
    state = server_state(request)
    wanted = answer["total"] or state.config.search.log_misses
    if values["record"] and wanted and state.events is not None:
        from kbtool.events import search_event

        state.events.record(
            search_event(
                "api",
                text,
                answer["total"],
                filters=filters,
                corrected=answer.get("corrected_query"),
            )
        )
    return JSONResponse(answer)


async def search_index_stub(request: Request) -> Response:
    """Material's search index for the site's page script, without the documents."""
    site = server_state(request).site.state()
    if site.search_config is None:
        return error_response(404, "the site has no search index (is Material's search on?)")
    # The marker goes inside `config`: Material passes only `config` and `docs` to the worker.
    body = {"config": {**site.search_config, "kbtool": STUB_MARKER}, "docs": []}
    return JSONResponse(body, headers={"Cache-Control": "no-cache"})


routes = [
    Route("/api/search", search_get, methods=["GET", "HEAD"]),
    Route("/api/search", search_post, methods=["POST"]),
    Route("/search/search_index.json", search_index_stub, methods=["GET", "HEAD"]),
]
