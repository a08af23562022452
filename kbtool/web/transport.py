"""A response's head and body sent in one system call, not two.

uvicorn writes a response's status line and headers as soon as the application starts the
response, and its body in a second write. On a loaded server each write wakes the client,
and on two cores the woken client takes the CPU the server needed to send the rest: the
head's write was a sixth of a worker's time at 8 clients. `HeadWithBodyTransport` keeps the
head back and sends it with the body's first write; a head that no body follows (a HEAD
request, "100 Continue") goes out at the end of the event loop's turn, or when the
connection closes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

_HEAD_START = b"HTTP/"


class HeadWithBodyTransport:
    """A transport whose writes of a response head wait for the next write (see above);
    everything else is the wrapped transport's."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._head: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._head is not None:
            data = self._head + bytes(data)
            self._head = None
        elif bytes(data[:5]) == _HEAD_START:
            # A head is told by its status line. A body chunk that happens to begin so is
            # only held until the next write or the end of the turn: order is kept either way.
            self._head = bytes(data)
            asyncio.get_running_loop().call_soon(self._flush)
            return
        self._transport.write(data)

    def writelines(self, lines: Iterable[bytes | bytearray | memoryview]) -> None:
        self._flush()
        self._transport.writelines(lines)

    def _flush(self) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            if not self._transport.is_closing():
                self._transport.write(head)

    def get_write_buffer_size(self) -> int:
        held = len(self._head) if self._head is not None else 0
        return self._transport.get_write_buffer_size() + held

    def write_eof(self) -> None:
        self._flush()
        self._transport.write_eof()

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        self._head = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
