"""The kept folder listing: reused while every folder keeps its stamp, never trusted otherwise.

The freshness check lists the folders again only when one changed; the files are stat-ed every
time. A tree made by a test is always "racy" (its folders were stamped a moment ago), so the
tests that need a kept listing move the walk's clock ten seconds on (`aged`), as if the check
ran later; the rule itself is checked with the real clock.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

import kbtool.model.file_scan as file_scan
from kbtool.model import folder_listing
from kbtool.model.config import Config, load_config
from kbtool.model.file_scan import files_digest, manifest_digest, scan_files
from tests.conftest import write_procedure


@pytest.fixture
def tree(kb_root: Path) -> Path:
    write_procedure(kb_root, "network/vpn.md", "# vpn\n")
    write_procedure(kb_root, "network/wifi/ssid.md", "# ssid\n")
    write_procedure(kb_root, "drafts/scratch-1.md", "# scratch\n")
    (kb_root / "procedures" / "empty").mkdir()
    (kb_root / "kbtool.toml").write_text('exclude = ["drafts/scratch-*.md"]\n', encoding="utf-8")
    return kb_root


@pytest.fixture
def aged(monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk begins ten seconds from now: the test's folders are no longer racy."""
    later = SimpleNamespace(time_ns=lambda: time.time_ns() + 10_000_000_000)
    monkeypatch.setattr(file_scan, "time", later)


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The roots walked from now on (a kept listing reused walks none)."""
    seen: list[str] = []
    real = file_scan.walk_procedures

    def counted(root, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.append(root)
        return real(root, *args, **kwargs)

    monkeypatch.setattr(file_scan, "walk_procedures", counted)
    yield seen


def kept_file(config: Config) -> Path:
    return config.state_dir / folder_listing.FILENAME


def truth(config: Config) -> str:
    """The digest made by walking, whatever is kept."""
    folder_listing.forget(kept_file(config))
    digest = files_digest(config)
    folder_listing.forget(kept_file(config))
    return digest


def test_a_fresh_tree_is_not_kept_its_folders_are_racy(tree: Path) -> None:
    config = load_config(cwd=tree)
    files_digest(config)
    assert not kept_file(config).exists()


def test_a_walk_is_kept_and_reused_without_listing_a_folder(
    tree: Path, aged: None, walks: list[str]
) -> None:
    config = load_config(cwd=tree)
    first = files_digest(config)
    assert kept_file(config).is_file()
    assert len(walks) == 1
    record = json.loads(kept_file(config).read_text(encoding="utf-8"))
    folders = {rel: names for rel, *_stamp, names in record["folders"]}
    assert folders[""] == []  # the roster is not a procedure file; the root is still watched
    assert folders["network"] == ["vpn.md"] and folders["network/wifi"] == ["ssid.md"]
    assert folders["drafts"] == [] and folders["empty"] == []  # excluded, and empty: watched
    assert files_digest(config) == first
    files = scan_files(config)
    assert len(walks) == 1  # both answered from the kept listing
    assert sorted(files) == ["email/outlook-profile.md", "network/vpn.md", "network/wifi/ssid.md"]
    manifest = {rel: (mtime, size) for rel, (_path, mtime, size) in files.items()}
    assert manifest_digest(manifest) == first


def test_an_edit_in_place_is_seen_without_listing_a_folder(
    tree: Path, aged: None, walks: list[str]
) -> None:
    config = load_config(cwd=tree)
    before = files_digest(config)
    target = tree / "procedures" / "network" / "wifi" / "ssid.md"
    with open(target, "ab") as handle:  # appended in place: no folder changes
        handle.write(b"one more line\n")
    after = files_digest(config)
    assert len(walks) == 1
    assert after != before
    assert after == truth(config)


@pytest.mark.parametrize(
    "change",
    [
        "add a file",
        "remove a file",
        "rename a file",
        "add a folder with a file",
        "remove a folder",
        "replace a folder",
        "chmod a folder",
        "a file in the empty folder",
        "a file in an excluded folder",
    ],
)
def test_a_changed_folder_is_listed_again(
    tree: Path, aged: None, walks: list[str], change: str
) -> None:
    config = load_config(cwd=tree)
    before = files_digest(config)
    procedures = tree / "procedures"
    if change == "add a file":
        write_procedure(tree, "network/new.md", "# new\n")
    elif change == "remove a file":
        (procedures / "network" / "vpn.md").unlink()
    elif change == "rename a file":
        (procedures / "network" / "vpn.md").rename(procedures / "network" / "vpn-client.md")
    elif change == "add a folder with a file":
        write_procedure(tree, "network/wired/port.md", "# port\n")
    elif change == "remove a folder":
        shutil.rmtree(procedures / "network" / "wifi")
    elif change == "replace a folder":  # the same names, another folder: only its inode says
        replacement = tree / "elsewhere"
        replacement.mkdir()
        shutil.copy2(procedures / "network" / "wifi" / "ssid.md", replacement / "ssid.md")
        shutil.rmtree(procedures / "network" / "wifi")
        os.rename(replacement, procedures / "network" / "wifi")
    elif change == "chmod a folder":
        os.chmod(procedures / "network", 0o700)
    elif change == "a file in the empty folder":
        write_procedure(tree, "empty/first.md", "# first\n")
    else:
        write_procedure(tree, "drafts/plan.md", "# not excluded: only scratch-* is\n")
    after = files_digest(config)
    assert len(walks) == 2  # the kept listing was not trusted: the folders were walked again
    assert after == truth(config)
    if change not in ("chmod a folder", "replace a folder"):  # these two: the same files
        assert after != before


def test_a_tree_with_a_link_or_a_refused_entry_is_walked_every_time(
    tree: Path, aged: None, walks: list[str]
) -> None:
    config = load_config(cwd=tree)
    procedures = tree / "procedures"
    os.symlink(procedures / "network" / "vpn.md", procedures / "vpn-shortcut.md")
    files_digest(config)
    files_digest(config)
    assert not kept_file(config).exists()
    assert len(walks) == 2
    (procedures / "vpn-shortcut.md").unlink()
    os.mkfifo(procedures / "pipe.md")
    files_digest(config)
    assert not kept_file(config).exists()


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"\xff\xfe not json",
        b"[1, 2, 3]",
        b'{"version": 1}',
        "names outside",
        "a hidden name",
        "not a procedure file",
        "a folder above the root",
        "another exclusion list",
        "another version",
        "a name that is not there",
    ],
)
def test_a_damaged_or_foreign_listing_is_ignored_and_replaced(
    tree: Path, aged: None, walks: list[str], damage: bytes | str
) -> None:
    config = load_config(cwd=tree)
    expected = files_digest(config)
    path = kept_file(config)
    if isinstance(damage, bytes):
        path.write_bytes(damage)
    else:
        record = json.loads(path.read_text(encoding="utf-8"))
        network = next(f for f in record["folders"] if f[0] == "network")
        if damage == "names outside":
            network[5] = ["../../kbtool.toml"]
        elif damage == "a hidden name":
            network[5] = [".secret.md"]
        elif damage == "not a procedure file":
            network[5] = ["vpn.md", "notes.txt"]
        elif damage == "a folder above the root":
            network[0] = "network/../.."
        elif damage == "another exclusion list":
            record["exclude"] = []
        elif damage == "another version":
            record["version"] = folder_listing.VERSION + 1
        else:  # the folders' stamps are right, a file it names is gone
            network[5] = ["vpn.md", "ghost.md"]
        path.write_text(json.dumps(record), encoding="utf-8")
    assert files_digest(config) == expected
    assert len(walks) == 2
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == folder_listing.VERSION


def test_a_name_that_is_not_utf8_survives_the_listing(
    tree: Path, aged: None, walks: list[str]
) -> None:
    config = load_config(cwd=tree)
    folder = os.fsencode(tree / "procedures" / "network")
    with open(os.path.join(folder, b"caf\xe9.md"), "wb") as handle:
        handle.write(b"# cafe\n")
    first = files_digest(config)
    assert "network/caf\udce9.md" in scan_files(config)
    assert files_digest(config) == first
    assert len(walks) == 1


def test_a_listing_that_cannot_be_written_costs_nothing_but_the_walk(
    tree: Path, aged: None, walks: list[str]
) -> None:
    config = load_config(cwd=tree)
    kept_file(config).mkdir(parents=True)  # a folder in the way: neither read nor written
    assert files_digest(config) == files_digest(config)
    assert len(walks) == 2
    assert kept_file(config).is_dir()


def test_the_racy_rule_keeps_a_walk_only_once_its_folders_are_old_enough(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(cwd=tree)
    newest = max(
        max(os.stat(folder).st_mtime_ns, os.stat(folder).st_ctime_ns)
        for folder, _dirs, _files in os.walk(tree / "procedures")
    )
    for began, kept in [
        (newest + folder_listing.RACY_NS, False),  # stamped exactly RACY_NS before: racy
        (newest + folder_listing.RACY_NS + 1, True),
    ]:
        monkeypatch.setattr(file_scan, "time", SimpleNamespace(time_ns=lambda at=began: at))
        folder_listing.forget(kept_file(config))
        files_digest(config)
        assert kept_file(config).exists() is kept
