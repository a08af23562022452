"""`GET /api/procedures/{id}`: one procedure for the call, the JSON of `kbtool show --json`.

Looked up through the index (an id in any case, or a path under the procedures folder), then
read from its file, so what is answered is what is on disk now; plus its page on the site.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kbtool.web.errors import ApiError
from kbtool.web.inputs import no_arguments
from kbtool.web.state import searching, server_state

MAX_ID_CHARS = 300


async def procedure(request: Request) -> Response:
    no_arguments(request)
    ident: str = request.path_params["ident"]
    if not ident.strip() or len(ident) > MAX_ID_CHARS:
        raise ApiError(400, f"a procedure id or path has 1 to {MAX_ID_CHARS} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in ident) or "\ufffd" in ident:
        raise ApiError(400, "the procedure id holds control characters or invalid UTF-8")
    site = server_state(request).site.state()

    def work(searcher: Any) -> dict[str, Any]:
        from kbtool.search.card import find_card

        card = find_card(searcher, ident)
        data: dict[str, Any] = card.as_json()
        data["url"] = site.published.url_for(card.procedure.rel_path)
        return data

    return JSONResponse(await searching(request, work))


routes = [Route("/api/procedures/{ident:path}", procedure, methods=["GET", "HEAD"])]
