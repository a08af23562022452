"""The engines the search benchmark compares: kbtool and three benchmark-only peers.

Every engine indexes a folder of Markdown articles and answers plain-text queries with the
paths (relative to that folder, forward slashes) of its ten best documents. The peers get
the same two fields, title and body, read "the simple way" (`load_documents`), and a
standard, untuned configuration:

- `fts5`: SQLite FTS5, `porter unicode61` tokenizer, columns title + body, ranked by the
  built-in `bm25()` with equal column weights; the query terms are OR-ed.
- `whoosh`: plain Whoosh, `StemmingAnalyzer` TEXT fields title + body, default BM25F
  scoring, `MultifieldParser(..., group=OrGroup)`.
- `tantivy`: tantivy-py with its default English stemming tokenizer (`en_stem`) on title +
  body, default BM25, the query parsed with `parse_query_lenient` (its default is OR).
- `lunr`: lunr.js 2.3 (the engine of Material for MkDocs' built-in search), run by node
  (`lunr_peer.js`, installed into `benchmarks/node_modules` by `npm install --prefix
  benchmarks`): its default pipeline (trimmer, stop words, Porter stemmer), fields title +
  body, `index.search(query)` (terms are optional, i.e. OR).
- `kbtool`: `kbtool.search.build_index` / `open_searcher`, reading the files itself.

Every peer also runs with the title weighted ten times the body (`fts5x10`, `whooshx10`,
`tantivyx10`, `lunrx10`): FTS5's `bm25()` column weights, Whoosh's `field_boost`, tantivy's
query-time `field_boosts` and lunr's field `boost`. That is how a site usually configures them
(Material boosts titles too), so kbtool is measured against the better of both settings.

All engines are handed the same plain query (`plain_query`): the query's alphanumeric words
joined by spaces (every other character becomes a space; the operator words AND, OR, NOT...
are lower-cased), so no engine sees operators, quotes, field prefixes, wildcards or
punctuation. Case is kept (every engine folds it; kbtool may split camelCase words).
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from abc import ABC, abstractmethod
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import yaml

_WORD = re.compile(r"[^\W_]+")
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Document:
    """One article as the peers see it."""

    path: str  # relative to the articles folder, '/'
    title: str
    body: str


#: Words the engines' query parsers read as operators when written in capitals.
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "NEAR", "TO", "IN"})


def plain_terms(query: str) -> list[str]:
    """The query's alphanumeric words in order, operator words lower-cased."""
    return [w.lower() if w in _OPERATORS else w for w in _WORD.findall(query)]


def plain_query(query: str) -> str:
    """The query as plain text every engine reads the same way (no syntax survives)."""
    return " ".join(plain_terms(query))


def parse_article(text: str, path: str) -> Document:
    """Title (front matter `title`, else the first H1, else the file name) and body text."""
    meta: Any = {}
    body = text
    if text.startswith("---"):
        lines = text.split("\n")
        for index in range(1, len(lines)):
            if lines[index].rstrip() == "---":
                try:
                    meta = yaml.load("\n".join(lines[1:index]), Loader=_YAML_LOADER)
                except yaml.YAMLError:
                    meta = {}
                body = "\n".join(lines[index + 1 :])
                break
    title = meta.get("title") if isinstance(meta, dict) else None
    if not isinstance(title, str) or not title.strip():
        match = _H1.search(body)
        title = match.group(1) if match else Path(path).stem
    return Document(path=path, title=title.strip(), body=body)


def markdown_files(articles_dir: Path) -> list[Path]:
    """Every `*.md` file under the folder, in a stable order."""
    return sorted(articles_dir.rglob("*.md"))


def load_documents(articles_dir: Path) -> list[Document]:
    """Read and parse every article under the folder."""
    return [
        parse_article(
            path.read_text(encoding="utf-8", errors="replace"),
            path.relative_to(articles_dir).as_posix(),
        )
        for path in markdown_files(articles_dir)
    ]


class SearchEngine(ABC):
    """Build once into `workdir`, open, search many times, close."""

    name: ClassVar[str]

    @abstractmethod
    def build(self, articles_dir: Path, workdir: Path) -> None:
        """Index every article under `articles_dir` (reading the files is part of the build)."""

    @abstractmethod
    def open(self) -> None:
        """Open a searcher that stays open for every query that follows."""

    @abstractmethod
    def search(self, query: str, limit: int = 10) -> list[str]:
        """Paths of the best `limit` documents for a plain query, best first."""

    @abstractmethod
    def close(self) -> None:
        """Release the searcher."""


class Fts5Engine(SearchEngine):
    name = "fts5"
    #: Weight of a title match against a body match (1: FTS5's default, equal weights).
    title_weight: ClassVar[float] = 1.0

    def __init__(self) -> None:
        self._db_path: Path | None = None
        self._conn: sqlite3.Connection | None = None

    def build(self, articles_dir: Path, workdir: Path) -> None:
        documents = load_documents(articles_dir)
        workdir.mkdir(parents=True, exist_ok=True)
        self._db_path = workdir / "fts5.sqlite"
        self._db_path.unlink(missing_ok=True)
        conn = sqlite3.connect(self._db_path)
        try:
            conn.execute(
                "CREATE VIRTUAL TABLE docs USING fts5("
                "path UNINDEXED, title, body, tokenize='porter unicode61')"
            )
            with conn:
                conn.executemany(
                    "INSERT INTO docs (path, title, body) VALUES (?, ?, ?)",
                    [(d.path, d.title, d.body) for d in documents],
                )
        finally:
            conn.close()

    def open(self) -> None:
        assert self._db_path is not None, "build() first"
        self._conn = sqlite3.connect(self._db_path)

    def search(self, query: str, limit: int = 10) -> list[str]:
        assert self._conn is not None, "open() first"
        terms = plain_terms(query)
        if not terms:
            return []
        match = " OR ".join(f'"{term}"' for term in dict.fromkeys(terms))
        # bm25()'s weights are per column, the unindexed path included.
        rows = self._conn.execute(
            "SELECT path FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0.0, ?, 1.0) LIMIT ?",
            (match, self.title_weight, limit),
        )
        return [row[0] for row in rows]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class WhooshEngine(SearchEngine):
    name = "whoosh"
    title_weight: ClassVar[float] = 1.0

    def __init__(self) -> None:
        self._index: Any = None
        self._searcher: Any = None
        self._parser: Any = None

    def build(self, articles_dir: Path, workdir: Path) -> None:
        from whoosh import index
        from whoosh.analysis import StemmingAnalyzer
        from whoosh.fields import ID, TEXT, Schema

        documents = load_documents(articles_dir)
        schema = Schema(
            path=ID(stored=True),
            title=TEXT(analyzer=StemmingAnalyzer(), field_boost=self.title_weight),
            body=TEXT(analyzer=StemmingAnalyzer()),
        )
        folder = workdir / "whoosh"
        folder.mkdir(parents=True, exist_ok=True)
        self._index = index.create_in(str(folder), schema)
        writer = self._index.writer()
        for document in documents:
            writer.add_document(path=document.path, title=document.title, body=document.body)
        writer.commit()

    def open(self) -> None:
        from whoosh.qparser import MultifieldParser, OrGroup

        assert self._index is not None, "build() first"
        self._searcher = self._index.searcher()
        self._parser = MultifieldParser(["title", "body"], self._index.schema, group=OrGroup)

    def search(self, query: str, limit: int = 10) -> list[str]:
        assert self._searcher is not None, "open() first"
        text = plain_query(query)
        if not text:
            return []
        hits = self._searcher.search(self._parser.parse(text), limit=limit)
        return [hit["path"] for hit in hits]

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None


class TantivyEngine(SearchEngine):
    name = "tantivy"
    title_weight: ClassVar[float] = 1.0

    def __init__(self) -> None:
        self._index: Any = None
        self._searcher: Any = None

    def build(self, articles_dir: Path, workdir: Path) -> None:
        import tantivy

        documents = load_documents(articles_dir)
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("path", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", tokenizer_name="en_stem")
        builder.add_text_field("body", tokenizer_name="en_stem")
        folder = workdir / "tantivy"
        folder.mkdir(parents=True, exist_ok=True)
        self._index = tantivy.Index(builder.build(), path=str(folder))
        writer = self._index.writer()
        for document in documents:
            writer.add_document(
                tantivy.Document(path=document.path, title=document.title, body=document.body)
            )
        writer.commit()
        writer.wait_merging_threads()

    def open(self) -> None:
        assert self._index is not None, "build() first"
        self._index.reload()
        self._searcher = self._index.searcher()

    def search(self, query: str, limit: int = 10) -> list[str]:
        assert self._searcher is not None, "open() first"
        text = plain_query(query)
        if not text:
            return []
        boosts = {"title": self.title_weight} if self.title_weight != 1.0 else None
        parsed, _errors = self._index.parse_query_lenient(
            text, ["title", "body"], field_boosts=boosts
        )
        hits = self._searcher.search(parsed, limit).hits
        return [self._searcher.doc(address)["path"][0] for _score, address in hits]

    def close(self) -> None:
        self._searcher = None


class LunrEngine(SearchEngine):
    """lunr.js in a node process that stays up: one query a line in, ten paths a line out."""

    name = "lunr"
    title_weight: ClassVar[float] = 1.0
    SCRIPT = Path(__file__).resolve().parent / "lunr_peer.js"

    def __init__(self) -> None:
        self._docs_file: Path | None = None
        self._process: subprocess.Popen[str] | None = None

    @staticmethod
    def available() -> str | None:
        """Why lunr cannot run here, or None."""
        if shutil.which("node") is None:
            return "node is not installed"
        if not (LunrEngine.SCRIPT.parent / "node_modules" / "lunr").is_dir():
            return "lunr is not installed: npm install --prefix benchmarks"
        return None

    def build(self, articles_dir: Path, workdir: Path) -> None:
        problem = self.available()
        if problem is not None:
            raise RuntimeError(problem)
        documents = load_documents(articles_dir)
        workdir.mkdir(parents=True, exist_ok=True)
        self._docs_file = workdir / "lunr-docs.json"
        self._docs_file.write_text(
            json.dumps([{"path": d.path, "title": d.title, "body": d.body} for d in documents]),
            encoding="utf-8",
        )
        # lunr builds in memory: the build is timed by starting node and waiting for it.
        self._start()

    def _start(self) -> None:
        assert self._docs_file is not None
        self._process = subprocess.Popen(
            ["node", str(self.SCRIPT), str(self._docs_file), str(self.title_weight)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        assert self._process.stdout is not None
        ready = json.loads(self._process.stdout.readline() or "{}")
        if not ready.get("ready"):
            raise RuntimeError("lunr_peer.js did not start")

    def open(self) -> None:
        if self._process is None:
            self._start()

    def search(self, query: str, limit: int = 10) -> list[str]:
        assert self._process is not None, "open() first"
        assert self._process.stdin is not None and self._process.stdout is not None
        text = plain_query(query)
        if not text:
            return []
        self._process.stdin.write(text + "\n")
        self._process.stdin.flush()
        found: list[str] = json.loads(self._process.stdout.readline())
        return found[:limit]

    def close(self) -> None:
        if self._process is not None:
            if self._process.stdin is not None:
                self._process.stdin.close()
            self._process.wait(timeout=30)
            self._process = None


class KbtoolEngine(SearchEngine):
    """kbtool's own engine through its library API; the index lives in `workdir/.kbtool`."""

    name = "kbtool"

    def __init__(self) -> None:
        self.config: Any = None
        self._stack: ExitStack | None = None
        self._searcher: Any = None

    def build(self, articles_dir: Path, workdir: Path) -> None:
        from kbtool.model.config import load_config

        workdir.mkdir(parents=True, exist_ok=True)
        self.config = load_config(procedures=articles_dir, cwd=workdir)
        _kbtool_search().build_index(self.config, rebuild=True)

    def update(self) -> Any:
        """An incremental `build_index` (what `kbtool index` does after an edit)."""
        return _kbtool_search().build_index(self.config)

    def open(self) -> None:
        assert self.config is not None, "build() first"
        self._stack = ExitStack()
        self._searcher = self._stack.enter_context(
            _kbtool_search().open_searcher(self.config, refresh=False)
        )

    def search(self, query: str, limit: int = 10) -> list[str]:
        assert self._searcher is not None, "open() first"
        text = self.query_text(query)
        if not text.strip():
            return []
        return [hit.path for hit in self._searcher.search(text, limit=limit).results]

    @staticmethod
    def query_text(query: str) -> str:
        """What kbtool is given: the words only, as every peer is."""
        return plain_query(query)

    def close(self) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = None
            self._searcher = None


class KbtoolAsTypedEngine(KbtoolEngine):
    """kbtool given each query exactly as written, punctuation and all, as `kbtool search`
    and the API receive it. The peers (and the `kbtool` row) are given `plain_query`, the
    words only, because the peers' query parsers read punctuation as syntax; kbtool reads
    `on-premises`, `can't`, `New-MoveRequest` and `5.7.23` as written, which ranks a little
    differently. Not a peer: a second view of kbtool."""

    name = "kbtool-typed"

    @staticmethod
    def query_text(query: str) -> str:
        return query


def _kbtool_search() -> Any:
    """kbtool's search package, imported when first used (the peers do not need it)."""
    import kbtool.search

    return kbtool.search


def _title_weighted(engine: type[SearchEngine], weight: float) -> type[SearchEngine]:
    """The peer with its title weighted `weight` times the body, named e.g. `whooshx10`."""
    name = f"{engine.name}x{weight:g}"
    return type(engine.__name__ + f"X{weight:g}", (engine,), {"name": name, "title_weight": weight})


PEERS: tuple[type[SearchEngine], ...] = (Fts5Engine, WhooshEngine, TantivyEngine, LunrEngine)
TITLE_WEIGHTS = (1.0, 10.0)

ENGINES: dict[str, type[SearchEngine]] = {
    KbtoolEngine.name: KbtoolEngine,
    KbtoolAsTypedEngine.name: KbtoolAsTypedEngine,
}
for _peer in PEERS:
    for _weight in TITLE_WEIGHTS:
        _engine = _peer if _weight == 1.0 else _title_weighted(_peer, _weight)
        ENGINES[_engine.name] = _engine
