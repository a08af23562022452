"""A full build written as one Whoosh segment through Whoosh's codec, without its writer's pool.

Whoosh's `SegmentWriter` puts every posting through a general pool: a tuple per posting, a
sort of all of them, temporary run files, then a per-posting loop that looks each document's
length up again. At 25,000 procedures that was most of a two-and-a-half-minute build. Here
the postings are grouped by term as documents arrive (two compact arrays per term), and handed
to the same codec writers (`W3PerDocWriter`, `W3FieldWriter`) term by term, in order. The
files, the table of contents and the segment are exactly what Whoosh writes and reads; an
incremental update later opens the index with Whoosh's own writer as usual.

Parsing and analysing the procedures, the other half of the work, runs in worker processes
when there are many (`procs`): each returns the prepared document and its counted terms.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import Any

from whoosh.codec.whoosh3 import W3Codec
from whoosh.index import TOC, FileIndex
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte

from kbtool.model.config import Config
from kbtool.search.analysis import count_terms_and_words
from kbtool.search.schema import TEXT_FIELD, document, split_weighted

#: One prepared document: (rel_path, its index fields, text term frequencies, weighted
#: frequencies, distinct words as written).
Prepared = tuple[str, dict[str, Any], dict[str, int], dict[str, float], list[str]]

_WORKER_CONFIG: Config | None = None
#: Fewer documents than this are prepared in this process (starting workers costs more).
MIN_PARALLEL = 500


def prepare(config: Config, rel: str, path: str, procedure: Any = None) -> Prepared:
    """Parse (unless given) and analyse one procedure."""
    if procedure is None:
        from kbtool.model.procedure import load_procedure

        procedure = load_procedure(Path(path), rel, config)
    doc = document(procedure, config)
    text = doc.pop(TEXT_FIELD)
    freqs, weights, words = count_terms_and_words(split_weighted(text))
    return rel, doc, freqs, weights, words


def _prepare_in_worker(item: tuple[str, str]) -> Prepared:
    assert _WORKER_CONFIG is not None
    return prepare(_WORKER_CONFIG, item[0], item[1])


def prepared_documents(
    config: Config, todo: list[tuple[str, str]], procs: int, parsed: dict[str, Any]
) -> Generator[Prepared, None, None]:
    """The prepared documents of `todo` ((rel, path) pairs), in order."""
    if procs <= 1 or parsed or len(todo) < MIN_PARALLEL:
        for rel, path in todo:
            yield prepare(config, rel, path, parsed.get(rel))
        return
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():  # Windows: no fork
        for rel, path in todo:
            yield prepare(config, rel, path)
        return
    global _WORKER_CONFIG
    _WORKER_CONFIG = config  # inherited by the forked workers
    context = multiprocessing.get_context("fork")
    with context.Pool(procs) as pool:
        yield from pool.imap(_prepare_in_worker, todo, chunksize=64)


def write_segment(
    ix: FileIndex,
    documents: Iterable[Prepared],
    on_document: Callable[[Prepared], None] | None = None,
) -> int:
    """Write `documents` into the new, empty index `ix` as one segment; return the count."""
    schema = ix.schema
    storage = ix.storage
    codec = W3Codec()
    segment = codec.new_segment(storage, ix.indexname)
    perdoc = codec.per_document_writer(storage, segment)
    text_field = schema[TEXT_FIELD]
    # (field, term) -> (docnums, weights, frequencies): the postings, grouped as they come.
    postings: dict[str, dict[str, tuple[array[int], array[float], array[int]]]] = {}
    lengths: dict[str, array[int]] = {}
    docnum = 0
    for prepared in documents:
        _rel, doc, freqs, weights, _words = prepared
        perdoc.start_doc(docnum)
        fields = dict(doc)
        fields[TEXT_FIELD] = None
        for fieldname in sorted(fields):
            field = schema[fieldname]
            if fieldname == TEXT_FIELD:
                items: Iterable[tuple[Any, int, float, Any]] = (
                    (term, freq, weights[term], None) for term, freq in freqs.items()
                )
            elif field.indexed and fields[fieldname] is not None:
                items = field.index(fields[fieldname])
            else:
                items = ()
            table = postings.setdefault(fieldname, {})
            length = 0
            for term, freq, weight, _value in items:
                entry = table.get(term)
                if entry is None:
                    entry = table[term] = (array("i"), array("f"), array("i"))
                entry[0].append(docnum)
                entry[1].append(weight)
                entry[2].append(freq)
                length += freq
            scorable = field.scorable
            if scorable:
                column = lengths.setdefault(fieldname, array("i"))
                column.extend([0] * (docnum + 1 - len(column)))
                column[docnum] = length
            stored = fields[fieldname] if field.stored else None
            perdoc.add_field(fieldname, field, stored, length if scorable else 0)
        perdoc.finish_doc()
        if on_document is not None:
            on_document(prepared)
        docnum += 1
    perdoc.close()
    segment.set_doc_count(docnum)

    writer = codec.field_writer(storage, segment)
    for fieldname in sorted(postings):
        table = postings[fieldname]
        if not table:
            continue
        field = schema[fieldname]
        # The length Whoosh stores is rounded to one byte; blocks record the stored one.
        column = lengths.get(fieldname, array("i"))
        column.extend([0] * (docnum - len(column)))
        stored_length = [byte_to_length(length_to_byte(n)) for n in column]
        keyed = sorted(
            (term if isinstance(term, bytes) else term.encode("utf-8"), term) for term in table
        )
        writer.start_field(fieldname, field)
        frequency_values = field is text_field
        for term_bytes, term in keyed:
            docnums, term_weights, frequencies = table[term]
            writer.start_term(term_bytes)
            for position, number in enumerate(docnums):
                value = pack_uint(frequencies[position]) if frequency_values else b""
                length = stored_length[number] if stored_length else 0
                writer.add(number, term_weights[position], value, length)
            writer.finish_term()
        writer.finish_field()
    writer.close()
    # One compound file per segment, as Whoosh's own writer leaves it.
    segment.create_compound_file(storage)
    segment.compound = True
    generation = ix.latest_generation() + 1
    TOC(schema, [segment], generation).write(storage, ix.indexname)
    return docnum


def worker_count() -> int:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2, cpus or 1)
