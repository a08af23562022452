"""Every error the server answers is JSON with the right status, rendered here, once.

Routes raise `ApiError` (or let a `KbtoolError` through: an unknown procedure is a
`NotFoundError`, so 404); routing's own 404 and 405 come as Starlette `HTTPException`s; anything
else is a bug, answered 500 with a short JSON body while the traceback goes to the server's log,
never to the client. A client that asked for HTML (a browser following a bad link) gets the
site's own 404 page instead, from `static_site`.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kbtool.core.errors import KbtoolError, NotFoundError

log = logging.getLogger("kbtool.web")

#: Short names for the statuses we answer, in the body as `error`.
_NAMES = {
    400: "bad request",
    404: "not found",
    405: "method not allowed",
    413: "content too large",
    414: "URI too long",
    415: "unsupported media type",
    500: "internal error",
    503: "unavailable",
}


class ApiError(Exception):
    """A request the API answers with `status` and a message saying what to do instead."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def error_body(status: int, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": _NAMES.get(status, "error"), "status": status, "message": message, **extra}


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse(error_body(status, message, **extra), status_code=status, headers=headers)


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, **exc.extra)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {
        404: f"nothing at {request.url.path}; the API is described at /api/openapi.json",
        405: f"{request.method} is not allowed here",
    }.get(exc.status_code, str(exc.detail))
    return error_response(exc.status_code, message, headers=dict(exc.headers or {}))


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KbtoolError)
    status = 404 if isinstance(exc, NotFoundError) else 400
    return error_response(status, exc.message)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.error("error answering %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "the server failed to answer this request; it is logged")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ApiError: api_error,
    HTTPException: http_error,
    KbtoolError: domain_error,
    Exception: unexpected_error,
}
