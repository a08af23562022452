"""Smoke test of the search benchmark: its metrics, its peers, its scaled copy, its CLI.

Runs on a tiny corpus generated in tmp_path (never the real corpora), with the engines the
base test install has (SQLite FTS5 and plain Whoosh); tantivy is a benchmark-only extra.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import search_bench  # noqa: E402
from search_metrics import (  # noqa: E402
    percentile,
    quality,
    rank_of,
    short_query,
    wins_losses,
)
from search_peers import ENGINES, LunrEngine, parse_article, plain_query  # noqa: E402

BASE_PEERS = ["fts5", "fts5x10", "whoosh", "whooshx10"]
# kbtool itself is in the base install too; tantivy is not.
BASE_ENGINES = ["kbtool", "kbtool-typed", *BASE_PEERS]

# (path, front matter title or None, body); every article has words no other one has.
ARTICLES = [
    (
        "mail/outlook-profile.md",
        "Outlook stuck on loading profile",
        "# Outlook hangs\n\nOutlook shows the loading profile screen forever. Recreate it.",
    ),
    (
        "mail/mailbox-full.md",
        "Mailbox is full",
        "The mailbox quota is exceeded and new messages bounce. Archive old messages.",
    ),
    (
        "network/vpn-drops.md",
        None,
        "# VPN tunnel disconnects every hour\n\nThe VPN client drops the tunnel after the lease.",
    ),
    (
        "network/wifi-certificate.md",
        "Wi-Fi certificate expired",
        "Laptops cannot join the corporate wireless network because the certificate expired.",
    ),
    (
        "print/spooler.md",
        "Print spooler keeps crashing",
        "Jobs pile up in the queue and the spooler service stops. Clear the spool folder.",
    ),
    (
        "accounts/password-reset.md",
        "Password reset link never arrives",
        "The self-service password reset email is not delivered to the user's inbox.",
    ),
]

QUERIES = [
    ("Outlook never gets past the loading profile screen", "mail/outlook-profile.md"),
    ("Messages bounce because the mailbox quota is exceeded", "mail/mailbox-full.md"),
    ("VPN tunnel keeps disconnecting", "network/vpn-drops.md"),
    ("corporate wireless certificate expired on laptops", "network/wifi-certificate.md"),
    ('spooler: "crashing" AND (queue) -jobs*', "print/spooler.md"),
    ("password reset email not delivered", "accounts/password-reset.md"),
]


def write_corpus(root: Path, name: str) -> Path:
    corpus = root / name
    for rel, title, body in ARTICLES:
        path = corpus / "articles" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        front = f"---\ntitle: {title}\nms.date: 01/24/2024\n---\n" if title else ""
        path.write_text(front + body + "\n", encoding="utf-8")
    lines = [json.dumps({"query": q, "target": t}) for q, t in QUERIES]
    (corpus / "queries.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus


@pytest.mark.parametrize(
    ("ranks", "expected"),
    [
        # Hand-computed: (1 + 1/2 + 0 + 1/5 + 0) / 5 = 0.34; rank 11 is outside the top ten.
        (
            [1, 2, None, 5, 11],
            {"mrr10": 0.34, "recall1": 0.2, "recall5": 0.6, "recall10": 0.6},
        ),
        # (1/3 + 1/10) / 2 = 0.21666...
        ([3, 10], {"mrr10": 13 / 60, "recall1": 0.0, "recall5": 0.5, "recall10": 1.0}),
        ([None], {"mrr10": 0.0, "recall1": 0.0, "recall5": 0.0, "recall10": 0.0}),
    ],
)
def test_quality_matches_hand_computed_values(
    ranks: list[int | None], expected: dict[str, float]
) -> None:
    assert quality(ranks) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("results", "expected"),
    [(["a.md", "b.md", "t.md"], 3), (["t.md"], 1), (["a.md"], None), ([], None)],
)
def test_rank_of(results: list[str], expected: int | None) -> None:
    assert rank_of("t.md", results) == expected


@pytest.mark.parametrize(("pct", "expected"), [(0, 1.0), (50, 2.5), (95, 3.85), (100, 4.0)])
def test_percentile_interpolates_like_numpy(pct: float, expected: float) -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], pct) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('title:"Outlook" AND (0x8004010F) -foo*', "title Outlook and 0x8004010F foo"),
        ("Can't send_mail: error #5.7.1 NOT OR Or!", "Can t send mail error 5 7 1 not or Or"),
        ("***", ""),
    ],
)
def test_plain_query_strips_every_piece_of_syntax(query: str, expected: str) -> None:
    assert plain_query(query) == expected


def test_short_query_keeps_the_five_rarest_known_words_in_sentence_order() -> None:
    frequencies = Counter(
        {
            "outlook": 3,
            "crashes": 9,
            "when": 50,
            "opening": 7,
            "shared": 4,
            "calendar": 2,
            "mailbox": 5,
            "users": 40,
        }
    )
    query = "Outlook crashes when opening a shared calendar in the mailbox of users zzqx"
    # Stop words go; zzqx is in no document; of the rest the five rarest are kept, in order.
    assert short_query(query, frequencies) == "outlook opening shared calendar mailbox"


@pytest.mark.parametrize(
    ("text", "title", "body_starts"),
    [
        ("---\ntitle: From front matter\n---\n# Heading\nText", "From front matter", "# Heading"),
        ("---\nms.date: 01/01/2024\n---\n# The H1 title\nText", "The H1 title", "# The H1"),
        ("No title anywhere", "some-file", "No title"),
        ("---\ntitle: [unclosed\n---\n# Fallback\n", "Fallback", "# Fallback"),
    ],
)
def test_parse_article_title_and_body(text: str, title: str, body_starts: str) -> None:
    document = parse_article(text, "folder/some-file.md")
    assert (document.path, document.title) == ("folder/some-file.md", title)
    assert document.body.startswith(body_starts)


@pytest.mark.parametrize("name", BASE_ENGINES)
def test_engine_ranks_each_target_first(name: str, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, "corpus")
    engine = ENGINES[name]()
    engine.build(corpus / "articles", tmp_path / "work")
    engine.open()
    try:
        for query, target in QUERIES:
            results = engine.search(query, limit=10)
            assert results[:1] == [target], query
            assert len(results) <= 10
        assert engine.search("!!!", limit=10) == []
    finally:
        engine.close()


def test_lunr_ranks_each_target_first(tmp_path: Path) -> None:
    """lunr.js through node, installed by the benchmark itself when npm is there."""
    if not search_bench.ensure_lunr(["lunr"]):
        pytest.skip(f"lunr cannot run here: {LunrEngine.available()}")
    for name in ("lunr", "lunrx10"):
        engine = ENGINES[name]()
        engine.build(write_corpus(tmp_path, name) / "articles", tmp_path / name / "work")
        engine.open()
        try:
            for query, target in QUERIES:
                assert engine.search(query, limit=10)[:1] == [target], (name, query)
            assert engine.search("!!!", limit=10) == []
        finally:
            engine.close()


def test_title_weight_moves_a_title_match_up(tmp_path: Path) -> None:
    """`whooshx10` weighs the title ten times the body, `whoosh` equally."""
    corpus = tmp_path / "corpus" / "articles"
    corpus.mkdir(parents=True)
    (corpus / "a.md").write_text("---\ntitle: Spooler\n---\nOther words here.\n")
    (corpus / "b.md").write_text("---\ntitle: Printing\n---\nspooler spooler words.\n")
    firsts = {}
    for name in ("whoosh", "whooshx10", "fts5", "fts5x10"):
        engine = ENGINES[name]()
        engine.build(corpus, tmp_path / name)
        engine.open()
        try:
            firsts[name] = engine.search("spooler")[0]
        finally:
            engine.close()
    assert firsts["whooshx10"] == firsts["fts5x10"] == "a.md"
    assert firsts["fts5"] == "b.md"


def test_wins_losses_compare_reciprocal_ranks_at_ten() -> None:
    # rank 1 vs 2: a win; 3 vs 1: a loss; 11 vs None: both outside the ten, a tie.
    assert wins_losses([1, 3, 11, None, 2], [2, 1, None, None, 2]) == (1, 1)


def test_scaled_copy_is_distinct_and_keeps_front_matter(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, "corpus")
    dest = tmp_path / "scaled"
    count = search_bench.make_scaled_copy(corpus / "articles", dest, 15)
    files = sorted(dest.rglob("*.md"))
    assert count == len(files) == 15
    assert {p.relative_to(dest).parts[0] for p in files} == {"c00", "c01", "c02"}
    texts = [p.read_text(encoding="utf-8") for p in files]
    assert len(set(texts)) == 15
    original = (corpus / "articles" / "mail/outlook-profile.md").read_text(encoding="utf-8")
    assert (dest / "c00/mail/outlook-profile.md").read_text(encoding="utf-8") == original
    copy = (dest / "c01/mail/outlook-profile.md").read_text(encoding="utf-8")
    assert copy.startswith("---\ntitle: Outlook stuck on loading profile\n")


def test_main_writes_json_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in search_bench.CORPORA:
        write_corpus(tmp_path, name)
    out = tmp_path / "search.json"
    code = search_bench.main(
        [
            "--corpus-root",
            str(tmp_path),
            "--quick",
            "--engines",
            ",".join(BASE_ENGINES),
            "--e2e-runs",
            "1",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    for corpus in search_bench.CORPORA:
        entry = result["corpora"][corpus]
        assert (entry["documents"], entry["queries"]) == (len(ARTICLES), len(QUERIES))
        for name in BASE_ENGINES:
            figures = entry["engines"][name]
            assert figures["sentence"]["quality"]["mrr10"] == pytest.approx(1.0)
            assert figures["build_s"] > 0
            assert figures["short"]["latency"]["p95_ms"] >= 0
        # `kbtool search` as a subprocess, from the folder holding the index, found its query.
        assert result["end_to_end"][corpus]["found"] == 1
    assert result["end_to_end"]["python -c pass"]["count"] == 1
    assert result["scale"] is None
    report = capsys.readouterr().out
    assert "Search quality" in report
    assert "[PASS] MRR@10 above every peer" not in report  # 1.0 ties the peers: not above


def test_typo_queries_are_seeded_and_change_one_or_two_words() -> None:
    from typo_queries import typo_query

    query = "shared calendar permissions missing outlook"
    typed = [typo_query(query, f"set:{i}") for i in range(40)]
    assert typed == [typo_query(query, f"set:{i}") for i in range(40)]  # same every run
    for text in typed:
        changed = [(a, b) for a, b in zip(query.split(), text.split(), strict=True) if a != b]
        assert 1 <= len(changed) <= 2, text
        assert all(a[0] == b[0] and abs(len(a) - len(b)) <= 1 for a, b in changed)
    assert len(set(typed)) > 20


def test_kbtool_as_typed_gets_the_query_as_written(tmp_path: Path) -> None:
    # `kbtool search` reads "can't" as the word `cant`; the words-only form the peers get
    # ("can t") is two stop words. The as-typed row is kbtool as the command line sees it.
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "scanner.md").write_text(
        "---\ntitle: Scanner can't reach the share\n---\n\nThe scanner can't save scans.\n",
        encoding="utf-8",
    )
    (articles / "printer.md").write_text(
        "---\ntitle: Printer offline\n---\n\nThe printer shows offline.\n", encoding="utf-8"
    )
    found = {}
    for name in ("kbtool", "kbtool-typed"):
        engine = ENGINES[name]()
        engine.build(articles, tmp_path / name)
        engine.open()
        try:
            found[name] = engine.search("can't")
        finally:
            engine.close()
    assert found == {"kbtool": [], "kbtool-typed": ["scanner.md"]}
    assert not search_bench.best_peer(
        {"kbtool-typed": {"sentence": {"quality": {"mrr10": 1.0}}}}, "sentence"
    )  # never counted as a peer
