"""The bulk writer writes the same index as Whoosh's own writer, in or out of workers."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from kbtool.search import bulk
from kbtool.search.indexer import scan_files
from kbtool.search.schema import document, make_schema
from tests.conftest import write_procedure


def contents(ix) -> dict:  # noqa: ANN001
    """Everything a search reads: terms, postings (doc, weight, value), lengths, stored."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        terms = {}
        for fieldname, term in reader.all_terms():
            matcher = reader.postings(fieldname, term)
            postings = []
            while matcher.is_active():
                value = matcher.value() if fieldname == "text" else None  # the frequency
                # The block's statistics too: Whoosh's own matchers skip blocks by them.
                block = (
                    round(matcher.block_max_weight(), 5),
                    matcher.block_min_length(),
                    matcher.block_max_length(),
                    matcher.block_max_id(),
                )
                postings.append((matcher.id(), round(matcher.weight(), 5), value, block))
                matcher.next()
            info = reader.term_info(fieldname, term)
            stats = (info.doc_frequency(), round(info.weight(), 3), round(info.max_weight(), 5))
            terms[(fieldname, term)] = (stats, info.min_length(), info.max_length(), postings)
        count = reader.doc_count_all()
        return {
            "terms": terms,
            "stored": [reader.stored_fields(n) for n in range(count)],
            "lengths": [reader.doc_field_length(n, "text") for n in range(count)],
            "total": reader.field_length("text"),
        }


def write_many(root: Path, count: int) -> None:
    """`count` procedures sharing words, so posting lists span several blocks of 128."""
    for number in range(count):
        length = "long " * (number % 17)  # lengths that differ, for the block statistics
        write_procedure(
            root,
            f"bulk/p{number:04d}.md",
            f"# Printer queue {number}\n\nThe printer queue stalls {length}on floor"
            f" {number % 7}; restart the spooler.{' Spooler again.' * (number % 3)}\n",
        )


@pytest.mark.parametrize(("workers", "extra"), [(1, 0), (2, 0), (1, 300)])
def test_same_index_as_whooshs_writer(  # noqa: ANN001
    config, search_kb: Path, tmp_path: Path, monkeypatch, workers: int, extra: int
) -> None:
    from kbtool.model.procedure import load_procedure

    write_many(search_kb, extra)

    files = sorted(scan_files(config).items())
    (tmp_path / "reference").mkdir()
    writer = whoosh_index.create_in(str(tmp_path / "reference"), make_schema()).writer()
    for rel, (path, _m, _s) in files:
        writer.add_document(**document(load_procedure(Path(path), rel, config)))
    writer.commit()

    monkeypatch.setattr(bulk, "MIN_PARALLEL", 0)
    (tmp_path / "bulk").mkdir()
    ix = whoosh_index.create_in(str(tmp_path / "bulk"), make_schema())
    seen: list[str] = []
    todo = [(rel, path) for rel, (path, _m, _s) in files]
    documents = bulk.prepared_documents(config, todo, workers, {})
    count = bulk.write_segment(ix, documents, lambda prepared: seen.append(prepared[0]))
    assert count == len(files) and seen == [rel for rel, _ in todo]
    assert list((tmp_path / "bulk").glob("*.seg"))  # one compound segment file
    expected = contents(whoosh_index.open_dir(str(tmp_path / "reference")))
    assert contents(whoosh_index.open_dir(str(tmp_path / "bulk"))) == expected
    assert len(expected["terms"]) > 100
    if extra:  # posting lists of several blocks were compared
        assert max(len(entry[-1]) for entry in expected["terms"].values()) > 2 * 128
