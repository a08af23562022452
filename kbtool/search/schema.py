"""The index schema, and how a parsed procedure becomes an index document.

Fields chosen for a caller on the line:

* `text` — one BM25F field over everything that describes the problem. Title, summary,
  symptoms and tags count more than the body through per-occurrence weights, so a term's
  weighted frequency sums over where it occurs and the length is normalised once (true BM25F,
  rather than Whoosh's per-field scores added up, which over-rewards a word that is in both
  the title and the body). Frequencies only, no positions: phrases are not needed here, and
  positions doubled the size and the build time.
* `exact` — the id and the error codes, normalised (`KB-0042` → `kb0042`), matched exactly.
* `service`, `tags`, `audience`, `status`, `owner` — filters (lower case).
* `meta` — what a result shows and what review state needs, stored once.
* `snippet` — the body's plain lines for snippets (`snippet.snippet_text`), compressed: a
  search reads no procedure file, and a snippet shows the version that was ranked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from whoosh import fields, formats
from whoosh.analysis import Analyzer, Token
from whoosh.system import pack_uint

from kbtool.model.config import Config
from kbtool.model.procedure import Procedure
from kbtool.search import tuning
from kbtool.search.analysis import WORD, count_terms, exact_keys, terms_of
from kbtool.search.snippet import pack, snippet_text

#: Bump when the schema or the analysis changes: older indexes are rebuilt automatically.
SCHEMA_VERSION = 12

#: How much an occurrence counts, by where it is: `tuning.Tuning.title_weight` and the others.
#: Moderate on purpose: a 10x title weight hurt every engine on real caller phrasings (the
#: benchmark in benchmarks/search_bench.py).

#: Sections that describe the problem as the caller experiences it.
SYMPTOM_SECTIONS = ("symptoms", "symptom", "problem", "issue", "meaning", "summary", "overview")

#: The BM25F field, the one `ranking` scores.
TEXT_FIELD = "text"

_MARK = "\x1e"  # separates weighted parts inside the prepared `text` value
_MARKDOWN_NOISE = re.compile(r"\]\([^)]*\)|<[^>]{1,200}>|https?://\S+")


class KbAnalyzer(Analyzer):  # type: ignore[misc]
    """Whoosh's view of `terms_of`, for any Whoosh API that analyses text of the field."""

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Token]:
        token = Token(**kwargs)
        pos = kwargs.get("start_pos", 0)
        for word in WORD.findall(value):
            for term in terms_of(word):
                token.text = term
                token.boost = 1.0
                token.stopped = False
                token.pos = pos
                pos += 1
                yield token


class WeightedText(fields.TEXT):  # type: ignore[misc]
    """A TEXT field whose value is prepared text: parts prefixed with their weight.

    Indexing counts words per part (see `analysis.count_terms`) instead of running a token
    chain, and records each term's frequency (for the length) and its weighted frequency (the
    BM25 term frequency).
    """

    def __init__(self) -> None:
        super().__init__(analyzer=KbAnalyzer(), phrase=False, stored=False)
        self.format = formats.Frequency()

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        freqs, weights = count_terms(split_weighted(value))
        for term, freq in freqs.items():
            yield term.encode("utf-8"), freq, weights[term], pack_uint(freq)


def make_schema() -> fields.Schema:
    keyword = dict(lowercase=True, commas=True, scorable=False, stored=False)
    return fields.Schema(
        path=fields.ID(unique=True, stored=True),
        id=fields.ID(stored=True),
        exact=fields.KEYWORD(lowercase=True, scorable=False, stored=False),
        text=WeightedText(),
        service=fields.KEYWORD(**keyword),
        tags=fields.KEYWORD(**keyword),
        audience=fields.KEYWORD(**keyword),
        status=fields.KEYWORD(**keyword),
        owner=fields.KEYWORD(**keyword),
        meta=fields.STORED(),
        snippet=fields.STORED(),
    )


#: Starts the key of a path that is not valid UTF-8: no file name holds a NUL.
_BYTES_KEY = "\x00"


def path_key(rel: str) -> str:
    """The `path` term of a procedure: its path, or for a file name that is not valid UTF-8
    (surrogate escapes, which Whoosh cannot encode) a NUL and the name's bytes in hex."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return _BYTES_KEY + rel.encode("utf-8", "surrogateescape").hex()
    return rel


def path_of_key(key: str) -> str:
    """The path a `path_key` stands for."""
    if key.startswith(_BYTES_KEY):
        return bytes.fromhex(key[1:]).decode("utf-8", "surrogateescape")
    return key


def prepare_weighted(parts: list[tuple[str, float]]) -> str:
    """Join weighted parts into the value of a `WeightedText` field."""
    return "".join(f"{_MARK}{weight}{_MARK}{text.replace(_MARK, ' ')}" for text, weight in parts)


def split_weighted(value: str) -> Iterator[tuple[str, float]]:
    pieces = value.split(_MARK)
    for i in range(1, len(pieces) - 1, 2):
        yield pieces[i + 1], float(pieces[i])


#: The key of an index document's `meta` listing the files the procedure includes.
INCLUDES_KEY = "includes"


def split_symptoms(procedure: Procedure) -> tuple[str, str]:
    """The section that describes the problem (Symptoms, Problem ...), and the rest of the body."""
    body = procedure.body or ""
    scan = procedure.scan
    if scan is None or not scan.sections:
        return "", body
    for section in scan.sections:
        if section.title.strip().lower() in SYMPTOM_SECTIONS:
            lines = body.split("\n")
            start = section.line - procedure.body_start_line
            end = section.end_line - procedure.body_start_line + 1
            symptoms = "\n".join(lines[start:end])
            rest = "\n".join(lines[:start] + lines[end:])
            return symptoms, rest
    return "", body


def document(procedure: Procedure, config: Config | None = None) -> dict[str, Any]:
    """The index document of a procedure (fields of `make_schema`). With `config`, the body
    is read in the Markdown dialects it turns on (includes inlined, no directive syntax)."""
    title = procedure.title
    scan = procedure.scan
    titles = [title]
    if scan is not None and scan.first_h1 and scan.first_h1 != title:
        titles.append(scan.first_h1)
    summary = procedure.summary or ""
    tags = procedure.tags
    symptoms, body = split_symptoms(procedure)
    from kbtool.model.markdown_scan import without_comments  # indexing only, not search

    symptoms, body = without_comments(symptoms), without_comments(body)
    included: set[str] = set()
    # What a snippet may show: the whole body, as the site shows it.
    shown = without_comments(procedure.body or "")
    if config is not None and config.dialect.any:
        from kbtool.model.dialect import readable_expansion

        expanded = [
            readable_expansion(part, procedure.rel_path, config) for part in (symptoms, body, shown)
        ]
        (symptoms, _), (body, _), (shown, _) = expanded
        for _text, files in expanded:
            included.update(files)
    weights = tuning.active()
    text = prepare_weighted(
        [
            ("\n".join(titles), weights.title_weight),
            (summary, weights.summary_weight),
            (_MARKDOWN_NOISE.sub(" ", symptoms), weights.symptoms_weight),
            (" ".join(tags), weights.tags_weight),
            (_MARKDOWN_NOISE.sub(" ", body), weights.body_weight),
        ]
    )
    keys: set[str] = set()
    for code in [procedure.id or "", *procedure.error_codes]:
        keys |= exact_keys(code)
    reviewed = procedure.reviewed
    meta = {
        "title": title,
        "summary": summary,
        "service": procedure.service,
        "tags": tags,
        "audience": procedure.audience,
        "status": procedure.status,
        "owner": procedure.owner,
        "backup": procedure.backup,
        "reviewed": reviewed.isoformat() if isinstance(reviewed, dt.date) else None,
        "review_every": procedure.review_every,
        "escalate_to": procedure.escalate_to,
        "error_codes": procedure.error_codes,
        "superseded_by": procedure.superseded_by,
    }
    if included:  # the files it includes: when one changes, the index re-reads this one
        meta[INCLUDES_KEY] = sorted(included)
    doc: dict[str, Any] = {
        "path": path_key(procedure.rel_path),
        "text": text,
        "meta": meta,
        "snippet": pack(snippet_text(shown)),
        "status": procedure.status,
    }
    if procedure.id:
        doc["id"] = procedure.id
    if keys:
        doc["exact"] = " ".join(sorted(keys))
    for name, value in (
        ("service", procedure.service),
        ("audience", procedure.audience),
        ("owner", procedure.owner),
    ):
        if value:
            doc[name] = value.replace(",", " ")
    if tags:
        doc["tags"] = ",".join(tag.replace(",", " ") for tag in tags)
    return doc
