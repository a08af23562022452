"""kbtool's speed fixes to Whoosh keep its behaviour: the lazy buffer streams of compound files."""

from __future__ import annotations

import importlib
import pickle
import sys
from array import array
from pathlib import Path
from typing import Any

from tests.conftest import RunCli

DATA = bytes(range(256)) * 40


def BufferFile(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 - stands for the class
    """Whoosh's class, imported as a search imports it (through kbtool.search, patched)."""
    importlib.import_module("kbtool.search")  # imports Whoosh its way, applies the patches
    from whoosh.filedb.structfile import BufferFile as buffer_file

    return buffer_file(*args, **kwargs)


def test_a_buffer_file_is_read_by_slices_without_a_copy() -> None:
    part = BufferFile(memoryview(DATA), name="part")
    assert part.get(3, 4) == DATA[3:7]
    assert part.get_array(0, "B", 8).tolist() == list(DATA[:8])
    assert part.subset(256, 16).get(0, 16) == DATA[256:272]
    # Whoosh's own constructor copies the buffer into `self.file` (a BytesIO) at once.
    assert "file" not in vars(part) and "_kbtool_stream" not in vars(part)
    part.close()
    assert part.is_closed and "_kbtool_stream" not in vars(part)


def test_a_buffer_file_still_reads_as_a_stream() -> None:
    part = BufferFile(memoryview(DATA), name="part")
    part.seek(10)
    assert part.read(5) == DATA[10:15]
    assert part.tell() == 15
    assert part.read_byte() == DATA[15]
    part.seek(-4, 2)
    assert part.read() == DATA[-4:] and part.read(10) == b""
    part.seek(0)
    lines = BufferFile(memoryview(b"one\ntwo\nthree"))
    assert lines.readline() == b"one\n" and lines.readline() == b"two\n"
    assert lines.readline() == b"three" and lines.readline() == b""
    stored = array("i", [1, 2, 3])
    if sys.byteorder == "little":
        stored.byteswap()  # Whoosh's files are big-endian
    numbers = BufferFile(memoryview(stored.tobytes() + pickle.dumps({"a": 1})))
    numbers.seek(0)
    assert numbers.read_array("i", 3).tolist() == [1, 2, 3]
    assert numbers.read_pickle() == {"a": 1}
    closed: list[object] = []
    stream_owner = BufferFile(memoryview(DATA), onclose=closed.append)
    stream_owner.read(1)
    stream_owner.close()
    assert closed == [stream_owner] and stream_owner.file.closed


def test_a_real_index_searched_with_the_fix_finds_what_it_should(
    search_kb: Path, run_cli: RunCli
) -> None:
    assert run_cli("index").exit_code == 0
    found = run_cli("search", "outlook", "loading", "profile", "--json")
    assert found.exit_code == 0, found.output
    assert '"KB-0001"' in found.stdout
