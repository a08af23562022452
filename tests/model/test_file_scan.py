"""The freshness walk: the same files and digest in-process, in a forked child, or after edits."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from kbtool.model.config import load_config
from kbtool.model.file_scan import digest_in_background, files_digest, manifest_digest, scan_files
from tests.conftest import write_procedure


@pytest.fixture
def tree(kb_root: Path) -> Path:
    write_procedure(kb_root, "deep/er/x.md", "# deep\n")
    write_procedure(kb_root, "drafts/scratch-1.md", "# scratch\n")
    write_procedure(kb_root, "notes.txt", "not a procedure\n")
    write_procedure(kb_root, ".hidden/secret.md", "# hidden\n")
    write_procedure(kb_root, "site/built.md", "# built\n")
    (kb_root / "kbtool.toml").write_text('exclude = ["drafts/scratch-*.md"]\n', encoding="utf-8")
    return kb_root


def test_digest_is_the_manifest_digest_of_the_scan(tree: Path) -> None:
    config = load_config(cwd=tree)
    files = scan_files(config)
    assert sorted(files) == ["deep/er/x.md", "email/outlook-profile.md"]
    manifest = {rel: (mtime, size) for rel, (_path, mtime, size) in files.items()}
    assert files_digest(config) == manifest_digest(manifest)


def test_digest_changes_with_content_size_mtime_and_files(tree: Path) -> None:
    config = load_config(cwd=tree)
    before = files_digest(config)
    target = tree / "procedures" / "deep" / "er" / "x.md"
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    touched = files_digest(config)
    assert touched != before
    write_procedure(tree, "deep/new.md", "# new\n")
    assert files_digest(config) not in (before, touched)
    (tree / "procedures" / "deep" / "new.md").unlink()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert files_digest(config) == before


def test_background_digest_in_a_child_and_with_threads_running(tree: Path) -> None:
    config = load_config(cwd=tree)
    expected = files_digest(config)
    pending = digest_in_background(config)
    assert pending() == expected
    assert pending() == expected  # asked twice: the same answer, the child reaped once
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:  # with another thread running there is no fork: the digest is made when asked
        assert digest_in_background(config)() == expected
    finally:
        stop.set()
        other.join()


def test_background_digest_of_a_vanished_folder_is_none(tree: Path) -> None:
    config = load_config(cwd=tree)
    import shutil

    shutil.rmtree(tree / "procedures")
    assert digest_in_background(config)() is None


def test_background_digest_without_fork_walks_once(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kbtool.model.file_scan as file_scan

    walks: list[str] = []
    real = file_scan.files_digest

    def counted(config):  # noqa: ANN001, ANN202
        walks.append("walk")
        return real(config)

    monkeypatch.delattr(os, "fork")  # as on Windows
    monkeypatch.setattr(file_scan, "files_digest", counted)
    config = load_config(cwd=tree)
    pending = digest_in_background(config)
    assert walks == []  # made when asked for, not before
    assert pending() == pending() == real(config)
    assert walks == ["walk"]
