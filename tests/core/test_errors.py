"""Typed domain errors: each says where (file and line) when it knows."""

from __future__ import annotations

import pytest

from kbtool.core.errors import AmbiguousIdError, ConfigError, KbtoolError, NotFoundError


@pytest.mark.parametrize(
    ("error", "located"),
    [
        (KbtoolError("no procedures"), "no procedures"),
        (ConfigError("unknown key 'x'", path="kbtool.toml"), "kbtool.toml: unknown key 'x'"),
        (ConfigError("invalid TOML", path="kbtool.toml", line=3), "kbtool.toml:3: invalid TOML"),
        (NotFoundError("no procedure KB-0009"), "no procedure KB-0009"),
    ],
)
def test_located(error: KbtoolError, located: str) -> None:
    assert error.located() == located == str(error)


def test_ambiguous_id_names_every_holder() -> None:
    error = AmbiguousIdError("kb-0001", [("Kb-0001", "b.md"), ("KB-0001", "a.md")])
    assert error.located() == (
        "id 'kb-0001' matches ids that differ only in case (KB-0001 in a.md, Kb-0001 in b.md); "
        "type it exactly"
    )
