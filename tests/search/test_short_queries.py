"""A few typed keywords are ranked with a milder length normalisation than a pasted sentence
(`tuning.Tuning.short_b`): a long page that keeps coming back to the words covers the topic,
it is not long by chance. Checked against the switch turned off, so the test fails when the
signal stops working, and against a longer query, which it must leave alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.search import tuning
from tests.search.conftest import ranked_paths, write_articles

FILLER = "Notes about the office, the desks, the meeting rooms and the coffee machine. "
PAGES = {
    # Long: the topic three times, then a lot about other things.
    "guides/archive.md": "# Archive guide\n\n"
    + "The quota of a mailbox grows with its archive. " * 3
    + FILLER * 15,
    # Short: says both words once.
    "email/quota-warning.md": "# Warning banner\n\nThe mailbox quota warning appears at ninety"
    " percent.\n" + FILLER * 2,
    "print/printer.md": "# Printer jams\n\nThe printer toner tray jammed; clear the tray,"
    " replace the toner.\n" + FILLER * 3,
    "misc/desks.md": "# Desk moves\n\n" + FILLER * 4,
}
QUOTA_PAGES = ("guides/archive.md", "email/quota-warning.md")


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    return write_articles(tmp_path, PAGES)


def first_quota_page(root: Path, query: str, monkeypatch: pytest.MonkeyPatch, setting: str) -> str:
    """Which of the two quota pages the query ranks higher."""
    paths = ranked_paths(root, query, monkeypatch, setting)
    assert set(QUOTA_PAGES) <= set(paths)
    return min(QUOTA_PAGES, key=paths.index)


def test_a_few_keywords_find_the_page_that_covers_them(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert tuning.Tuning().short_b and tuning.Tuning().short_b < tuning.Tuning().bm25_b
    query = "mailbox quota"
    assert first_quota_page(articles, query, monkeypatch, "short_b=0") == "email/quota-warning.md"
    assert first_quota_page(articles, query, monkeypatch, "") == "guides/archive.md"


def test_a_longer_query_keeps_the_usual_length_normalisation(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Six words: more than `short_b_words`, so `short_b` does not apply.
    query = "mailbox quota printer toner tray jammed"
    for setting in ("short_b=0", ""):
        assert first_quota_page(articles, query, monkeypatch, setting) == "email/quota-warning.md"
    # ... unless the limit is raised to cover it.
    setting = "short_b_words=6"
    assert first_quota_page(articles, query, monkeypatch, setting) == "guides/archive.md"
