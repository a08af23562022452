"""The knowledge base's synonyms and acronyms, applied to queries (not to the index).

`procedures/synonyms.yml` (the `search.synonyms` setting, relative to the procedures folder)
maps what callers say to what the procedures call it, one way:

    pw: password
    mfa: [two-factor, multi-factor, authenticator]
    "wi fi": wifi

A key may be a phrase; it matches the same words in a row in the query. A synonym that holds
the key's words (`teams: microsoft teams`) adds nothing: what says it also says the key. A
synonym of several words (`vpn: remote access`) stands for them together: a procedure that has
only one of them (`access`) is not found through it (`Synonyms.groups`).
Applying synonyms at query time means editing the file takes effect on the next search,
without re-indexing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kbtool.core.errors import ConfigError
from kbtool.core.fileio import read_regular_text
from kbtool.model.config import Config
from kbtool.model.yamlload import YamlError, load_yaml
from kbtool.search.analysis import query_terms

#: Far above any real synonyms file: a bound on what is read, not a policy.
MAX_SYNONYMS_BYTES = 16 * 1024 * 1024


#: A synonym as its words, each word the set of its terms (`two-factor`: twofactor, two, factor).
Group = tuple[frozenset[str], ...]


@dataclass(frozen=True)
class Synonyms:
    """Term sequences (a key, analysed) -> the terms to search for as well."""

    rules: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    #: Key -> each of its synonyms as its words, each word the set of its terms: a procedure
    #: matches through a synonym when it holds (a term of) every one of its words.
    groups: dict[tuple[str, ...], tuple[Group, ...]] = field(default_factory=dict)

    @property
    def longest(self) -> int:
        return max((len(key) for key in self.rules), default=0)

    def matches(self, terms: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
        """The keys found in a query's terms: (start, length, key), as `expand` applies them."""
        found: list[tuple[int, int, tuple[str, ...]]] = []
        longest = self.longest
        i = 0
        while i < len(terms):
            matched = 0
            for size in range(min(longest, len(terms) - i), 0, -1):
                key = tuple(terms[i : i + size])
                if key in self.rules:
                    found.append((i, size, key))
                    matched = size
                    break
            i += matched or 1
        return found

    def expand(self, terms: list[str]) -> list[tuple[str, str]]:
        """Extra `(term, because of)` pairs for a query's terms, longest keys first."""
        extra: list[tuple[str, str]] = []
        present = set(terms)
        longest = self.longest
        i = 0
        while i < len(terms):
            matched = 0
            for size in range(min(longest, len(terms) - i), 0, -1):
                key = tuple(terms[i : i + size])
                expansion = self.rules.get(key)
                if expansion is not None:
                    for term in expansion:
                        if term not in present:
                            present.add(term)
                            extra.append((term, " ".join(key)))
                    matched = size
                    break
            i += matched or 1
        return extra


def synonyms_path(config: Config) -> Path:
    return config.procedures_dir / config.search.synonyms


def load_synonyms(config: Config) -> Synonyms:
    """Read the synonyms file; a missing file means no synonyms, a broken one is an error."""
    path = synonyms_path(config)
    try:  # bounded, and never a pipe or a device
        text = read_regular_text(path, MAX_SYNONYMS_BYTES)
    except FileNotFoundError:
        return Synonyms()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the synonyms file: {exc}", path=str(path)) from None
    return parse_synonyms(text, str(path))


def parse_synonyms(text: str, source: str) -> Synonyms:
    try:
        document = load_yaml(text, max_depth=1)
    except YamlError as exc:
        raise ConfigError(
            f"invalid synonyms file: {exc.message}", path=source, line=exc.line
        ) from None
    data = document.value
    if data is None:
        return Synonyms()
    if not isinstance(data, dict):
        raise ConfigError(
            "the synonyms file must map a word to its synonyms, e.g. 'pw: password'",
            path=source,
            line=1,
        )
    rules: dict[tuple[str, ...], tuple[str, ...]] = {}
    groups: dict[tuple[str, ...], list[Group]] = {}
    for key, value in data.items():
        line = document.lines.get((key,), 1)
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str | int | float) and str(v).strip() for v in values):
            raise ConfigError(
                f"'{key}' must map to a word or a list of words", path=source, line=line
            )
        key_terms = tuple(term for _word, term in query_terms(str(key)))
        if not key_terms:
            raise ConfigError(
                f"'{key}' has no searchable words (only very common ones)",
                path=source,
                line=line,
            )
        expansion: list[str] = list(rules.get(key_terms, ()))
        for item in values:
            item_terms = [term for _word, term in query_terms(str(item))]
            if set(key_terms) <= set(item_terms):
                # A longer name that holds the key (`teams: microsoft teams`): whatever says
                # it also says the key, and its other words alone would only add noise.
                continue
            words: dict[str, set[str]] = {}
            for word, term in query_terms(str(item)):
                words.setdefault(word, set()).add(term)
            if words:
                groups.setdefault(key_terms, []).append(
                    tuple(frozenset(alternatives) for alternatives in words.values())
                )
            for term in item_terms:
                if term not in expansion and term not in key_terms:
                    expansion.append(term)
        rules[key_terms] = tuple(expansion)
    return Synonyms(rules, {key: tuple(found) for key, found in groups.items()})
