"""The synonyms file: what callers say mapped to what procedures call it, one way; a broken
file is an error naming the file and the line, through `kbtool search` too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbtool.core.errors import ConfigError
from kbtool.model.config import load_config
from kbtool.search.analysis import terms_of
from kbtool.search.synonyms import Synonyms, load_synonyms, parse_synonyms
from tests.conftest import RunCli


def term(word: str) -> str:
    (only,) = terms_of(word)
    return only


def test_keys_and_phrases_expand_one_way_longest_first() -> None:
    synonyms = parse_synonyms(
        "pw: password\nmfa: [two-factor, authenticator]\n'wi fi': wifi\nwi: windows\n", "s.yml"
    )
    query = [term("reset"), term("pw")]
    assert synonyms.expand(query) == [(term("password"), "pw")]
    assert synonyms.expand([term("password")]) == []  # one way: not back to `pw`
    expanded = synonyms.expand([term("wi"), term("fi"), term("down")])
    assert [t for t, _because in expanded] == [term("wifi")]  # the phrase, not `wi` alone
    assert {t for t, _ in synonyms.expand([term("mfa")])} >= {term("authenticator")}


def test_a_synonym_that_holds_the_key_adds_nothing() -> None:
    synonyms = parse_synonyms("teams: microsoft teams\n", "s.yml")
    assert synonyms.expand([term("teams")]) == []


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("pw: [password\n", 1, "invalid synonyms file"),
        ("- pw\n- password\n", 1, "must map a word to its synonyms"),
        ("pw: {a: b}\n", 1, "'pw' must map to a word or a list of words"),
        ("ok: fine\npw: ''\n", 2, "'pw' must map to a word or a list of words"),
        ("pw: [password, [nested]]\n", 1, "must map to a word or a list of words"),
        ("the: password\n", 1, "'the' has no searchable words"),
    ],
)
def test_a_broken_file_names_the_file_and_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_synonyms(text, "procedures/synonyms.yml")
    assert info.value.path == "procedures/synonyms.yml" and info.value.line == line
    assert fragment in info.value.message


def test_no_file_or_an_empty_one_means_no_synonyms(kb_root: Path) -> None:
    config = load_config(cwd=kb_root)
    assert load_synonyms(config) == Synonyms()
    (kb_root / "procedures" / "synonyms.yml").write_text("# nothing yet\n")
    assert load_synonyms(config) == Synonyms()


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda p: p.write_bytes(b"pw: caf\xe9\n"), "cannot read the synonyms file"),
        (lambda p: os.mkfifo(p), "cannot read the synonyms file"),
        (lambda p: p.write_text("pw: [password\n"), "synonyms.yml:1: invalid synonyms file"),
    ],
    ids=["not-utf8", "pipe", "broken-yaml"],
)
def test_kbtool_search_says_what_is_wrong_with_the_file(
    kb_root: Path, run_cli: RunCli, make: object, fragment: str
) -> None:
    make(kb_root / "procedures" / "synonyms.yml")  # type: ignore[operator]
    result = run_cli("search", "outlook")
    assert result.exit_code == 2, result.output
    assert fragment in result.output and "Traceback" not in result.output
