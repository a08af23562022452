"""The bulk writer writes the same index as Whoosh's own writer, in or out of workers."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from kbtool.search import bulk
from kbtool.search.indexer import scan_files
from kbtool.search.schema import document, make_schema


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
                postings.append((matcher.id(), round(matcher.weight(), 5), value))
                matcher.next()
            terms[(fieldname, term)] = postings
        count = reader.doc_count_all()
        return {
            "terms": terms,
            "stored": [reader.stored_fields(n) for n in range(count)],
            "lengths": [reader.doc_field_length(n, "text") for n in range(count)],
            "total": reader.field_length("text"),
        }


@pytest.mark.parametrize("workers", [1, 2])
def test_same_index_as_whooshs_writer(config, tmp_path: Path, monkeypatch, workers: int) -> None:  # noqa: ANN001
    from kbtool.procedure import load_procedure

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
