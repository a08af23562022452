from __future__ import annotations

import pytest

from kbtool.search.analysis import exact_keys, exact_matches, query_terms, terms_of


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        (
            "KubePodCrashLooping",
            ("kubepodcrashloop", "kube", "pod", "crash", "loop")
            + ("kubepod", "podcrash", "crashloop"),
        ),
        ("max_file_bytes", ("maxfilebyt", "max", "file", "byte", "maxfil", "filebyt")),
        ("outlook.exe", ("outlookex", "outlook", "exe")),
        ("Wi-Fi", ("wifi", "wi", "fi")),
        ("printing", ("print",)),
        ("0x8004010F", ("0x8004010f", "8004010f")),
        ("8004010F", ("8004010f",)),
        ("the", ()),
        ("Привет", ("привет",)),
    ],
)
def test_terms_of_splits_identifiers_and_stems(word: str, expected: tuple[str, ...]) -> None:
    assert terms_of(word) == expected


@pytest.mark.parametrize("typed", ["crash looping", "crashlooping", "CrashLooping"])
def test_crash_looping_meets_the_identifier(typed: str) -> None:
    query = {term for _word, term in query_terms(typed)}
    assert query <= set(terms_of("KubePodCrashLooping"))


def test_part_of_a_long_identifier_typed_as_one_word_meets_it() -> None:
    identifier = set(terms_of("KubePersistentVolumeFillingUp"))
    for typed in ("persistentvolume", "PersistentVolume", "fillingup"):
        assert {term for _word, term in query_terms(typed)} & identifier, typed
    assert not {term for _word, term in query_terms("kubevolume")} & identifier  # not neighbours


@pytest.mark.parametrize(
    ("code", "keys"),
    [("KB-0042", {"kb0042"}), ("0x8004010F", {"0x8004010f", "8004010f"})],
)
def test_exact_keys(code: str, keys: set[str]) -> None:
    assert exact_keys(code) == keys


KEYS = {"0x8004010f", "8004010f", "kb0042", "800", "809", "aadsts50076"}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0x8004010F", ["0x8004010f"]),
        ("8004 010F", ["8004010f"]),
        ("0x 8004 010f", ["0x8004010f"]),
        ("kb 0042", ["kb0042"]),
        ("K B 0 0 4 2 again", ["kb0042"]),
        # digit by digit, and not the shorter code 800 that its first pieces also spell
        ("8 0 0 4 0 1 0 F", ["8004010f"]),
        ("0 x 8 0 0 4 0 1 0 F", ["0x8004010f"]),
        ("a a d s t s 5 0 0 7 6", ["aadsts50076"]),
        ("vpn error 809 then 800", ["809", "800"]),
        ("printer offline", []),
    ],
)
def test_exact_matches_read_codes_out_in_pieces_longest_first(
    typed: str, expected: list[str]
) -> None:
    assert exact_matches(typed, KEYS.__contains__) == expected


def test_query_term_counts_count_repeats_after_analysis() -> None:
    from kbtool.search.analysis import query_term_counts

    counts = query_term_counts("Printing fails; the printer prints nothing. Printers!")
    assert counts["print"] == 2  # "printing" and "prints" stem alike; "printer" stays itself
    assert counts["printer"] == 2
    assert "the" not in counts


@pytest.mark.parametrize(
    ("typed", "expected", "absent"),
    [
        ("error 5 7 23 in exchange", {"5723", "57", "723"}, {"error5723", "error5"}),
        ("kb 0042", {"kb0042"}, set()),
        ("0x 8004 010F", {"0x8004010f", "8004010f"}, set()),
        ("printer offline again", set(), {"printeroffline"}),
    ],
)
def test_code_runs_join_pieces_of_codes_only(typed: str, expected: set, absent: set) -> None:
    from kbtool.search.analysis import code_runs

    runs = set(code_runs(typed))
    assert expected <= runs
    assert not runs & absent


@pytest.mark.parametrize(
    ("text", "key", "expansion"),
    [
        ("pw: password", ("pw",), ("password",)),
        ("mfa: [two-factor, authenticator]", ("mfa",), ("twofactor", "two", "factor", "authent")),
        # a longer name holding the key adds nothing; its other words alone would be noise
        ("teams: [microsoft teams, ms teams]", ("team",), ()),
        ("email: [e-mail, mail]", ("email",), ("mail",)),
        ("office 365: microsoft 365", ("offic", "365"), ("microsoft",)),
    ],
)
def test_synonym_rules(text: str, key: tuple[str, ...], expansion: tuple[str, ...]) -> None:
    from kbtool.search.synonyms import parse_synonyms

    assert parse_synonyms(text, "synonyms.yml").rules[key] == expansion
