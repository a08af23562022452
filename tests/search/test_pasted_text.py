"""Pasted texts (an alert, a ticket): the page whose title the text says comes first, and
what the text says first counts most. Each signal is checked against its switch in
`tuning.Tuning` turned off, so the test fails when the signal stops working."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.core.errors import KbtoolError
from kbtool.model.config import load_config
from kbtool.search import build_index, tuning
from tests.search.conftest import ranked_paths, write_articles

GENERIC_GUIDE = (
    "# Alerting guide\n\n"
    "How alerts work: an alert fires when the apdex of an SLI is violating its SLO. Silence"
    " an alert in the alert manager, then open an incident issue"
    " with the alert's labels, its graph and what you did, and hand it over at the end of"
    " your shift. Alerts without a runbook are reported to their owners in the weekly"
    " review, with the dashboards they need. An SLI measures requests.\n"
)
PAGES = {
    "frontend/README.md": "# Frontend Service\n\nThe load balancers in front of everything.\n",
    "api/README.md": "# Api Service\n\nThe API, with its apdex and error rate on dashboards.\n",
    "guides/alerting.md": GENERIC_GUIDE,
    "guides/dashboards.md": "# Dashboards\n\nWhere the service dashboards are.\n",
    "redis/README.md": "# Redis Service\n\nThe cache, its memory and its traffic.\n",
    "sidekiq/README.md": "# Sidekiq Service\n\nBackground jobs and their queues.\n",
}
ALERT = (
    "The main SLI of the frontend service has an apdex violating SLO. It measures the"
    " requests meeting their duration target, based on the urgency of the endpoint; by"
    " default a request should take no more than a second. Several requests could be"
    " batched inside one connection. Currently the apdex value is low."
)


def first_result(root: Path, query: str, monkeypatch: pytest.MonkeyPatch, setting: str) -> str:
    return ranked_paths(root, query, monkeypatch, setting)[0]


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    return write_articles(tmp_path, PAGES)


def test_the_page_whose_title_the_alert_says_beats_a_generic_guide(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    off = "title_cover=0,position_decay=0"
    assert first_result(articles, ALERT, monkeypatch, off) == "guides/alerting.md"
    assert first_result(articles, ALERT, monkeypatch, "") == "frontend/README.md"


def test_what_the_text_says_first_counts_most(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the title coverage, only the position of the words decides between the two.
    query = "frontend balancers down, api dashboards show apdex error rate"
    assert first_result(articles, query, monkeypatch, "title_cover=0,position_decay=0") == (
        "api/README.md"
    )
    assert first_result(articles, query, monkeypatch, "title_cover=0,position_decay=2") == (
        "frontend/README.md"
    )


def test_tuning_overrides_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    assert tuning.parse("").title_cover == tuning.Tuning().title_cover
    tuned = tuning.parse("title_cover=0, max_terms=12")
    assert (tuned.title_cover, tuned.max_terms) == (0.0, 12)
    assert tuning.describe(tuned) == "max_terms=12,title_cover=0"
    monkeypatch.setenv(tuning.ENV, "bm25_b=0.5")
    assert tuning.active().bm25_b == 0.5
    with pytest.raises(KbtoolError, match="'nosuch=1' is not name=value"):
        tuning.parse("nosuch=1")
    with pytest.raises(KbtoolError, match="bm25_b='high' is not a number"):
        tuning.parse("bm25_b=high")


def test_an_index_time_override_rebuilds_the_index(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kbtool.search.indexer import stale_reason

    config = load_config(procedures=articles / "articles", cwd=articles)
    build_index(config)
    assert stale_reason(config) is None
    monkeypatch.setenv(tuning.ENV, "title_weight=5")
    assert stale_reason(config) == "the configuration changed since the search index was built"
