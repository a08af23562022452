"""Two speed fixes to Whoosh, applied when kbtool's search modules are imported.

1. Whoosh reads a document's field length from the segment's length column with a seek and a
one-byte read, every time: once per posting while committing (a third of a build's time) and
once per scored document while searching. The lengths of a segment never change once written,
so we read the whole column once per reader into memory (one byte per document) and look them up
from there — what Lucene does with its norms.

2. A file inside a segment's compound file is a `BufferFile` over a slice of the segment's
memory map, and its constructor wraps that slice in a `BytesIO`, which copies it: opening a
searcher copied the stored fields and columns (60 MB at 25,000 procedures, a fifth of a
command-line search's time, and every page of the segment read from disk first). Most reads
go through `get`, which slices the map directly; stream-style reads (`seek`, `read`) now go
to a stream that slices it too, made when first asked for.

Behaviour is unchanged; only the I/O pattern is.

Pinned to whoosh-reloaded 2.7.x (pyproject.toml); `apply()` checks the method it replaces still
exists and leaves Whoosh alone otherwise.
"""

from __future__ import annotations

import io
from typing import Any

from whoosh.codec import whoosh3
from whoosh.filedb import structfile
from whoosh.util.numeric import byte_to_length

_DECODE = [byte_to_length(b) if b else None for b in range(256)]
_APPLIED = False


def _cached_doc_field_length(
    self: Any, docnum: int, fieldname: str, default: int | None = 0
) -> int | None:
    cache: dict[str, bytes | None] = self.__dict__.setdefault("_kbtool_lengths", {})
    column = cache.get(fieldname, b"")
    if column == b"":
        reader = self._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        column = bytes(reader) if reader is not None else None
        cache[fieldname] = column
    if column is None:
        return default
    if docnum >= len(column):
        return _original(self, docnum, fieldname, default)  # type: ignore[no-any-return]
    return _DECODE[column[docnum]]


_original: Any = None


def _buffer_file_init(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    # BufferFile.__init__ without `self.file = BytesIO(buf)`: see `_buffer_stream`.
    self._buf = buf
    self._name = name
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


class _MemoryStream(io.RawIOBase):
    """A read-only stream over a buffer that reads by slicing it (a `BytesIO` would copy it)."""

    def __init__(self, buf: Any) -> None:
        super().__init__()
        self._view = memoryview(buf).cast("B")
        self._pos = 0

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self._view.release()  # the segment's memory map can then be closed
        super().close()

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else self._pos + size
        data = bytes(self._view[self._pos : end])
        self._pos += len(data)
        return data

    def readinto(self, target: Any) -> int:
        into = memoryview(target).cast("B")
        data = self.read(len(into))
        into[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        start, limit = self._pos, len(self._view)
        if size is not None and size >= 0:
            limit = min(limit, start + size)
        end = start
        while end < limit:
            chunk = bytes(self._view[end : min(end + 4096, limit)])
            found = chunk.find(b"\n")
            if found >= 0:
                end += found + 1
                break
            end += len(chunk)
        return self.read(end - start)


def _buffer_stream(self: Any) -> Any:
    """The stream a stream-style read needs, made the first time (without a copy)."""
    stream = self.__dict__.get("_kbtool_stream")
    if stream is None:
        stream = self.__dict__["_kbtool_stream"] = _MemoryStream(self._buf)
    return stream


def _set_buffer_stream(self: Any, value: Any) -> None:
    self.__dict__["_kbtool_stream"] = value


def _buffer_close(self: Any) -> None:
    # StructFile.close, without making a stream only to close it.
    if self.is_closed:
        raise Exception("This file is already closed")  # noqa: TRY002 - as Whoosh raises it
    if self.onclose:
        self.onclose(self)
    stream = self.__dict__.get("_kbtool_stream")
    if stream is not None:
        stream.close()
    self.is_closed = True


def _apply_lazy_buffer() -> None:
    buffer_class = getattr(structfile, "BufferFile", None)
    if buffer_class is None or "file" in vars(buffer_class) or not hasattr(buffer_class, "get"):
        return
    buffer_class.__init__ = _buffer_file_init
    buffer_class.file = property(_buffer_stream, _set_buffer_stream)
    buffer_class.close = _buffer_close


def apply() -> None:
    """Install the cached length lookup and the lazy buffer streams (idempotent)."""
    global _APPLIED, _original
    if _APPLIED:
        return
    _apply_lazy_buffer()
    reader_class = getattr(whoosh3, "W3PerDocReader", None)
    if reader_class is None or not hasattr(reader_class, "doc_field_length"):
        return
    if not hasattr(whoosh3, "_lenfield") or not hasattr(whoosh3, "LENGTHS_COLUMN"):
        return
    _original = reader_class.doc_field_length
    reader_class.doc_field_length = _cached_doc_field_length
    _APPLIED = True
