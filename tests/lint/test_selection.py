"""The rule selection: by code prefix, severities, and rule codes in kbtool.toml checked here,
where the rules are known (the model checks only the shape of `[lint]`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.core.errors import ConfigError
from kbtool.lint.selection import RuleSelection, check_config_codes
from kbtool.model.config import CONFIG_FILENAME, load_config


@pytest.mark.parametrize(
    ("select", "ignore", "expected"),
    [
        (["FR"], [], ["FR001", "FR002", "FR003", "FR004"]),
        (["FR", "LN001"], ["FR002"], ["FR001", "FR003", "FR004", "LN001"]),
        (["ALL"], ["FI", "FM", "OW", "LN", "ST", "HT"], ["FR001", "FR002", "FR003", "FR004"]),
        ([], ["F", "O", "L", "ST00", "HT"], []),
    ],
)
def test_selection_by_prefix(select: list[str], ignore: list[str], expected: list[str]) -> None:
    chosen = RuleSelection.build(select=select, ignore=ignore)
    assert [r.code for r in chosen.rules] == expected


def test_more_specific_severity_wins() -> None:
    chosen = RuleSelection.build(severity={"FR001": "error", "FR": "info"})
    assert chosen.severities["FR001"].label == "error"
    assert chosen.severities["FR002"].label == "info"
    assert chosen.severities["OW001"].label == "error"


@pytest.mark.parametrize("field", ["select", "ignore", "severity"])
def test_unknown_codes_are_refused(field: str) -> None:
    kwargs: dict[str, object] = {field: {"FX001": "error"} if field == "severity" else ["FX001"]}
    with pytest.raises(ConfigError, match="FX001"):
        RuleSelection.build(**kwargs)  # type: ignore[arg-type]


# (TOML, the key the error names, the codes it names)
UNKNOWN_IN_CONFIG = [
    ("[lint]\nselect = ['FX']", "lint.select", "FX"),
    ("[lint]\nselect = ['fr']", "lint.select", "fr"),  # codes are upper case
    ("[lint]\nignore = ['FR', 'ZZ001']", "lint.ignore", "ZZ001"),
    ("[lint]\nseverity = {FX001 = 'error'}", "lint.severity", "FX001"),
    ("[lint]\nper_file_ignores = {'a/*' = ['ST', 'QQ']}", "lint.per_file_ignores", "QQ"),
]


@pytest.mark.parametrize(("toml", "key", "codes"), UNKNOWN_IN_CONFIG)
def test_unknown_codes_in_the_configuration_name_the_file_and_key(
    tmp_path: Path, toml: str, key: str, codes: str
) -> None:
    (tmp_path / CONFIG_FILENAME).write_text(toml + "\n")
    config = load_config(cwd=tmp_path)  # the model reads the codes without judging them
    for refuse in (check_config_codes, RuleSelection.from_config):
        with pytest.raises(ConfigError) as info:
            refuse(config)
        assert info.value.located() == (
            f"{tmp_path / CONFIG_FILENAME}: '{key}' names unknown rule code(s) {codes} "
            "(see `kbtool rules`)"
        )


def test_from_config_reads_every_lint_key(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILENAME).write_text(
        "[lint]\nselect = ['FR', 'OW001']\nignore = ['FR003']\nseverity = {FR = 'info'}\n"
    )
    config = load_config(cwd=tmp_path)
    chosen = RuleSelection.from_config(config)
    assert [r.code for r in chosen.rules] == ["FR001", "FR002", "FR004", "OW001"]
    assert (
        chosen.severities["FR001"].label == "info" and chosen.severities["OW001"].label == "error"
    )
    # The command line's --select replaces lint.select; its --ignore adds to lint.ignore.
    chosen = RuleSelection.from_config(config, select=["FR", "ST001"], ignore=["FR001"])
    assert [r.code for r in chosen.rules] == ["FR002", "FR004", "ST001"]


def test_from_config_without_lint_keys_selects_every_rule(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path)
    assert not config.lint.names_codes
    assert RuleSelection.from_config(config) == RuleSelection.build()
