"""Reading what a client sent, strictly: parameters, their types and sizes, JSON bodies.

A parameter is declared once (`Param`); the same declaration checks a request and writes the
OpenAPI document (`openapi`), so the two never disagree. Every refusal is an `ApiError` naming
the parameter: an unknown one, one given twice, a bad value, a query string that is not UTF-8,
a body that is too large (413) or not a JSON object.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from kbtool.core import jsontext
from kbtool.web.errors import ApiError, error_response

#: Longest request target (path and query string) accepted; longer ones are answered 414.
MAX_URL_BYTES = 8192
#: Largest request body accepted (a ticket's whole description fits many times).
MAX_BODY_BYTES = 64 * 1024

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Param:
    """One parameter of an endpoint: its name, type and limits, and its documentation."""

    name: str
    kind: str  # "string", "integer", "boolean"
    description: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()  # accepted values (matched without regard to case)
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 200
    control_ok: bool = False  # free text (a ticket's description): the searcher blanks them
    example: Any = None

    def parse(self, value: Any) -> Any:
        """The value, checked and converted; an `ApiError` (400) naming the parameter."""
        if self.kind == "integer":
            return self._integer(value)
        if self.kind == "boolean":
            return self._boolean(value)
        if not isinstance(value, str):
            raise ApiError(400, f"{self.name} must be a string")
        if len(value) > self.max_length:
            raise ApiError(400, f"{self.name} is too long: at most {self.max_length} characters")
        if not self.control_ok and any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise ApiError(400, f"{self.name} holds control characters")
        if self.choices:
            for choice in self.choices:
                if value.strip().lower() == choice.lower():
                    return choice
            raise ApiError(
                400,
                f"{self.name}={value!r} is not one of: {', '.join(self.choices)}",
                parameter=self.name,
            )
        return value

    def _integer(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ApiError(400, f"{self.name} must be a whole number")
        try:
            number = int(value) if isinstance(value, int) else int(value.strip(), 10)
        except ValueError:
            raise ApiError(400, f"{self.name} must be a whole number, not {value!r}") from None
        low = self.minimum if self.minimum is not None else -(2**31)
        high = self.maximum if self.maximum is not None else 2**31
        if not low <= number <= high:
            raise ApiError(400, f"{self.name} must be between {low} and {high}, not {number}")
        return number

    def _boolean(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ApiError(400, f"{self.name} must be true or false, not {value!r}")


@dataclass(frozen=True)
class Params:
    """The parameters of one endpoint."""

    params: Sequence[Param]
    by_name: dict[str, Param] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {p.name: p for p in self.params})

    def read(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Every declared parameter, parsed, with defaults; unknown or missing ones refused."""
        unknown = sorted(set(given) - set(self.by_name))
        if unknown:
            raise ApiError(
                400,
                f"unknown parameter {unknown[0]!r}; known: {', '.join(self.by_name)}",
                parameter=unknown[0],
            )
        values: dict[str, Any] = {}
        for param in self.params:
            if param.name in given and given[param.name] is not None:
                values[param.name] = param.parse(given[param.name])
            elif param.required:
                raise ApiError(400, f"{param.name} is required", parameter=param.name)
            else:
                values[param.name] = param.default
        return values


def query_arguments(request: Request) -> dict[str, str]:
    """The query string as {name: value}: strict UTF-8, each name at most once."""
    raw: bytes = request.scope.get("query_string", b"")
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ApiError(
            400, "the query string is not valid UTF-8: percent-encode the UTF-8 bytes of the text"
        ) from None
    except ValueError as exc:
        raise ApiError(400, f"the query string cannot be read: {exc}") from None
    arguments: dict[str, str] = {}
    for name, value in pairs:
        if not name:
            if not value:  # `&&` or a bare `=`: nothing was sent
                continue
            raise ApiError(400, "a value without a parameter name ('=' with nothing before it)")
        if name in arguments:
            raise ApiError(400, f"{name} is given twice", parameter=name)
        arguments[name] = value
    return arguments


def no_arguments(request: Request, *, body: bool = False) -> None:
    """Refuse a query string on an endpoint that reads none: a parameter the client believes
    it sets (a filter on `/api/procedures/...`, a format) would otherwise be ignored without a
    word, as it is not on `/api/search`. `body`: the endpoint reads its parameters from the
    JSON body, which the message says."""
    given = query_arguments(request)
    if given:
        name = sorted(given)[0]
        endpoint = f"{request.method} {request.url.path}"
        message = (
            f"{name!r} in the query string: {endpoint} takes its parameters in the JSON body"
            if body
            else f"unknown parameter {name!r}: {endpoint} takes no parameters"
        )
        raise ApiError(400, message, parameter=name)


async def json_object(request: Request, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The request's body, a JSON object of at most `max_bytes` bytes."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media and media != "application/json" and not media.endswith("+json"):
        raise ApiError(415, f"send the body as application/json, not {media}")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise ApiError(413, f"the body is larger than {max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise ApiError(413, f"the body is larger than {max_bytes} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise ApiError(400, "the client went away before sending the whole body") from None
    try:
        data = jsontext.loads(b"".join(chunks).decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "the body is not valid UTF-8") from None
    except jsontext.BadJson as exc:
        where = f" (line {exc.line}, column {exc.column})" if exc.line is not None else ""
        raise ApiError(400, f"the body is not valid JSON: {exc.message}{where}") from None
    if not isinstance(data, dict):
        raise ApiError(400, 'the body must be a JSON object, e.g. {"q": "..."}')
    return data


class UrlLimit:
    """ASGI middleware: a request target longer than `MAX_URL_BYTES` is answered 414."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_URL_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "replace")
            if len(raw_path) + len(scope.get("query_string", b"")) > self.max_bytes:
                response = error_response(
                    414,
                    f"the request is longer than {self.max_bytes} bytes: send a long text as"
                    " POST /api/search with a JSON body",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
