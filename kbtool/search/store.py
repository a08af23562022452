"""Where the index lives on disk, and how it is switched and locked safely.

The index is a rebuildable cache under `.kbtool/index/`:

    CURRENT          {"generation": "g-…", "previous": "g-…", "schema": N, "config": "…"},
                     replaced atomically
    write.lock       held (flock) by the one process that writes
    g-…/             a Whoosh index, with manifest.json (files it was built from),
                     check.json (the table of contents and document count its last
                     commit left, checked on every open: see `indexer.check_generation`),
                     vocab.json (a spelling for each term, to show corrections),
                     spelling.txt (the alphabetic terms, for typo correction) and
                     exact.txt (the id and error-code keys, to spot them in a query)

A full build writes a new generation and switches `CURRENT` only when it is complete, so an
interrupted build leaves the previous index in use and a search during a rebuild still answers.
An incremental update commits into the current generation; Whoosh replaces its table of
contents atomically, so an interrupted update leaves the last commit. The previous generation
is kept until the next switch, for searchers that opened it just before. Any other generation
folder (what a killed build left) is removed by the next build, or by the next search that
can take the writer lock at once: a build under way holds it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbtool.core.errors import KbtoolError
from kbtool.core.fileio import atomic_write_text
from kbtool.model.config import Config
from kbtool.model.file_scan import manifest_digest
from kbtool.search import tuning
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
#: The files procedures include (`[dialect] includes`), as they were indexed.
INCLUDES = "includes.json"
VOCAB = "vocab.json"
SPELLING = "spelling.txt"
EXACT_KEYS = "exact.txt"
CHECK = "check.json"
#: CURRENT is a line of JSON; anything much longer is damage, not worth parsing.
MAX_CURRENT_BYTES = 4096


class IndexBusyError(KbtoolError):
    """Another process is writing the index."""


def index_root(config: Config) -> Path:
    return config.state_dir / INDEX_DIRNAME


def local_index_root(config: Config) -> Path:
    """`.kbtool/index` at the knowledge base's root: `index_root` unless it cannot be written,
    when an index found there can still be searched as it is."""
    return config.root / ".kbtool" / INDEX_DIRNAME


def config_fingerprint(config: Config) -> str:
    """What, in the configuration, changes how files are parsed: a change means a rebuild."""
    relevant = {
        "procedures": str(config.procedures_dir),
        "exclude": list(config.exclude),
        "aliases": dict(config.aliases),
        "date_formats": list(config.date_formats),
        "max_file_bytes": config.max_file_bytes,
        # the [[defaults]] blocks fill stored fields (service, owner...): a change re-reads all
        "defaults": [[list(d.paths), dict(d.values)] for d in config.defaults],
    }
    if config.dialect.any:  # only then: indexes made before dialects existed stay valid
        relevant["dialect"] = [
            config.dialect.alerts,
            config.dialect.includes,
            config.dialect.images,
            config.dialect.no_loc,
        ]
    tuned = tuning.index_part(tuning.active())
    if tuned != tuning.index_part(tuning.Tuning()):  # a benchmark's override: another index
        relevant["tuning"] = tuned
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Current:
    generation: str
    schema: int
    config: str
    previous: str | None = None  # the generation before, kept for searchers that opened it


def read_current(root: Path) -> Current | None:
    """The generation in use, or None when there is none or it cannot be read."""
    return load_current(root)[0]


def load_current(root: Path) -> tuple[Current | None, str | None]:
    """The generation in use, and why there is none when a CURRENT file is there but damaged."""
    try:
        with open(root / CURRENT, "rb") as handle:
            raw = handle.read(MAX_CURRENT_BYTES + 1)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"its CURRENT file cannot be read ({exc.strerror or exc})"
    damaged = "its CURRENT file is damaged"
    if len(raw) > MAX_CURRENT_BYTES:
        return None, damaged
    try:
        data = json.loads(raw.decode("utf-8"))
        current = Current(
            str(data["generation"]),
            int(data["schema"]),
            str(data["config"]),
            str(data["previous"]) if data.get("previous") else None,
        )
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None, damaged
    if not all(_is_generation_name(n) for n in (current.generation, current.previous) if n):
        return None, damaged
    if not _FINGERPRINT.fullmatch(current.config):
        # Damage, not a configuration change: every build writes a 16-digit hex fingerprint.
        return None, damaged
    return current, None


_FINGERPRINT = re.compile(r"[0-9a-f]{16}")


def _is_generation_name(name: str) -> bool:
    # A name, never a path: a damaged CURRENT must not point kbtool anywhere else.
    return name.startswith("g-") and "/" not in name and "\\" not in name and ".." not in name


def write_current(root: Path, generation: str, config: Config, previous: str | None = None) -> None:
    payload = {
        "generation": generation,
        "previous": previous,
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
    """Delete generations other than `keep`, and temporary files a killed switch left
    (best effort: a cache, not data).

    Only with the writer lock held: a build under way is writing a generation of its own.
    """
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        if _is_stray(entry.name, keep):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _is_stray(name: str, keep: set[str]) -> bool:
    if name.startswith("g-"):
        return name not in keep
    return name.startswith(f".{CURRENT}.") and name.endswith(".tmp")  # see atomic_write_text


def in_use(current: Current | None) -> set[str]:
    """The generations a searcher may have open: the current one and the one before."""
    if current is None:
        return set()
    return {current.generation} | ({current.previous} if current.previous else set())


def remove_stray_generations(root: Path, current: Current | None) -> None:
    """Remove generation folders no searcher uses and no build is writing (best effort).

    One listing when there is nothing to remove. Otherwise only when the writer lock can be
    taken at once (a build under way holds it while it writes its generation); CURRENT is read
    again under the lock, since a build may have switched in between.
    """
    try:
        names = os.listdir(root)
    except OSError:
        return
    keep = in_use(current)
    if not any(_is_stray(name, keep) for name in names):
        return
    try:
        with writer_lock(root, wait=0):
            current, problem = load_current(root)
            if current is not None or problem is None:
                remove_old_generations(root, in_use(current))
    except (IndexBusyError, OSError):
        pass


# --- what a generation's last commit left ----------------------------------------------------


def write_check(generation: Path, toc: int, documents: int) -> None:
    atomic_write_text(generation / CHECK, json.dumps({"toc": toc, "documents": documents}))


def read_check(generation: Path) -> tuple[int, int] | None:
    """(table of contents number, document count) of the last commit, None when unreadable."""
    try:
        data = json.loads((generation / CHECK).read_text(encoding="utf-8"))
        return int(data["toc"]), int(data["documents"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


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


@dataclass
class Includes:
    """The files procedures include, each with its (mtime_ns, size) when indexed and the
    procedures that include it."""

    stamps: dict[str, tuple[int, int]]
    dependents: dict[str, list[str]]


def read_includes(generation: Path) -> Includes | None:
    """What `write_includes` wrote; None when no procedure included anything."""
    try:
        data = json.loads((generation / INCLUDES).read_text(encoding="utf-8"))
        stamps = {str(k): (int(v[0]), int(v[1])) for k, v in data["stamps"].items()}
        dependents = {str(k): [str(r) for r in v] for k, v in data["dependents"].items()}
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None  # none, or damaged: `kbtool index --rebuild` records them again
    return Includes(stamps, dependents)


def write_includes(generation: Path, config: Config, dependents: dict[str, set[str]]) -> None:
    """Record the files procedures include, stat-ed now (before the manifest is written)."""
    path = generation / INCLUDES
    if not dependents:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return
    stamps = {}
    for rel in sorted(dependents):
        stamp = include_stamp(config, rel)
        stamps[rel] = list(stamp) if stamp is not None else [-1, -1]
    payload = {
        "stamps": stamps,
        "dependents": {rel: sorted(users) for rel, users in sorted(dependents.items())},
    }
    atomic_write_text(path, json.dumps(payload, separators=(",", ":")))


def include_stamp(config: Config, rel: str) -> tuple[int, int] | None:
    try:
        st = os.stat(config.procedures_dir / rel)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def changed_includes(config: Config, includes: Includes | None) -> list[str]:
    """The included files whose time or size changed since they were indexed."""
    if includes is None:
        return []
    return [
        rel
        for rel, stamp in includes.stamps.items()
        if (include_stamp(config, rel) or (-1, -1)) != stamp
    ]


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
