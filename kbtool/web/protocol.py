"""uvicorn's HTTP protocol, answering requests its parser refuses in the API's JSON.

A request line or headers too long for the parser (a 100,000-character query string) never
reaches the application: uvicorn answers a plain-text 400 itself. This subclass answers such a
request with a JSON 414 when what was received before the headers ended is longer than the
API's URL limit, and a JSON 400 otherwise, with the security headers, then closes the
connection as uvicorn does.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kbtool.web.errors import error_body
from kbtool.web.inputs import MAX_URL_BYTES
from kbtool.web.security import BASE_HEADERS, NON_PAGE_POLICY
from kbtool.web.transport import HeadWithBodyTransport

_REASONS = {400: b"Bad Request", 414: b"URI Too Long"}


class JsonErrorHttpProtocol(HttpToolsProtocol):
    _unparsed = 0  # bytes received since the last request's headers ended

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # A response's head goes out with its body, in one write (kbtool.web.transport).
        super().connection_made(cast("asyncio.Transport", HeadWithBodyTransport(transport)))

    def data_received(self, data: bytes) -> None:
        self._unparsed += len(data)
        super().data_received(data)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()  # may refuse the URL (too long for httptools.parse_url)
        self._unparsed = 0

    def send_400_response(self, msg: str) -> None:
        if self._unparsed > MAX_URL_BYTES:
            status, message = (
                414,
                (
                    f"the request is longer than {MAX_URL_BYTES} bytes: send a long text as"
                    " POST /api/search with a JSON body"
                ),
            )
        else:
            status, message = 400, "not a valid HTTP request"
        body = json.dumps(error_body(status, message)).encode("utf-8")
        headers: list[Any] = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode("ascii")),
            (b"connection", b"close"),
            *((k.encode("ascii"), v.encode("ascii")) for k, v in BASE_HEADERS.items()),
            (b"content-security-policy", NON_PAGE_POLICY.encode("ascii")),
        ]
        lines = [b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status])]
        lines += [name + b": " + value + b"\r\n" for name, value in headers]
        self.transport.write(b"".join([*lines, b"\r\n", body]))
        self.transport.close()
