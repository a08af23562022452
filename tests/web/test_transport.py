"""A response's head and body leave the server in one write (`kbtool.web.transport`), and
the responses that have no body to carry their head still go out at once."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Awaitable, Callable

from kbtool.web.transport import HeadWithBodyTransport
from tests.web.conftest import Server


def _read_response(sock: socket.socket, head_only: bool = False) -> tuple[bytes, bytes]:
    """One HTTP/1.1 response from `sock` (head, body by its content-length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed after {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while not head_only and len(body) < length:
        chunk = sock.recv(65536)
        assert chunk
        body += chunk
    return head, body


def test_one_connection_gets_get_head_and_100_continue_answered(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET /api/search?q=outlook HTTP/1.1\r\nHost: localhost\r\n\r\n")
        head, body = _read_response(sock)
        assert head.startswith(b"HTTP/1.1 200") and json.loads(body)["results"]
        # HEAD: a head and no body; it must not wait for a body that never comes.
        sock.sendall(b"HEAD /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        head, _ = _read_response(sock, head_only=True)
        assert head.startswith(b"HTTP/1.1 ")
        # Expect: 100-continue: the client waits for the interim answer before the body.
        payload = json.dumps({"q": "password reset"}).encode()
        sock.sendall(
            b"POST /api/search HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(payload)
        )
        interim = sock.recv(65536)
        assert interim.startswith(b"HTTP/1.1 100 Continue"), interim
        sock.sendall(payload)
        rest = interim.partition(b"\r\n\r\n")[2]
        if not rest:
            head, body = _read_response(sock)
        else:  # the final answer came in the same read
            head, _, body = rest.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")


HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n"


def _served(write: Callable[[HeadWithBodyTransport], Awaitable[None]]) -> list[bytes]:
    """What a client waiting in recv() receives, a recv at a time, while `write` writes to
    a real asyncio transport of a real TCP connection through `HeadWithBodyTransport`."""
    received: list[bytes] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname(), timeout=10)

    def read() -> None:
        while chunk := client.recv(65536):
            received.append(chunk)

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        connection, _ = await loop.sock_accept(listener)
        transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, connection)
        await asyncio.sleep(0.2)  # the client is waiting in recv() by now
        await write(HeadWithBodyTransport(transport))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        asyncio.run(serve())
        reader.join(10)
    finally:
        client.close()
        listener.close()
    return received


def test_head_and_body_are_received_in_one_piece() -> None:
    """Written as uvicorn writes them (head, then body, in one turn of the loop): with the
    head sent on its own, the waiting client is woken by it and receives the head alone."""

    async def write(transport: HeadWithBodyTransport) -> None:
        transport.write(HEAD)
        transport.write(b"body")
        await asyncio.sleep(0.2)
        transport.close()

    assert _served(write) == [HEAD + b"body"]


def test_a_head_without_a_body_goes_out_at_the_end_of_the_loop_turn() -> None:
    seen: list[bytes] = []

    async def write(transport: HeadWithBodyTransport) -> None:
        transport.write(HEAD)  # a HEAD request's answer: no body follows
        await asyncio.sleep(0.3)  # the connection stays open meanwhile
        seen.append(b"still open" if not transport.is_closing() else b"closed")
        transport.close()

    assert _served(write) == [HEAD]
    assert seen == [b"still open"]


def test_a_head_written_just_before_closing_is_sent() -> None:
    async def write(transport: HeadWithBodyTransport) -> None:
        transport.write(HEAD)
        transport.close()
        await asyncio.sleep(0.2)

    assert b"".join(_served(write)) == HEAD
