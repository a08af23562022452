"""The index on disk: CURRENT switched atomically and never trusted blindly, generations
cleaned up only when no searcher uses them, one writer at a time."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kbtool.model.config import Config, load_config
from kbtool.search import store
from kbtool.search.schema import SCHEMA_VERSION


@pytest.fixture
def config(kb_root: Path) -> Config:
    return load_config(cwd=kb_root)


def test_current_round_trip(tmp_path: Path, config: Config) -> None:
    assert store.load_current(tmp_path) == (None, None)  # no index yet: nothing wrong
    store.write_current(tmp_path, "g-2", config, previous="g-1")
    current = store.read_current(tmp_path)
    assert current == store.Current("g-2", SCHEMA_VERSION, store.config_fingerprint(config), "g-1")
    assert store.in_use(current) == {"g-1", "g-2"}
    assert store.in_use(None) == set()


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[]",
        b'{"generation": "g-1"}',  # schema and config missing
        b'{"generation": "../../etc", "schema": 1, "config": "x"}',  # a path, not a name
        b'{"generation": "g-1", "schema": 1, "config": "x", "previous": "g-/../x"}',
        b'{"generation": "x-1", "schema": 1, "config": "x"}',
        b'{"generation": "g-1", "schema": "one", "config": "x"}',
        b"[" * 100_000,
        b'{"generation": "g-1", "schema": 1, "config": "' + b"x" * 5000 + b'"}',
        b"\xff\xfe",
    ],
    ids=lambda c: repr(c[:30]),
)
def test_a_damaged_current_is_said_to_be_damaged(tmp_path: Path, content: bytes) -> None:
    (tmp_path / store.CURRENT).write_bytes(content)
    assert store.load_current(tmp_path) == (None, "its CURRENT file is damaged")


def test_only_what_changes_parsing_changes_the_fingerprint(config: Config) -> None:
    fingerprint = store.config_fingerprint(config)
    assert store.config_fingerprint(dataclasses.replace(config, review_every=30)) == fingerprint
    for change in (
        {"exclude": ("drafts/*",)},
        {"aliases": {"owner": "author"}},
        {"date_formats": ("%m/%d/%Y",)},
        {"max_file_bytes": 10},
    ):
        assert store.config_fingerprint(dataclasses.replace(config, **change)) != fingerprint


def test_old_generations_and_stray_temporary_files_are_removed(
    tmp_path: Path, config: Config
) -> None:
    root = tmp_path / "index"
    for name in ("g-1", "g-2", "g-3", "g-killed"):
        (root / name).mkdir(parents=True)
        (root / name / "seg").write_text("x")
    (root / f".{store.CURRENT}.123.tmp").write_text("half a switch")
    (root / store.LOCK).write_text("")
    store.write_current(root, "g-3", config, previous="g-2")
    store.remove_stray_generations(root, store.read_current(root))
    assert sorted(p.name for p in root.iterdir()) == [store.CURRENT, "g-2", "g-3", store.LOCK]


def test_manifest_vocabulary_and_word_lists_round_trip(tmp_path: Path) -> None:
    manifest = {"b.md": (2, 20), "a.md": (1, 10)}
    store.write_manifest(tmp_path, manifest)
    assert store.read_manifest(tmp_path) == manifest
    assert store.read_manifest_digest(tmp_path)
    store.write_vocab(tmp_path, {"outlook": ["Outlook"]})
    assert store.read_vocab(tmp_path) == {"outlook": ["Outlook"]}
    store.write_lines(tmp_path, store.SPELLING, {"b", "a", ""})
    assert store.read_lines(tmp_path, store.SPELLING) == ["a", "b"]
    store.write_check(tmp_path, 7, 42)
    assert store.read_check(tmp_path) == (7, 42)


def test_missing_or_damaged_files_read_as_nothing(tmp_path: Path) -> None:
    assert store.read_manifest(tmp_path) is None
    assert store.read_lines(tmp_path, store.EXACT_KEYS) is None
    assert store.read_check(tmp_path) is None and store.read_vocab(tmp_path) == {}
    (tmp_path / store.MANIFEST).write_text('{"files": {"a.md": [1]}}')
    (tmp_path / store.VOCAB).write_text("[1, 2]")
    (tmp_path / store.CHECK).write_text('{"toc": "x"}')
    assert store.read_manifest(tmp_path) is None and store.read_vocab(tmp_path) == {}
    assert store.read_check(tmp_path) is None


HOLD_THE_LOCK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from kbtool.search.store import writer_lock
    with writer_lock(Path(sys.argv[1]), wait=0):
        print("held", flush=True)
        sys.stdin.read()
    """
)


def test_one_writer_at_a_time_and_the_busy_one_is_named(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        waited: list[str] = []
        with (
            pytest.raises(store.IndexBusyError) as info,
            store.writer_lock(tmp_path, wait=0.2, on_wait=waited.append),
        ):
            pass
        said = f"another kbtool process (pid {holder.pid}) is updating the search index"
        assert said in info.value.message and info.value.path == str(tmp_path / store.LOCK)
        assert waited == [f"{said}; waiting"]
    finally:
        holder.communicate("", timeout=10)
    with store.writer_lock(tmp_path, wait=0):  # released when its holder ended
        pass
