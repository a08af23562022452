"""Where the index lives on disk, and how it is switched and locked safely.

The index is a rebuildable cache under `.kbtool/index/`:

    CURRENT          {"generation": "g-…", "schema": N, "config": "…"}, replaced atomically
    write.lock       held (flock) by the one process that writes
    g-…/             a Whoosh index, with manifest.json (files it was built from),
                     vocab.json (a spelling for each term, to show corrections),
                     spelling.txt (the alphabetic terms, for typo correction) and
                     exact.txt (the id and error-code keys, to spot them in a query)

A full build writes a new generation and switches `CURRENT` only when it is complete, so an
interrupted build leaves the previous index in use and a search during a rebuild still answers.
An incremental update commits into the current generation; Whoosh replaces its table of
contents atomically, so an interrupted update leaves the last commit. The previous generation
is kept until the next switch, for searchers that opened it just before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbtool.config import Config
from kbtool.errors import KbtoolError
from kbtool.file_scan import manifest_digest
from kbtool.fileio import atomic_write_text
from kbtool.search.schema import SCHEMA_VERSION

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: fall back to a lock that never waits
    fcntl = None  # type: ignore[assignment]

INDEX_DIRNAME = "index"
CURRENT = "CURRENT"
LOCK = "write.lock"
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
VOCAB = "vocab.json"
SPELLING = "spelling.txt"
EXACT_KEYS = "exact.txt"


class IndexBusyError(KbtoolError):
    """Another process is writing the index."""


def index_root(config: Config) -> Path:
    return config.state_dir / INDEX_DIRNAME


def config_fingerprint(config: Config) -> str:
    """What, in the configuration, changes how files are parsed: a change means a rebuild."""
    relevant = {
        "procedures": str(config.procedures_dir),
        "exclude": list(config.exclude),
        "aliases": dict(config.aliases),
        "date_formats": list(config.date_formats),
        "max_file_bytes": config.max_file_bytes,
    }
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Current:
    generation: str
    schema: int
    config: str


def read_current(root: Path) -> Current | None:
    """The generation in use, or None when there is none or it cannot be read."""
    try:
        data = json.loads((root / CURRENT).read_text(encoding="utf-8"))
        return Current(str(data["generation"]), int(data["schema"]), str(data["config"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_current(root: Path, generation: str, config: Config) -> None:
    payload = {
        "generation": generation,
        "schema": SCHEMA_VERSION,
        "config": config_fingerprint(config),
    }
    atomic_write_text(root / CURRENT, json.dumps(payload) + "\n")


def new_generation(root: Path) -> Path:
    stamp = time.strftime("%Y%m%d%H%M%S")
    path = root / f"g-{stamp}-{os.getpid()}-{time.monotonic_ns() % 1_000_000:06d}"
    path.mkdir(parents=True)
    return path


def remove_old_generations(root: Path, keep: set[str]) -> None:
    """Delete generations other than `keep` (best effort: a cache, not data)."""
    try:
        entries = list(root.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("g-") and entry.name not in keep and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


# --- manifest and vocabulary ----------------------------------------------------------------

Manifest = dict[str, tuple[int, int]]  # rel_path -> (mtime_ns, size)


def read_manifest(generation: Path) -> Manifest | None:
    try:
        data = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
        return {str(k): (int(v[0]), int(v[1])) for k, v in data["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def write_manifest(generation: Path, manifest: Manifest) -> None:
    payload = {"files": {k: list(v) for k, v in sorted(manifest.items())}}
    # The digest first: a digest without its manifest only costs a full comparison.
    atomic_write_text(generation / MANIFEST_DIGEST, manifest_digest(manifest))
    atomic_write_text(generation / MANIFEST, json.dumps(payload, separators=(",", ":")))


def read_manifest_digest(generation: Path) -> str | None:
    try:
        return (generation / MANIFEST_DIGEST).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None


def read_vocab(generation: Path) -> dict[str, list[str]]:
    try:
        data = json.loads((generation / VOCAB).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_vocab(generation: Path, vocab: dict[str, list[str]]) -> None:
    atomic_write_text(generation / VOCAB, json.dumps(vocab, ensure_ascii=False))


def read_lines(generation: Path, name: str) -> list[str] | None:
    """A word list of the generation (`SPELLING`, `EXACT_KEYS`), None when missing."""
    try:
        text = (generation / name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return text.split("\n") if text else []


def write_lines(generation: Path, name: str, words: set[str]) -> None:
    atomic_write_text(generation / name, "\n".join(sorted(w for w in words if w)))


# --- the writer lock ------------------------------------------------------------------------


@contextlib.contextmanager
def writer_lock(
    root: Path, *, wait: float, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the index's writer lock; wait up to `wait` seconds for another writer.

    Raises IndexBusyError (naming the process that holds it) when it is still held after
    `wait`. The lock is released by the kernel if the holder dies, so it never goes stale.
    """
    root.mkdir(parents=True, exist_ok=True)
    path = root / LOCK
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole block
    try:
        if fcntl is not None:
            _acquire(handle, path, wait, on_wait)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        if fcntl is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def _acquire(handle: Any, path: Path, wait: float, on_wait: Callable[[str], None] | None) -> None:
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = _holder(path)
        if time.monotonic() >= deadline:
            raise IndexBusyError(
                f"another kbtool process{holder} is updating the search index; "
                "try again when it has finished",
                path=str(path),
            )
        if not told and on_wait is not None:
            on_wait(f"another kbtool process{holder} is updating the search index; waiting")
            told = True
        time.sleep(0.05)


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
