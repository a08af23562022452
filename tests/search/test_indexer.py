"""Index lifecycle: incremental updates, rebuilds, damage, locking, interruption."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kbtool.search import build_index, open_searcher, store
from tests.conftest import write_procedure
from tests.search.conftest import PROCEDURES, search_procedure


def titles(config, query: str) -> list[str]:  # noqa: ANN001
    with open_searcher(config, refresh=False) as searcher:
        return [hit.title for hit in searcher.search(query).results]


def current_generation(config) -> Path:  # noqa: ANN001
    root = store.index_root(config)
    current = store.read_current(root)
    assert current is not None
    return root / current.generation


def bump(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_first_build_then_up_to_date(config) -> None:  # noqa: ANN001
    first = build_index(config)
    assert (first.rebuilt, first.total) == (True, len(PROCEDURES))
    second = build_index(config)
    assert (second.added, second.updated, second.removed, second.changed) == (0, 0, 0, False)


def test_incremental_update_changed_added_removed(search_kb: Path, config) -> None:  # noqa: ANN001
    build_index(config)
    procedures = search_kb / "procedures"
    bump(procedures / "email/outlook-profile.md", "Loading profile", "Preparing mailbox")
    (procedures / "kubernetes/pod-crash.md").unlink()
    base = PROCEDURES["accounts/password-reset.md"]
    values = dict(base, id="KB-0010", title="VPN will not connect")
    write_procedure(search_kb, "network/vpn.md", search_procedure(values))

    stats = build_index(config)
    assert (stats.added, stats.updated, stats.removed, stats.rebuilt) == (1, 1, 1, False)
    assert stats.total == len(PROCEDURES)
    assert titles(config, "preparing mailbox")[0] == 'Outlook is stuck on "Preparing mailbox"'
    assert titles(config, "crash looping") == []
    assert titles(config, "vpn")[0] == "VPN will not connect"
    # Exactly one document per path after the update (no duplicate left behind).
    with open_searcher(config, refresh=False) as searcher:
        assert searcher.doc_count == len(PROCEDURES)


def test_search_refreshes_a_stale_index_by_itself(search_kb: Path, config) -> None:  # noqa: ANN001
    build_index(config)
    bump(search_kb / "procedures/email/outlook-profile.md", "Loading profile", "Preparing mailbox")
    with open_searcher(config) as searcher:
        assert any("index updated" in note for note in searcher.notes)
        assert searcher.search("preparing mailbox").results[0].id == "KB-0001"


def test_rebuild(config) -> None:  # noqa: ANN001
    build_index(config)
    before = current_generation(config)
    stats = build_index(config, rebuild=True)
    assert stats.rebuilt and stats.total == len(PROCEDURES)
    assert current_generation(config) != before
    assert titles(config, "password")[0] == "Forgotten password reset"


def test_index_from_another_schema_version_is_rebuilt(config) -> None:  # noqa: ANN001
    build_index(config)
    root = store.index_root(config)
    data = json.loads((root / store.CURRENT).read_text())
    (root / store.CURRENT).write_text(json.dumps({**data, "schema": 1}))
    stats = build_index(config)
    assert stats.rebuilt and "another version" in (stats.reason or "")
    assert titles(config, "password")[0] == "Forgotten password reset"


@pytest.mark.parametrize("damage", ["segments", "toc", "current", "manifest"])
def test_damaged_index_is_rebuilt_with_a_message(config, damage: str) -> None:  # noqa: ANN001
    build_index(config)
    generation = current_generation(config)
    if damage == "segments":
        for path in generation.glob("*.seg"):
            path.write_bytes(b"garbage" * 10)
    elif damage == "toc":
        for path in generation.glob("*.toc"):
            path.write_bytes(b"\x00\x01garbage")
    elif damage == "current":
        (store.index_root(config) / store.CURRENT).write_text("{not json")
    else:
        (generation / store.MANIFEST).write_text("[]")
    with open_searcher(config) as searcher:
        assert searcher.search("password").results[0].id == "KB-0002"
        if damage in ("segments", "toc"):
            assert any("unreadable" in note for note in searcher.notes)


def test_second_writer_waits_for_the_first(config) -> None:  # noqa: ANN001
    root = store.index_root(config)
    told: list[str] = []
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with store.writer_lock(root, wait=0):
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    threading.Timer(0.5, release.set).start()
    stats = build_index(config, wait=10, on_wait=told.append)
    holder.join()
    assert stats.total == len(PROCEDURES)
    assert told and "waiting" in told[0]


def test_second_writer_process_says_one_is_running(search_kb: Path, config) -> None:  # noqa: ANN001
    root = store.index_root(config)
    with store.writer_lock(root, wait=0):
        result = subprocess.run(
            [sys.executable, "-m", "kbtool", "index", "--wait", "0.2"],
            cwd=search_kb,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert "another kbtool process" in result.stderr
    assert f"pid {os.getpid()}" in result.stderr
    assert "Traceback" not in result.stderr


def test_search_during_a_rebuild_still_answers(config) -> None:  # noqa: ANN001
    build_index(config)
    answers: list[list[str]] = []

    def search_meanwhile(done: int, total: int) -> None:
        # The new generation is half written: searching must still use the previous one.
        answers.append(titles(config, "password"))

    build_index(config, rebuild=True, progress=search_meanwhile)
    assert answers and answers[0][0] == "Forgotten password reset"


@pytest.mark.parametrize("rebuild", [True, False])
def test_interrupted_build_leaves_the_previous_index(
    search_kb: Path, config, rebuild: bool
) -> None:  # noqa: ANN001,E501
    build_index(config)
    before = current_generation(config)
    bump(search_kb / "procedures/email/outlook-profile.md", "Loading profile", "Preparing mailbox")

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_index(config, rebuild=rebuild, progress=interrupt)
    assert current_generation(config) == before
    assert [p.name for p in store.index_root(config).glob("g-*")] == [before.name]
    assert titles(config, "loading profile")[0].startswith("Outlook")
    # The next build notices the change the interrupted one did not finish.
    assert build_index(config).updated == 1
    assert titles(config, "preparing mailbox")[0].startswith("Outlook")


def test_killed_build_process_leaves_a_usable_index(search_kb: Path, config) -> None:  # noqa: ANN001
    build_index(config)
    for n in range(400):
        values = dict(
            PROCEDURES["accounts/password-reset.md"],
            id=f"KB-{1000 + n}",
            title=f"Filler procedure {n}",
        )
        write_procedure(search_kb, f"filler/f{n}.md", search_procedure(values))
    process = subprocess.Popen(
        [sys.executable, "-m", "kbtool", "index", "--rebuild"],
        cwd=search_kb,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.8)
    process.kill()
    process.wait()
    with open_searcher(config, refresh=False) as searcher:
        assert searcher.search("outlook profile").results[0].id == "KB-0001"
    assert build_index(config).total == len(PROCEDURES) + 400


def test_vanished_procedures_folder_is_a_clear_error(search_kb: Path, config) -> None:  # noqa: ANN001
    from kbtool.core.errors import ConfigError

    build_index(config)
    import shutil

    shutil.rmtree(search_kb / "procedures")
    with pytest.raises(ConfigError, match="procedures folder not found"):
        build_index(config)


def test_scan_finds_the_same_files_as_the_knowledge_base(search_kb: Path, config) -> None:  # noqa: ANN001
    from kbtool.model.knowledge_base import list_files
    from kbtool.search.indexer import scan_files

    procedures = search_kb / "procedures"
    (procedures / "notes.txt").write_text("not a procedure", encoding="utf-8")
    (procedures / ".hidden").mkdir()
    (procedures / ".hidden" / "secret.md").write_text("# hidden", encoding="utf-8")
    (procedures / "site").mkdir()
    (procedures / "site" / "built.md").write_text("# built", encoding="utf-8")
    (procedures / "deep" / "er").mkdir(parents=True)
    (procedures / "deep" / "er" / "x.md").write_text("# deep", encoding="utf-8")
    (procedures / "loop").symlink_to(procedures, target_is_directory=True)
    files, _issues = list_files(config)
    scanned = scan_files(config)
    assert sorted(scanned) == [rel for _path, rel in files]
    assert "deep/er/x.md" in scanned
    for path, rel in files:
        stat = path.stat()
        assert scanned[rel] == (str(path), stat.st_mtime_ns, stat.st_size)


def test_freshness_check_by_digest_and_without_it(search_kb: Path, config) -> None:  # noqa: ANN001
    from kbtool.search.indexer import stale_reason

    build_index(config)
    digest = current_generation(config) / store.MANIFEST_DIGEST
    assert digest.is_file() and stale_reason(config) is None
    bump(search_kb / "procedures/email/outlook-profile.md", "Loading profile", "Preparing mailbox")
    assert stale_reason(config) == "procedures changed"
    build_index(config)
    assert stale_reason(config) is None
    digest.unlink()  # an index without the digest is compared file by file
    assert stale_reason(config) is None
    (search_kb / "procedures/kubernetes/pod-crash.md").unlink()
    assert stale_reason(config) == "procedures were added or removed"
