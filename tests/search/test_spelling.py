"""Typo correction from the index's own words: edit distance with swaps, the cheap filters
never losing a candidate, the nearest and most widespread word winning."""

from __future__ import annotations

import itertools

import pytest

from kbtool.search.spelling import Speller, edit_distance, letter_mask


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("password", "password", 0),
        ("pasword", "password", 1),  # a letter left out
        ("passwrod", "password", 1),  # two neighbours swapped: one edit
        ("paswrod", "password", 2),  # one left out and a swap
        ("outlok", "outlook", 1),
        ("printer", "pointer", 1),
        ("", "abc", 3),
        ("kitten", "sitting", 3),
    ],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance == edit_distance(b, a)


def test_a_limit_stops_early_above_it() -> None:
    assert edit_distance("abcdefgh", "zyxwvuts", 2) > 2
    assert edit_distance("pasword", "password", 2) == 1


def test_the_letter_filter_never_drops_a_word_within_reach() -> None:
    """One edit changes at most two letters of a word's letter set: the filter `within` uses
    (mask difference at most 2 per edit) keeps every true candidate."""
    words = ["router", "outer", "route", "rotor", "tour", "trout", "routers", "roter"]
    for a, b in itertools.product(words, repeat=2):
        distance = edit_distance(a, b)
        assert (letter_mask(a) ^ letter_mask(b)).bit_count() <= 2 * max(distance, 0) or a == b


TERMS = ["password", "passport", "printer", "printing", "pointer", "outlook", "vpn"]


def test_within_finds_each_term_in_reach_with_its_distance() -> None:
    speller = Speller(TERMS)
    assert len(speller) == len(TERMS)
    assert sorted(speller.within("pasword", 2)) == [(1, "password")]  # passport is 3 away
    assert sorted(speller.within("printr", 1)) == [(1, "printer")]
    assert sorted(speller.within("printr", 2)) == [(1, "printer"), (2, "pointer")]
    assert list(speller.within("password", 1)) == []  # the word itself is no correction
    assert list(speller.within("ointer", 1)) == []  # first letters differ
    assert list(speller.within("ointer", 1, same_first=False)) == [(1, "pointer")]
    assert list(speller.within("", 2)) == []


def test_nearest_prefers_the_closest_then_the_most_widespread_still_in_the_index() -> None:
    speller = Speller(TERMS)
    frequency = {"printer": 3, "pointer": 9, "printing": 5}.get
    assert speller.nearest("qwerty", 2, lambda t: frequency(t) or 0) is None
    assert speller.nearest("prnter", 2, lambda t: frequency(t) or 0) == "printer"
    # Two words one edit away: the more widespread wins.
    assert speller.nearest("pinter", 1, lambda t: frequency(t) or 0) == "pointer"
    # A word gone from the index (no documents left) is never offered.
    assert speller.nearest("pasword", 2, lambda t: 0) is None
