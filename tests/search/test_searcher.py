"""The search library on a real Whoosh index in tmp_path."""

from __future__ import annotations

import datetime as dt

import pytest

from kbtool.search import build_index, open_searcher
from tests.conftest import TODAY, write_procedure

DAY = dt.date.fromisoformat(TODAY)


def paths(response) -> list[str]:  # noqa: ANN001
    return [hit.path for hit in response.results]


@pytest.fixture
def searcher(config):  # noqa: ANN001, ANN201
    build_index(config)
    with open_searcher(config, today=DAY) as opened:
        yield opened


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("0x8004010F", "email/outlook-profile.md"),
        ("8004010f", "email/outlook-profile.md"),
        ("error 8004 010F when starting", "email/outlook-profile.md"),
        ("KB-0002", "accounts/password-reset.md"),
        ("kb0002", "accounts/password-reset.md"),
        ("AADSTS50076", "accounts/two-factor.md"),
        # read out digit by digit
        ("8 0 0 4 0 1 0 F", "email/outlook-profile.md"),
        ("0 x 8 0 0 4 0 1 0 F", "email/outlook-profile.md"),
        ("A A D S T S 5 0 0 7 6", "accounts/two-factor.md"),
        ("K B 0 0 0 2", "accounts/password-reset.md"),
    ],
)
def test_error_codes_and_ids_match_exactly_and_first(searcher, query: str, first: str) -> None:  # noqa: ANN001
    response = searcher.search(query)
    assert response.results[0].path == first
    assert response.results[0].exact


def test_exact_match_beats_text_match(searcher) -> None:  # noqa: ANN001
    # "password" is all over KB-0002, but the caller read out KB-0001's error code.
    response = searcher.search("password 0x8004010F")
    assert paths(response)[:2] == ["email/outlook-profile.md", "accounts/password-reset.md"]


@pytest.mark.parametrize(
    "query", ["crash looping", "pod restart total", "kube pod crash", "KubePodCrashLooping"]
)
def test_identifier_splitting(searcher, query: str) -> None:  # noqa: ANN001
    assert paths(searcher.search(query))[0] == "kubernetes/pod-crash.md"


@pytest.mark.parametrize(
    ("query", "first"),
    [("pw reset", "accounts/password-reset.md"), ("mfa", "accounts/two-factor.md")],
)
def test_synonyms_apply_at_query_time(searcher, query: str, first: str) -> None:  # noqa: ANN001
    response = searcher.search(query)
    assert paths(response)[0] == first
    assert response.corrected_query is None  # a synonym is not a typo


def test_typo_is_corrected_and_said(searcher) -> None:  # noqa: ANN001
    response = searcher.search("outlok profle")
    assert response.corrected_query == "outlook profile"
    assert paths(response)[0] == "email/outlook-profile.md"


def test_did_you_mean_when_nothing_matched(searcher) -> None:  # noqa: ANN001
    # Automatic correction keeps the first letter; a suggestion may change it.
    response = searcher.search("xassword")
    assert response.results == []
    assert response.did_you_mean == ["password"]


def test_nothing_at_all(searcher) -> None:  # noqa: ANN001
    response = searcher.search("zzqqxx")
    assert (response.results, response.did_you_mean, response.total) == ([], [], 0)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"service": "printing"}, ["printing/printer-offline.md"]),
        ({"tag": "offline"}, ["printing/printer-offline.md"]),
        ({"audience": "L1", "service": "Printing"}, ["printing/printer-offline.md"]),
        ({"audience": "L2"}, []),  # the only L2 procedure is retired
        ({"status": "retired"}, ["printing/old-printer.md"]),
        ({"include_retired": True, "service": "Printing"}, None),
    ],
)
def test_filters_and_retired_hidden(searcher, filters: dict, expected) -> None:  # noqa: ANN001
    found = paths(searcher.search("printer queue", **filters))
    if expected is None:
        assert sorted(found) == ["printing/old-printer.md", "printing/printer-offline.md"]
    else:
        assert found == expected


def test_hit_has_owner_acting_owner_and_overdue(searcher) -> None:  # noqa: ANN001
    hit = searcher.search("two-factor approval").results[0]
    assert (hit.id, hit.owner, hit.overdue) == ("KB-0003", "asmith", True)  # owner away
    ok = searcher.search("forgotten password").results[0]
    assert (ok.id, ok.owner, ok.overdue) == ("KB-0002", "jdoe", False)
    assert "**password**" in ok.snippet.lower()


def test_limit(searcher) -> None:  # noqa: ANN001
    assert len(searcher.search("the caller", limit=2).results) == 2


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "the of and",
        "x" * 10_000,
        "outlook " * 2000,
        '"outlook* AND (profile:~ OR',
        "パスワード を 忘れた",
        "пароль",
        "\x00\x1b[31m",
    ],
)
def test_bad_queries_answer_without_error(searcher, query: str) -> None:  # noqa: ANN001
    response = searcher.search(query)
    assert isinstance(response.results, list)


def test_query_syntax_characters_are_words(searcher) -> None:  # noqa: ANN001
    response = searcher.search('"outlook* AND (profile:~')
    assert paths(response)[0] == "email/outlook-profile.md"


def test_only_stopwords_says_so(searcher) -> None:  # noqa: ANN001
    response = searcher.search("the of and")
    assert response.results == []
    assert any("common words" in note for note in response.notes)


def test_find_by_id_or_path(searcher) -> None:  # noqa: ANN001
    assert searcher.find("kb-0004") == "kubernetes/pod-crash.md"
    assert searcher.find("kubernetes/pod-crash") == "kubernetes/pod-crash.md"
    assert searcher.find("KB-9999") is None


def test_snippet_is_made_when_read_also_after_the_searcher_closed(config) -> None:  # noqa: ANN001
    build_index(config)
    with open_searcher(config, today=DAY) as opened:
        hit = opened.search("forgotten password").results[0]
    assert "**password**" in hit.snippet.lower()
    assert hit.as_json()["snippet"] == hit.snippet
    assert hit.snippet is hit.snippet  # made once


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("printer toner, printer jammed printer", "printing/jam.md"),
        ("toner printer, toner low toner", "printing/toner.md"),
    ],
)
def test_a_repeated_query_word_counts_more(kb_root, query: str, first: str) -> None:  # noqa: ANN001
    """Two procedures that each hold one of the words as often: the repeated word decides."""
    from kbtool.model.config import load_config

    for rel, word in (("printing/jam.md", "printer"), ("printing/toner.md", "toner")):
        write_procedure(
            kb_root,
            rel,
            f"# Notes on {word}\n\nThe {word} needs a look: {word} {word}.\n",
        )
    config = load_config(cwd=kb_root)
    build_index(config)
    with open_searcher(config, today=DAY) as opened:
        results = opened.search(query).results
    assert [hit.path for hit in results][:1] == [first]
    # Not a tie broken by chance: the word said three times counts about twice as much.
    assert results[0].score > 1.5 * results[1].score


@pytest.mark.parametrize(
    "query",
    ["bounce with 5 7 23", "bounce with 5.7.23", "error 8007 0005", "error 80070005"],
)
def test_codes_written_only_in_the_body_are_found_read_out_in_pieces(kb_root, query: str) -> None:  # noqa: ANN001
    """No `error_codes` declared: the code as the body writes it, the query in pieces."""
    from kbtool.model.config import load_config

    write_procedure(
        kb_root, "email/ndr.md", "# Message bounced\n\nThe bounce says 5.7.23 or 0x80070005.\n"
    )
    for number in range(3):  # other bounces, so the code decides
        write_procedure(
            kb_root,
            f"email/bounce-{number}.md",
            f"# Bounce {number}\n\nA bounce with error 23, then 8007.\n",
        )
    config = load_config(cwd=kb_root)
    build_index(config)
    with open_searcher(config, today=DAY) as opened:
        assert paths(opened.search(query))[0] == "email/ndr.md"


def test_a_words_synonyms_share_its_weight(kb_root) -> None:  # noqa: ANN001
    """A word with two synonyms: a procedure saying the word beats one saying both synonyms
    (they stand for one word and do not count twice). Words no other procedure has."""
    from kbtool.model.config import load_config

    (kb_root / "procedures" / "synonyms.yml").write_text(
        "kiosk: [totem, lectern]\n", encoding="utf-8"
    )
    write_procedure(kb_root, "hardware/a.md", "# Notes\n\nThe kiosk stays dark.\n")
    write_procedure(kb_root, "hardware/b.md", "# Notes\n\nThe totem lectern stays dark.\n")
    config = load_config(cwd=kb_root)
    build_index(config)
    with open_searcher(config, today=DAY) as opened:
        assert paths(opened.search("kiosk"))[:2] == ["hardware/a.md", "hardware/b.md"]


def test_as_typed_searches_without_correction(searcher) -> None:  # noqa: ANN001
    corrected = searcher.search("outlok profle")
    as_typed = searcher.search("outlok profle", correct=False)
    assert corrected.corrected_query == "outlook profile"
    assert as_typed.corrected_query is None
    assert paths(as_typed) != paths(corrected)


@pytest.mark.parametrize(
    ("filters", "found"),
    [
        ({}, ["printing/old-printer.md"]),  # named by its id: shown though retired
        ({"service": "Printing"}, ["printing/old-printer.md"]),
        ({"service": "Email"}, []),  # a filter still applies
    ],
)
def test_retired_procedure_found_by_its_id(searcher, filters: dict, found: list) -> None:  # noqa: ANN001
    response = searcher.search("KB-0005", **filters)
    assert [hit.path for hit in response.results if hit.exact] == found
    if found:
        assert response.results[0].status == "retired"


def test_retired_procedure_hidden_for_its_words(searcher) -> None:  # noqa: ANN001
    assert "printing/old-printer.md" not in paths(searcher.search("legacy printer jammed"))


def test_hit_says_who_answers_and_why(searcher) -> None:  # noqa: ANN001
    hit = searcher.search("two-factor").results[0]
    assert (hit.owner, hit.recorded_owner, hit.backup) == ("asmith", "away", "asmith")
    assert hit.orphaned and hit.orphan_reason == "away until 2026-12-31"
    assert hit.owner_name == "Alan Smith"
    assert hit.review_status == "overdue"


def test_snippet_shows_the_version_that_was_ranked(config, searcher, search_kb) -> None:  # noqa: ANN001
    """Snippets come from the index, not the file: an edit shows once it is indexed, together
    with the ranking it changes, and a search reads no procedure file."""
    first = searcher.search("forgotten password reset").results[0]
    assert "zanzibar" not in first.snippet.lower()
    path = search_kb / "procedures" / first.path
    text = path.read_text("utf-8")
    path.write_text(
        text.replace(
            "## Symptoms\n", "## Symptoms\n\nZanzibar: forgotten password reset, the caller says.\n"
        ),
        "utf-8",
    )
    same = searcher.search("forgotten password reset").results[0]
    assert same.snippet == first.snippet  # not indexed yet: what was ranked is shown
    path.unlink()  # and the file is not read: a result whose file went shows its snippet
    assert searcher.search("forgotten password reset").results[0].snippet == first.snippet
    path.write_text(
        text.replace(
            "## Symptoms\n", "## Symptoms\n\nZanzibar: forgotten password reset, the caller says.\n"
        ),
        "utf-8",
    )
    build_index(config)
    with open_searcher(config, today=DAY) as fresh:
        again = fresh.search("forgotten password reset").results[0]
    assert again.path == first.path
    assert again.snippet.startswith("Zanzibar: **forgotten** **password** **reset**")


@pytest.mark.parametrize(
    "terms",
    [{"password"}, {"password", "reset"}, {"caller", "sign"}, {"nothing"}, set()],
)
def test_prepared_source_answers_like_a_fresh_one(terms: set[str]) -> None:
    from kbtool.search.snippet import make_snippet, prepare, snippet

    body = (
        "# Title\n\nThe caller forgot the password.\n\n```\npassword reset code\n```\n\n"
        "1. Reset the *password* with the caller on the line.\n2. Ask them to sign in.\n"
        "An e-mail arrives; the E-Mail says reset.\n"
    )
    source = prepare(body)
    for asked in ({"caller"}, terms, {"reset"}, terms):  # memo of earlier terms in between
        assert snippet(source, asked) == make_snippet(body, asked)
