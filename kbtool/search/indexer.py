"""Build and update the search index from the parsed procedures.

`build_index` is incremental by default: it compares each file's modification time and size
with the manifest of the current index and re-indexes only what changed, was added or removed.
A full build (first run, `rebuild=True`, an index from another schema version or configuration,
or an unreadable index) writes a new generation beside the old one and switches over only when
it is complete (see `store`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index

from kbtool.model.config import Config
from kbtool.model.file_scan import Files, files_digest, require_procedures_dir, scan_files
from kbtool.model.procedure import Procedure, load_procedure
from kbtool.search import store, whoosh_patches
from kbtool.search.analysis import Vocabulary
from kbtool.search.schema import INCLUDES_KEY, SCHEMA_VERSION, document, make_schema, path_key

if TYPE_CHECKING:
    from kbtool.search.bulk import Prepared

whoosh_patches.apply()

#: Progress callback: (files done, files to do).
Progress = Callable[[int, int], None]

#: From this many files a full build parses and analyses in worker processes.
PARALLEL_THRESHOLD = 1000
WRITER_MEMORY_MB = 256


@dataclass(frozen=True)
class IndexStats:
    """What a build did. `reason` says why a full build happened, when it did."""

    added: int
    updated: int
    removed: int
    total: int
    seconds: float
    rebuilt: bool = False
    reason: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.rebuilt)


def stale_reason(config: Config, digest: str | None = None, root: Path | None = None) -> str | None:
    """Why the index needs work before searching, or None when it is up to date.

    `digest` is `file_scan.files_digest(config)` when the caller already has it (made while
    it imported this package); without it the files are stat-ed here. `root` is where the
    index is, `store.index_root(config)` unless given.
    """
    root = root if root is not None else store.index_root(config)
    current, problem = store.load_current(root)
    if current is None:
        return f"the search index is unreadable ({problem})" if problem else "no search index yet"
    if current.schema != SCHEMA_VERSION:
        return "the search index was built by another version of kbtool"
    if current.config != store.config_fingerprint(config):
        return "the configuration changed since the search index was built"
    recorded = store.read_manifest_digest(root / current.generation)
    if recorded is not None and recorded == (digest or files_digest(config)):
        return _includes_reason(config, root / current.generation)
    now = scan_files(config)
    manifest = store.read_manifest(root / current.generation)
    if manifest is None:
        return "the search index is incomplete"
    if len(now) != len(manifest):
        return "procedures were added or removed"
    for rel, (_path, mtime, size) in now.items():
        if manifest.get(rel) != (mtime, size):
            return "procedures changed"
    return _includes_reason(config, root / current.generation)


def _includes_reason(config: Config, generation: Path) -> str | None:
    if not config.dialect.includes:
        return None
    if store.changed_includes(config, store.read_includes(generation)):
        return "files the procedures include changed"
    return None


def build_index(
    config: Config,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    procedures: Iterable[Procedure] | None = None,
    wait: float = 60.0,
    on_wait: Callable[[str], None] | None = None,
) -> IndexStats:
    """Bring the index of `config`'s procedures up to date; return what changed.

    `procedures` lets a caller that already parsed the knowledge base (the linter) reuse them.
    A second writer waits up to `wait` seconds for the first (`on_wait` is told once), then
    raises `store.IndexBusyError`.
    """
    started = time.perf_counter()
    root = store.index_root(config)
    require_procedures_dir(config)  # before the lock: nothing is left behind in a wrong folder
    with store.writer_lock(root, wait=wait, on_wait=on_wait):
        files = scan_files(config)
        parsed = {p.rel_path: p for p in procedures} if procedures is not None else {}
        current = store.read_current(root)
        if current is not None:  # what killed builds left (a full build cleans up itself)
            store.remove_old_generations(root, store.in_use(current))
        manifest = None
        if current is not None and not rebuild:
            manifest = store.read_manifest(root / current.generation)
        reason = "rebuild requested" if rebuild else _full_build_reason(config, root, manifest)
        if reason is not None:
            total = _full_build(config, root, files, parsed, progress)
            return IndexStats(len(files), 0, 0, total, time.perf_counter() - started, True, reason)
        assert current is not None and manifest is not None  # else a full build was needed
        generation = root / current.generation
        return _incremental(config, generation, manifest, files, parsed, progress, started)


def _full_build_reason(config: Config, root: Path, manifest: store.Manifest | None) -> str | None:
    current, damage = store.load_current(root)
    if current is None:
        if damage is not None:
            return f"the search index was unreadable ({damage}); rebuilding it"
        return "no search index yet"
    if current.schema != SCHEMA_VERSION:
        return (
            f"the search index was built by another version of kbtool (schema {current.schema},"
            f" now {SCHEMA_VERSION}); rebuilding it"
        )
    if current.config != store.config_fingerprint(config):
        return "the configuration changed since the search index was built; rebuilding it"
    generation = root / current.generation
    problem = "its manifest is missing or damaged" if manifest is None else None
    problem = problem or check_readable(generation, check_manifest=False)
    if problem is not None:
        return f"the search index was unreadable ({problem}); rebuilding it"
    return None


def check_readable(generation: Path, *, check_manifest: bool = True) -> str | None:
    """None when the index at `generation` opens and reads, else what went wrong."""
    if check_manifest and store.read_manifest(generation) is None:
        return "its manifest is missing or damaged"
    try:
        ix = whoosh_index.open_dir(str(generation))
        with ix.searcher() as searcher:
            searcher.doc_count()
            searcher.reader().field_length("text")
            return check_generation(searcher, generation)
    except Exception as exc:  # noqa: BLE001 - a damaged cache can fail in any way; we rebuild
        return _describe(exc)


def check_generation(searcher: Any, generation: Path) -> str | None:
    """None when the Whoosh index open in `searcher` is the one the last commit left.

    Whoosh opens the newest table of contents it finds: with the newest one gone it opens an
    older one (an empty index, after a full build) without complaint, and every search would
    find nothing. Each commit records its table of contents and document count (`store.CHECK`);
    this compares them with what was opened, from memory, without reading any more files.
    A newer table of contents than recorded is a commit whose record was not written yet
    (killed in between): its manifest lags too, so the next update redoes that work.
    """
    recorded = store.read_check(generation)
    if recorded is None:
        return f"its {store.CHECK} is missing or damaged"
    toc, documents = recorded
    found = searcher.reader().generation()
    found = -1 if found is None else int(found)  # None: an index without any segment
    if found < toc:
        return f"its table of contents {toc} is missing"
    if found == toc and searcher.doc_count_all() != documents:
        return f"it holds {searcher.doc_count_all()} documents, not {documents}"
    return None


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


def _load(config: Config, rel: str, path: str, parsed: dict[str, Procedure]) -> Procedure:
    procedure = parsed.get(rel)
    if procedure is None:
        procedure = load_procedure(Path(path), rel, config)
    return procedure


def _full_build(
    config: Config,
    root: Path,
    files: Files,
    parsed: dict[str, Procedure],
    progress: Progress | None,
) -> int:
    from kbtool.search import bulk  # only full builds need it

    generation = store.new_generation(root)
    try:
        ix = whoosh_index.create_in(str(generation), make_schema())
        vocab = Vocabulary()
        keys: set[str] = set()
        manifest: store.Manifest = {}
        todo = sorted((rel, path) for rel, (path, _mtime, _size) in files.items())
        workers = bulk.worker_count() if len(todo) >= PARALLEL_THRESHOLD else 1

        dependents: dict[str, set[str]] = {}

        def indexed(prepared: Prepared) -> None:
            rel, doc, _freqs, _weights, words = prepared
            for included in doc["meta"].get(INCLUDES_KEY, ()):
                dependents.setdefault(included, set()).add(rel)
            vocab.add_words(words)
            keys.update(doc.get("exact", "").split())
            manifest[rel] = files[rel][1:]
            if progress is not None and (len(manifest) % 200 == 0 or len(manifest) == len(todo)):
                progress(len(manifest), len(todo))

        documents = bulk.prepared_documents(config, todo, workers, parsed)
        try:
            bulk.write_segment(ix, documents, indexed)
        finally:
            documents.close()  # stops the worker processes when interrupted
        store.write_check(generation, ix.latest_generation(), ix.doc_count_all())
        store.write_includes(generation, config, dependents)
        store.write_manifest(generation, manifest)
        store.write_vocab(generation, vocab.forms)
        store.write_lines(generation, store.SPELLING, vocab.terms)
        store.write_lines(generation, store.EXACT_KEYS, keys)
        previous = store.read_current(root)
        before = previous.generation if previous is not None else None
        store.write_current(root, generation.name, config, before)
    except BaseException:
        # Interrupted or failed: the previous generation stays current; drop the partial one.
        import shutil

        shutil.rmtree(generation, ignore_errors=True)
        raise
    keep = {generation.name} | ({previous.generation} if previous else set())
    store.remove_old_generations(root, keep)
    return len(manifest)


def _incremental(
    config: Config,
    generation: Path,
    manifest: store.Manifest,
    files: Files,
    parsed: dict[str, Procedure],
    progress: Progress | None,
    started: float,
) -> IndexStats:
    added = [rel for rel in files if rel not in manifest]
    removed = [rel for rel in manifest if rel not in files]
    updated = [
        rel
        for rel, (_p, mtime, size) in files.items()
        if rel in manifest and manifest[rel] != (mtime, size)
    ]
    includes = store.read_includes(generation) if config.dialect.includes else None
    dependents = {k: set(v) for k, v in includes.dependents.items()} if includes else {}
    stale_includes = store.changed_includes(config, includes)
    if stale_includes:  # an include changed: the procedures including it say something else
        users = {rel for included in stale_includes for rel in dependents.get(included, ())}
        updated += sorted(users.intersection(files).intersection(manifest) - set(updated))
    if not (added or removed or updated):
        return IndexStats(0, 0, 0, len(manifest), time.perf_counter() - started)
    ix = whoosh_index.open_dir(str(generation))
    writer = ix.writer(limitmb=WRITER_MEMORY_MB)
    vocab_added = Vocabulary()
    keys_added: set[str] = set()
    try:
        for rel in removed + updated:
            # delete_by_term removes every document with this path, not just the first.
            writer.delete_by_term("path", path_key(rel))
            manifest.pop(rel, None)
            for users in dependents.values():
                users.discard(rel)
        todo = added + updated
        for done, rel in enumerate(todo, 1):
            path, mtime, size = files[rel]
            doc = document(_load(config, rel, path, parsed), config)
            for included in doc["meta"].get(INCLUDES_KEY, ()):
                dependents.setdefault(included, set()).add(rel)
            writer.add_document(**doc)
            vocab_added.add_text(doc["text"])
            keys_added.update(doc.get("exact", "").split())
            manifest[rel] = (mtime, size)
            if progress is not None and (done % 200 == 0 or done == len(todo)):
                progress(done, len(todo))
        writer.commit()
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        raise
    store.write_check(generation, ix.latest_generation(), ix.doc_count_all())
    # After the commit: if we die here the manifest lags, and the next run redoes these files.
    # The word lists only grow (a word of a removed procedure is checked against the index
    # before use), and they are written before the manifest that says the update is done.
    for name, new_words in ((store.SPELLING, vocab_added.terms), (store.EXACT_KEYS, keys_added)):
        listed = set(store.read_lines(generation, name) or ())
        if not new_words <= listed:
            store.write_lines(generation, name, listed | new_words)
    if vocab_added.forms:
        merged = store.read_vocab(generation)
        changed = False
        for term, forms in vocab_added.forms.items():
            known = merged.setdefault(term, [])
            for form in forms:
                if form not in known and len(known) < Vocabulary.MAX_FORMS:
                    known.append(form)
                    changed = True
        if changed:
            store.write_vocab(generation, merged)
    if config.dialect.includes:
        store.write_includes(generation, config, {k: v for k, v in dependents.items() if v})
    store.write_manifest(generation, manifest)
    return IndexStats(
        len(added), len(updated), len(removed), len(manifest), time.perf_counter() - started
    )
