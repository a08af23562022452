"""A damaged, read-only or full index, and odd bytes: search answers anyway, or says why.

Issue 9, the search part: a full disk (item 4), a damaged index (6), a `.kbtool` the user
cannot write (9), a file name that is not UTF-8 (11), a query holding byte 0xFF (14), what a
killed build leaves behind and a very long word (17). Everything runs through the real CLI
and the real Whoosh index; the full and read-only filesystems are real (a small tmpfs) where
the machine lets us mount one, and "another user" is the real `nobody`.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kbtool.search import store
from tests.conftest import ROSTER, RunCli, write_procedure
from tests.search.conftest import PROCEDURES, search_procedure, write_search_kb

PASSWORD = "accounts/password-reset.md"
NOBODY = "nobody"


# --- helpers --------------------------------------------------------------------------------


def make_kb(root: Path) -> Path:
    """The search tests' knowledge base, written into `root`."""
    (root / "procedures").mkdir(parents=True)
    (root / "procedures" / "roster.yml").write_text(ROSTER, encoding="utf-8")
    (root / "kbtool.toml").write_text("", encoding="utf-8")
    write_search_kb(root)
    return root


def edit(root: Path, rel: str = PASSWORD) -> None:
    """Change one procedure (a new word, `zebracorn`) so that the index is out of date."""
    path = root / "procedures" / rel
    path.write_text(
        path.read_text(encoding="utf-8").replace("self-service", "zebracorn self-service"),
        encoding="utf-8",
    )
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def kbtool(
    cwd: Path,
    *args: str | bytes,
    user: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """The real command in a process (bytes in and out: what a terminal would get)."""
    command: list[str | bytes] = [sys.executable, "-m", "kbtool", *args]
    if user is not None:
        command = as_user(user, command, cwd)
    return subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        timeout=120,
        env=env if env is not None else dict(os.environ),
    )


def as_user(user: str, command: list[str | bytes], scratch: Path) -> list[str | bytes]:
    """`command` run as `user` (by root).

    The interpreter may live under a folder only root may enter (pyenv under /root, mode
    0700): then that folder is covered, in a private mount namespace of the command alone,
    by an empty one anyone may enter that holds just the interpreter's own folder. Nothing
    changes outside that namespace.
    """
    import pwd

    person = pwd.getpwnam(user)
    drop = ["setpriv", f"--reuid={person.pw_uid}", f"--regid={person.pw_gid}", "--clear-groups"]
    prefix = Path(os.path.realpath(sys.base_prefix))
    closed = [p for p in reversed(prefix.parents) if not os.stat(p).st_mode & 0o001]
    if not closed:
        return [*drop, *command]
    if shutil.which("unshare") is None or len(closed) > 1:
        print("skipped: the interpreter is out of the other user's reach")
        pytest.skip("the interpreter is out of the other user's reach")
    top = closed[0]
    child = top / prefix.relative_to(top).parts[0]
    stash = scratch.parent / f".stash-{os.getpid()}"
    stash.mkdir(exist_ok=True)
    script = (
        'mount --bind "$2" "$3" && mount -t tmpfs -o mode=0755 tmpfs "$1"'
        ' && mkdir -p "$2" && mount --bind "$3" "$2" && shift 3 && exec "$@"'
    )
    return [
        "unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
        str(top), str(child), str(stash), *drop, *command,
    ]  # fmt: skip


def user_env(home: str = "/nonexistent", **extra: str) -> dict[str, str]:
    """The environment of a user without a home, like `nobody` under a service."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "LC_ALL": "C.UTF-8"}
    if "PYTHONPATH" in os.environ:  # the code under test, wherever the test run takes it from
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    env.update(extra)
    return env


def results(stdout: bytes | str) -> list[str]:
    text = stdout.decode("utf-8") if isinstance(stdout, bytes) else stdout
    return [hit["path"] for hit in json.loads(text)["results"]]


def index_root(kb: Path) -> Path:
    return kb / ".kbtool" / "index"


def current_generation(kb: Path) -> Path:
    current = store.read_current(index_root(kb))
    assert current is not None
    return index_root(kb) / current.generation


def fill(folder: Path) -> None:
    """Fill the filesystem holding `folder` to the last byte."""
    with open(folder / "filler", "wb", buffering=0) as handle:
        for size in (1 << 20, 1 << 16, 1 << 12, 1 << 8, 1):
            block = b"\0" * size
            try:
                while True:
                    handle.write(block)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
    with pytest.raises(OSError) as full:
        (folder / "one-more").write_bytes(b"x" * 4096)
    assert full.value.errno == errno.ENOSPC


def _mount_tmpfs(point: Path, size: str) -> str | None:
    """Mount a tmpfs of `size` at `point`; None when done, else why it could not be."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "mounting a filesystem needs root"
    if shutil.which("mount") is None:
        return "no mount command"
    point.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(point)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}"
    return None


def _unmount(point: Path) -> None:
    subprocess.run(["umount", "-l", str(point)], capture_output=True)


@pytest.fixture
def public_dir() -> Iterator[Path]:
    """A folder every user may enter (pytest's own tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="kbtool-test-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def tmpfs(public_dir: Path) -> Iterator[Path]:
    """A real 6 MB filesystem of its own, to fill or to make read-only."""
    point = public_dir / "mnt"
    why = _mount_tmpfs(point, "6m")
    if why is not None:
        print(f"skipped: {why}")
        pytest.skip(why)
    try:
        yield point
    finally:
        _unmount(point)


def need_root() -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        print("skipped: running as another user needs root")
        pytest.skip("running as another user needs root")


# --- item 4: a full disk --------------------------------------------------------------------


def test_a_full_disk_searches_the_existing_index_and_says_once_why_it_was_not_updated(
    tmpfs: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    kb = make_kb(tmpfs / "kb")
    monkeypatch.chdir(kb)
    assert run_cli("index").exit_code == 0
    edit(kb)
    fill(tmpfs)

    found = run_cli("search", "password", "reset", "--json")
    assert found.exit_code == 0, found.output
    assert results(found.stdout)[0] == PASSWORD
    assert found.stderr.count("could not update the search index") == 1, found.stderr
    assert found.stderr.count("No space left on device") == 1, found.stderr

    # Nothing found, and the misses log cannot be written either: still a plain "nothing".
    missed = run_cli("search", "quuxfrobnicator")
    assert missed.exit_code == 1, missed.output
    assert "no procedure matches 'quuxfrobnicator'" in missed.stdout
    assert "Traceback" not in missed.output

    shown = run_cli("show", "KB-0002")
    assert shown.exit_code == 0, shown.output
    assert "Forgotten password reset" in shown.stdout

    # Once there is room again, the next search brings the index up to date by itself.
    (tmpfs / "filler").unlink()
    fresh = run_cli("search", "zebracorn", "--json")
    assert fresh.exit_code == 0, fresh.output
    assert results(fresh.stdout) == [PASSWORD]
    log = kb / ".kbtool" / "search-misses.jsonl"
    if log.exists():  # whatever reached the log is whole lines
        for line in log.read_text(encoding="utf-8").splitlines():
            json.loads(line)


# --- item 6: a damaged index ----------------------------------------------------------------


def _newest_toc(kb: Path) -> Path:
    return max(current_generation(kb).glob("_MAIN_*.toc"), key=lambda p: int(p.stem[6:]))


def _remove_newest_toc(kb: Path) -> None:
    _newest_toc(kb).unlink()


def _cut_toc(kb: Path) -> None:
    toc = _newest_toc(kb)
    toc.write_bytes(toc.read_bytes()[:10])


def _remove_segment(kb: Path) -> None:
    for path in current_generation(kb).glob("*.seg"):
        path.unlink()


def _current_bomb(kb: Path) -> None:
    (index_root(kb) / store.CURRENT).write_text("[" * 100_000, encoding="utf-8")


def _current_garbage(kb: Path) -> None:
    (index_root(kb) / store.CURRENT).write_bytes(b"\xff\xfe{nope")


def _current_cut_short(kb: Path) -> None:
    path = index_root(kb) / store.CURRENT
    path.write_bytes(path.read_bytes()[:20])


def _current_fingerprint_damaged(kb: Path) -> None:
    # Still JSON, but the configuration's fingerprint is no fingerprint: damage, not a change.
    path = index_root(kb) / store.CURRENT
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, "config": data["config"][:7] + "\u00ff"}))


def _remove_manifest(kb: Path) -> None:
    (current_generation(kb) / store.MANIFEST).unlink()


DAMAGE: dict[str, Callable[[Path], None]] = {
    "the newest table of contents removed": _remove_newest_toc,
    "the table of contents cut short": _cut_toc,
    "a segment removed": _remove_segment,
    "CURRENT is 100,000 '['": _current_bomb,
    "CURRENT is not text": _current_garbage,
    "CURRENT cut short": _current_cut_short,
    "CURRENT's fingerprint damaged": _current_fingerprint_damaged,
    "the manifest removed": _remove_manifest,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_index_is_detected_and_rebuilt_with_a_message_never_a_knowledge_gap(
    search_kb: Path,
    run_cli: RunCli,
    damage: str,  # noqa: ANN001
) -> None:
    misses = search_kb / ".kbtool" / "search-misses.jsonl"
    for command in (
        ("search", "password", "--json"),
        ("show", "KB-0002"),
        ("index",),
    ):
        assert run_cli("index", "--rebuild").exit_code == 0
        DAMAGE[damage](search_kb)
        result = run_cli(*command)
        assert result.exit_code == 0, (command, result.output)
        assert "Traceback" not in result.output
        said = "rebuilding it" if command[0] == "index" else "rebuilt it"
        assert result.stderr.count("the search index was unreadable") == 1, result.stderr
        assert said in result.stderr, (command, result.stderr)
        assert "up to date" not in result.output, command
        if command[0] == "search":
            assert results(result.stdout)[0] == PASSWORD
        elif command[0] == "show":
            assert "Forgotten password reset" in result.stdout
        # Whatever the damage, the index answers afterwards, and no miss was ever logged.
        after = run_cli("search", "password", "--json")
        assert after.exit_code == 0 and results(after.stdout)[0] == PASSWORD
        assert "rebuil" not in after.stderr, (command, after.stderr)
        assert not misses.exists(), misses.read_text(encoding="utf-8")


# --- item 9: a .kbtool the user cannot write ------------------------------------------------


def _read_only_tree(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)


def _chown_tree(folder: Path, user: str) -> None:
    import pwd

    uid = pwd.getpwnam(user).pw_uid
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, uid, -1)


@pytest.mark.parametrize("changed", [False, True], ids=["unchanged", "a procedure changed"])
@pytest.mark.parametrize("how", ["owned by another user", "its own but read-only"])
def test_nobody_without_a_home_searches_the_existing_read_only_index(
    public_dir: Path, how: str, changed: bool
) -> None:
    """As `nobody` with HOME=/nonexistent: no writable `.kbtool`, no cache to fall back to."""
    need_root()
    kb = make_kb(public_dir / "kb")
    assert kbtool(kb, "index").returncode == 0
    if how == "its own but read-only":
        _chown_tree(kb, NOBODY)
        _read_only_tree(kb / ".kbtool")
    if changed:
        edit(kb)
    before = sorted(p.name for p in index_root(kb).rglob("*"))
    found = kbtool(kb, "search", "password", "reset", "--json", user=NOBODY, env=user_env())
    stderr = found.stderr.decode("utf-8")
    assert found.returncode == 0, stderr
    assert results(found.stdout)[0] == PASSWORD
    assert "Traceback" not in stderr
    if changed:
        assert stderr.count("could not update the search index") == 1, stderr
    else:
        assert stderr == ""
    assert sorted(p.name for p in index_root(kb).rglob("*")) == before
    shown = kbtool(kb, "show", "KB-0002", user=NOBODY, env=user_env())
    assert shown.returncode == 0, shown.stderr
    missed = kbtool(kb, "search", "quuxfrobnicator", user=NOBODY, env=user_env())
    assert missed.returncode == 1, missed.stderr
    assert b"Traceback" not in missed.stderr


def test_a_fresh_read_only_index_is_used_as_it_is_rather_than_copied_to_the_cache(
    public_dir: Path,
) -> None:
    """A user with a cache of their own: an up-to-date shared index needs no copy there; once
    procedures changed, the cache gets an index of its own that sees the change."""
    need_root()
    kb = make_kb(public_dir / "kb")
    assert kbtool(kb, "index").returncode == 0
    cache = public_dir / "cache"
    cache.mkdir()
    _chown_tree(cache, NOBODY)
    env = user_env(XDG_CACHE_HOME=str(cache))
    found = kbtool(kb, "search", "password", "--json", user=NOBODY, env=env)
    assert found.returncode == 0, found.stderr
    assert results(found.stdout)[0] == PASSWORD
    assert found.stderr == b""
    assert not list(cache.glob("kbtool/*/index"))
    edit(kb)
    fresh = kbtool(kb, "search", "zebracorn", "--json", user=NOBODY, env=env)
    assert fresh.returncode == 0, fresh.stderr
    assert results(fresh.stdout) == [PASSWORD]
    assert list(cache.glob("kbtool/*/index/CURRENT"))


def test_a_read_only_filesystem_searches_the_existing_index(
    tmpfs: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    """Root too: the knowledge base (and the cache) on a filesystem mounted read-only."""
    kb = make_kb(tmpfs / "kb")
    monkeypatch.chdir(kb)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmpfs / "cache"))
    assert run_cli("index").exit_code == 0
    edit(kb)
    remount = subprocess.run(
        ["mount", "-o", "remount,ro", str(tmpfs)], capture_output=True, text=True
    )
    if remount.returncode != 0:
        pytest.skip(f"cannot remount read-only: {remount.stderr.strip()}")
    found = run_cli("search", "password", "reset", "--json")
    assert found.exit_code == 0, found.output
    assert results(found.stdout)[0] == PASSWORD
    assert found.stderr.count("could not update the search index") == 1, found.stderr
    assert "Read-only file system" in found.stderr
    assert run_cli("show", "KB-0002").exit_code == 0


# --- items 11 and 14: bytes that are not UTF-8 ----------------------------------------------

#: C.UTF-8: Python writes strictly (an encoding error would be a traceback); C: Python writes
#: undecodable bytes back as they came (invalid UTF-8 would reach the reader).
LOCALES = ["C.UTF-8", "C"]


def _env(locale: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIO"))}
    env.update(LC_ALL=locale, LANG=locale)
    env.pop("PYTHONUTF8", None)
    return env


def _utf8(data: bytes) -> str:
    text = data.decode("utf-8")  # strict: raises on invalid UTF-8
    assert "Traceback" not in text, text
    return text


@pytest.mark.parametrize("locale", LOCALES)
def test_a_file_name_that_is_not_utf8_is_indexed_and_shown_visibly(
    search_kb: Path, locale: str
) -> None:
    folder = os.fsencode(search_kb / "procedures" / "accounts")
    os.rename(folder + b"/password-reset.md", folder + b"/caf\xe9.md")
    env = _env(locale)
    indexed = kbtool(search_kb, "index", env=env)
    assert indexed.returncode == 0, indexed.stderr
    _utf8(indexed.stdout + indexed.stderr)

    found = kbtool(search_kb, "search", "password", "reset", "--json", env=env)
    assert found.returncode == 0, found.stderr
    path = results(_utf8(found.stdout))[0]
    assert path.startswith("accounts/caf") and path.endswith(".md") and path != "accounts/caf.md"
    text = kbtool(search_kb, "search", "password", "reset", env=env)
    assert text.returncode == 0 and path in _utf8(text.stdout)

    for args in (("show", "KB-0002"), ("show", "KB-0002", "--json")):
        shown = kbtool(search_kb, *args, env=env)
        assert shown.returncode == 0, shown.stderr
        assert "Forgotten password reset" in _utf8(shown.stdout)
    card = json.loads(_utf8(kbtool(search_kb, "show", "KB-0002", "--json", env=env).stdout))
    assert card["path"] == path

    # Removing it again reaches the index (the index knows it under the same name).
    os.unlink(folder + b"/caf\xe9.md")
    gone = kbtool(search_kb, "search", "password", "reset", "--json", env=env)
    assert gone.returncode in (0, 1), gone.stderr
    assert path not in (results(gone.stdout) if gone.returncode == 0 else [])


@pytest.mark.parametrize("locale", LOCALES)
def test_a_query_holding_byte_ff_is_searched_logged_and_printed_as_utf8(
    search_kb: Path, locale: str
) -> None:
    env = _env(locale)
    missed = kbtool(search_kb, "search", b"quuxfrobnicator\xff", env=env)
    assert missed.returncode == 1, missed.stderr
    assert "no procedure matches" in _utf8(missed.stdout)
    _utf8(missed.stderr)
    from kbtool.events import open_store
    from kbtool.model.config import load_config

    store = open_store(load_config(cwd=search_kb))
    query = store.events()[-1].query or ""
    store.close()
    assert query.startswith("quuxfrobnicator") and query != "quuxfrobnicator"
    _utf8(query.encode("utf-8"))

    for args in (("--json",), ()):
        found = kbtool(search_kb, "search", b"password\xff", b"reset", *args, env=env)
        assert found.returncode == 0, found.stderr
        out = _utf8(found.stdout)
        _utf8(found.stderr)
        if args:
            data = json.loads(out)
            assert data["query"].startswith("password") and " reset" in data["query"]
            assert data["results"][0]["path"] == PASSWORD
        else:
            assert "KB-0002" in out


@pytest.mark.parametrize(
    ("query", "filters"),
    [("quux\udcff", {}), ("quux", {"service": "E\udce9mail"}), ("\udcff" * 600, {"tag": "x"})],
)
def test_the_events_store_takes_any_query_and_stays_utf8(config, query: str, filters: dict) -> None:  # noqa: ANN001
    """The library's own guard: a caller other than the CLI may pass the bytes through."""
    from kbtool.events import open_store, record, search_event

    assert record(config, [search_event("cli", query, 0, filters=filters)]) is None
    store = open_store(config)
    [event] = store.events()
    store.close()
    assert "\ufffd" in (event.query or "") + "".join(event.filters.values())


# --- item 17: what is left behind, and a very long word -------------------------------------


@pytest.mark.parametrize("command", [("index",), ("index", "--rebuild"), ("search", "vpn")])
def test_a_folder_without_procedures_is_an_error_that_leaves_nothing_behind(
    tmp_path: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    command: tuple[str, ...],  # noqa: ANN001
) -> None:
    (tmp_path / "kbtool.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_cli(*command)
    assert result.exit_code == 2
    assert "procedures folder not found" in result.output
    assert not (tmp_path / ".kbtool").exists(), list((tmp_path / ".kbtool").rglob("*"))


def _filler(kb: Path, count: int) -> None:
    for n in range(count):
        values = dict(PROCEDURES[PASSWORD], id=f"KB-{1000 + n}", title=f"Filler procedure {n}")
        write_procedure(kb, f"filler/f{n:04d}.md", search_procedure(values))


def _kill_during_a_rebuild(kb: Path, known: set[str]) -> Path | None:
    """Start `kbtool index --rebuild`, kill -9 it once its new generation exists; that
    generation, or None when the build finished first."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kbtool", "index", "--rebuild"],
        cwd=kb,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            new = [p for p in index_root(kb).glob("g-*") if p.name not in known]
            if new:
                time.sleep(0.05)  # let it write some of the new generation
                process.kill()
                break
            time.sleep(0.002)
    finally:
        process.kill()
        process.wait()
    current = store.read_current(index_root(kb))
    assert current is not None
    partial = [p for p in index_root(kb).glob("g-*") if p.name not in known | {current.generation}]
    return partial[0] if partial else None


def test_a_killed_build_leaves_a_partial_generation_that_the_next_search_removes(
    search_kb: Path,
    run_cli: RunCli,
) -> None:
    _filler(search_kb, 600)
    assert run_cli("index").exit_code == 0
    for _attempt in range(5):
        known = {p.name for p in index_root(search_kb).glob("g-*")}
        partial = _kill_during_a_rebuild(search_kb, known)
        if partial is not None:
            break
    else:
        pytest.fail("the build always finished before it could be killed")
    current = current_generation(search_kb)
    found = run_cli("search", "outlook", "profile", "--json")
    assert found.exit_code == 0, found.output
    assert results(found.stdout)[0] == "email/outlook-profile.md"
    assert not partial.exists()
    assert current.is_dir() and current_generation(search_kb) == current


def test_cleaning_never_removes_the_current_generation_or_one_being_written(
    search_kb: Path,
    run_cli: RunCli,
) -> None:
    assert run_cli("index").exit_code == 0
    current = current_generation(search_kb)
    # Another process's build, under way: it holds the writer lock while it writes.
    writing = index_root(search_kb) / "g-20000101000000-1-000001"
    writing.mkdir()
    (writing / "_MAIN_0.toc").write_bytes(b"")
    switching = index_root(search_kb) / f".{store.CURRENT}.k1ll3d.tmp"  # what atomic_write leaves
    switching.write_text("{}", encoding="utf-8")
    with store.writer_lock(index_root(search_kb), wait=0):
        during = kbtool(search_kb, "search", "outlook", "profile", "--json")
        assert during.returncode == 0, during.stderr
        assert writing.is_dir() and switching.is_file()
    assert current.is_dir()
    after = run_cli("search", "outlook", "profile", "--json")
    assert after.exit_code == 0
    assert not writing.exists()  # the writer is gone: what it left is garbage now
    assert not switching.exists()
    assert current.is_dir() and current_generation(search_kb) == current


@pytest.mark.parametrize("word", ["x" * 1000, "outlook" * 140, "a1" * 500])
def test_a_very_long_word_is_said_to_be_too_long_not_too_common(
    search_kb: Path,
    run_cli: RunCli,
    word: str,  # noqa: ANN001
) -> None:
    result = run_cli("search", word)
    assert result.exit_code == 1
    assert "very common words" not in result.output
    assert "longer than 40 characters" in result.output
