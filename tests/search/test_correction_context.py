"""A typo is corrected to the word the rest of the query and the knowledge base support, not
merely the nearest or the most widespread one (a misspelling the knowledge base itself has
must not win over the right word found with the query's other words)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.model.config import load_config
from kbtool.search import build_index, open_searcher, tuning
from tests.search.conftest import write_articles

PAGES = {
    "calendar/shared-calendar-permissions.md": (
        "# Shared calendar permissions\n\nGive a delegate permissions on a shared calendar.\n"
    ),
    "calendar/calendar-not-syncing.md": (
        "# Calendar not syncing\n\nA shared calendar does not sync to the phone; check the"
        " permissions of the account.\n"
    ),
    "rooms/book-a-room.md": (
        "# Book a meeting room\n\nBook the room in the calender of the building.\n"  # sic
    ),
    "teams/presence-stuck-away.md": (
        "# Teams presence stuck on Away\n\nTeams shows the presence as Away although the user"
        " is active.\n"
    ),
    "teams/present-screen.md": "# Present your screen\n\nPresent in a Teams meeting.\n",
    "meetings/present-slides.md": "# Present slides\n\nPresent slides to the room.\n",
    "meetings/presenter-mode.md": "# Presenter view\n\nWho may present in a meeting.\n",
}


@pytest.fixture
def config(tmp_path: Path):  # noqa: ANN201
    write_articles(tmp_path, PAGES)
    config = load_config(procedures=tmp_path / "articles", cwd=tmp_path)
    build_index(config, rebuild=True)
    return config


def correct(config, query: str) -> tuple[dict[str, str], str]:  # noqa: ANN001
    with open_searcher(config, refresh=False) as searcher:
        response = searcher.search(query)
        return dict(response.corrections), response.results[0].path


def test_the_word_the_query_supports_beats_a_misspelling_in_the_knowledge_base(
    config, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `calender` is one edit away and in the knowledge base; `calendar` is two away, and
    # found with `shared` and `permissions`.
    assert correct(config, "shared calander permissions") == (
        {"calander": "calendar"},
        "calendar/shared-calendar-permissions.md",
    )
    monkeypatch.setenv(tuning.ENV, "correction_context=0")
    assert correct(config, "shared calander permissions")[0] == {"calander": "calender"}


def test_the_word_is_compared_as_written_not_as_its_stem(config) -> None:  # noqa: ANN001
    # The stems `presens`, `presenc` and `present` are one edit apart either way; the words
    # `presense` and `presence` one, `presense` and `present` two: presence wins though
    # `present` is in more procedures.
    assert correct(config, "teams presense stuck on away") == (
        {"presense": "presence"},
        "teams/presence-stuck-away.md",
    )


def test_without_other_words_the_nearest_word_wins(config) -> None:  # noqa: ANN001
    assert correct(config, "presense")[0] == {"presense": "presence"}
