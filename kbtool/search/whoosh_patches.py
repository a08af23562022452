"""One speed fix to Whoosh, applied when kbtool's search modules are imported.

Whoosh reads a document's field length from the segment's length column with a seek and a
one-byte read, every time: once per posting while committing (a third of a build's time) and
once per scored document while searching. The lengths of a segment never change once written,
so we read the whole column once per reader into memory (one byte per document) and look them up
from there — what Lucene does with its norms. Behaviour is unchanged; only the I/O pattern is.

Pinned to whoosh-reloaded 2.7.x (pyproject.toml); `apply()` checks the method it replaces still
exists and leaves Whoosh alone otherwise.
"""

from __future__ import annotations

from typing import Any

from whoosh.codec import whoosh3
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


def apply() -> None:
    """Install the cached length lookup (idempotent)."""
    global _APPLIED, _original
    if _APPLIED:
        return
    reader_class = getattr(whoosh3, "W3PerDocReader", None)
    if reader_class is None or not hasattr(reader_class, "doc_field_length"):
        return
    if not hasattr(whoosh3, "_lenfield") or not hasattr(whoosh3, "LENGTHS_COLUMN"):
        return
    _original = reader_class.doc_field_length
    reader_class.doc_field_length = _cached_doc_field_length
    _APPLIED = True
