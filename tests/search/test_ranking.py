"""The fast BM25F ranker gives Whoosh's own BM25F scores, and the speller finds near words."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import query as wq
from whoosh import scoring

from kbtool.search import build_index, open_searcher
from kbtool.search.ranking import TextRanker
from kbtool.search.spelling import Speller, edit_distance
from kbtool.search.tuning import Tuning
from tests.conftest import write_procedure
from tests.search.conftest import PROCEDURES, search_procedure

BM25_B, BM25_K1 = Tuning().bm25_b, Tuning().bm25_k1

QUERIES = [
    {"outlook": 1.0},
    {"printer": 1.0, "queue": 1.0, "offlin": 0.5},
    {"caller": 1.0, "password": 1.0},
    {"pod": 1.0, "restart": 0.8, "contain": 1.0, "log": 1.0},
    {"nosuchterm": 1.0, "approv": 1.0},
]


def whoosh_top(searcher, terms: dict[str, float], k: int) -> list[tuple[float, int]]:  # noqa: ANN001
    subqueries = [wq.Term("text", t, boost=w) for t, w in terms.items()]
    results = searcher.search(wq.Or(subqueries), limit=k)
    return [(round(hit.score, 6), hit.docnum) for hit in results]


def mine(ranker: TextRanker, terms: dict[str, float], k: int, **kw) -> list[tuple[float, int]]:  # noqa: ANN003
    return [(round(score, 6), docnum) for score, docnum in ranker.top(terms, k, **kw).hits]


@pytest.fixture
def opened(config):  # noqa: ANN001, ANN201
    build_index(config)
    with open_searcher(config, refresh=False) as searcher:
        yield searcher._searcher


@pytest.mark.parametrize("vectorised", [False, True])
@pytest.mark.parametrize("terms", QUERIES)
@pytest.mark.parametrize("k", [1, 3, 10])
def test_same_top_k_and_scores_as_whoosh_bm25f(
    opened,  # noqa: ANN001
    terms: dict[str, float],
    k: int,
    vectorised: bool,
) -> None:
    ranker = TextRanker(opened, b=BM25_B, k1=BM25_K1, vectorised=vectorised)
    assert isinstance(opened.weighting, scoring.BM25F)
    assert (opened.weighting.B, opened.weighting.K1) == (BM25_B, BM25_K1)
    assert mine(ranker, terms, k) == whoosh_top(opened, terms, k)
    for score, docnum in ranker.top(terms, k).hits:
        assert ranker.score(terms, docnum) == pytest.approx(score)


@pytest.mark.parametrize("vectorised", [False, True])
def test_excluded_and_allowed(opened, vectorised: bool) -> None:  # noqa: ANN001
    ranker = TextRanker(opened, b=BM25_B, k1=BM25_K1, vectorised=vectorised)
    terms = {"printer": 1.0, "queue": 1.0}
    everything = [d for _s, d in ranker.top(terms, 10).hits]
    assert len(everything) == 2
    assert [d for _s, d in ranker.top(terms, 10, excluded={everything[0]}).hits] == everything[1:]
    assert [d for _s, d in ranker.top(terms, 10, allowed={everything[1]}).hits] == everything[1:]
    assert ranker.top(terms, 10, allowed=set()).hits == []


@pytest.mark.parametrize("vectorised", [False, True])
def test_deleted_documents_of_an_updated_index_are_not_ranked(
    search_kb: Path,
    config,  # noqa: ANN001
    vectorised: bool,
) -> None:
    build_index(config)
    # Two incremental updates: the index now has several segments, one with a deletion.
    values = dict(PROCEDURES["printing/printer-offline.md"], id="KB-0100", title="Printer jams")
    write_procedure(search_kb, "printing/jam.md", search_procedure(values))
    build_index(config)
    (search_kb / "procedures/printing/printer-offline.md").unlink()
    build_index(config)
    with open_searcher(config, refresh=False) as searcher:
        whoosh = searcher._searcher
        ranker = TextRanker(whoosh, b=BM25_B, k1=BM25_K1, vectorised=vectorised)
        terms = {"printer": 1.0, "offlin": 1.0}
        hits = mine(ranker, terms, 10)
        assert hits == whoosh_top(whoosh, terms, 10)
        found = {whoosh.stored_fields(d)["path"] for _s, d in hits}
        assert "printing/printer-offline.md" not in found
        assert "printing/jam.md" in found


def test_vectorised_ranking_is_the_same_ranking_where_pruning_skips_work(
    search_kb: Path,
    config,  # noqa: ANN001
) -> None:
    """Enough procedures for MaxScore pruning to leave documents unscored, many of them tied:
    numpy's ranking gives the same hits, the same scores to the bit, the same order."""
    words = ["printer", "queue", "offline", "spooler", "driver", "toner", "tray", "jam"]
    for number in range(400):
        picked = [words[(number * 7 + i * 3) % len(words)] for i in range(1 + number % 5)]
        values = dict(
            PROCEDURES["printing/printer-offline.md"],
            id=f"KB-{1000 + number}",
            title=" ".join(picked[:2]).capitalize(),
            summary=" ".join(picked),
        )
        write_procedure(search_kb, f"bulk/p{number:03}.md", search_procedure(values))
    build_index(config)
    with open_searcher(config, refresh=False) as searcher:
        whoosh = searcher._searcher
        plain = TextRanker(whoosh, b=BM25_B, k1=BM25_K1)
        vectorised = TextRanker(whoosh, b=BM25_B, k1=BM25_K1, vectorised=True)
        queries = [{"printer": 1.0}, {"toner": 1.0, "jam": 0.5}, {w: 1.0 for w in words}]
        queries += [{"tray": 2.0, "driver": 1.0, "spooler": 0.3}, {"nosuch": 1.0}]
        for terms in queries:
            for k in (1, 5, 10, 50):
                assert vectorised.top(terms, k).hits == plain.top(terms, k).hits
                left_out = {d for _s, d in plain.top(terms, 3).hits}
                assert (
                    vectorised.top(terms, k, excluded=left_out).hits
                    == plain.top(terms, k, excluded=left_out).hits
                )
                allowed = set(range(0, 400, 3))
                assert (
                    vectorised.top(terms, k, allowed=allowed).hits
                    == plain.top(terms, k, allowed=allowed).hits
                )


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("password", "password", 0),
        ("pasword", "password", 1),
        ("passowrd", "password", 1),
        ("pswrd", "password", 3),
        ("", "abc", 3),
        ("teh", "the", 1),
    ],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance
    limited = edit_distance(a, b, limit=1)
    assert limited == distance if distance <= 1 else limited > 1


def test_speller_nearest() -> None:
    frequency = {"password": 5, "passport": 9, "printer": 3, "print": 8, "outlook": 4}
    speller = Speller(frequency)
    df = frequency.__getitem__
    assert speller.nearest("pasword", 2, df) == "password"
    assert speller.nearest("passowrd", 1, df) == "password"  # a swap is one edit
    assert speller.nearest("printr", 1, df) == "print"  # as close as printer, more frequent
    assert speller.nearest("printerr", 1, df) == "printer"
    assert speller.nearest("passwprd", 2, df) == "password"  # closer beats more frequent
    assert speller.nearest("zzzzzz", 2, df) is None
    assert speller.nearest("butlook", 1, df) is None  # the first letter is kept ...
    assert speller.nearest("butlook", 1, df, same_first=False) == "outlook"  # ... unless asked
    assert speller.nearest("password", 2, lambda term: 0) is None  # gone from the index
