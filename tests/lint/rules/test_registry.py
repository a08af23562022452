"""The rule registry: every rule is documented, selectable and covered by this test folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.core.errors import ConfigError
from kbtool.lint.engine import RuleSelection
from kbtool.lint.rules import RULES, RULES_BY_CODE

HERE = Path(__file__).parent
FAMILY_FILES = {
    "files": "FI",
    "frontmatter": "FM",
    "ownership": "OW",
    "freshness": "FR",
    "structure": "ST",
    "links": "LN",
    "raw_html": "HT",
}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_every_rule_has_a_test_in_its_family_file(rule: object) -> None:
    code = rule.code  # type: ignore[attr-defined]
    family = rule.family  # type: ignore[attr-defined]
    assert FAMILY_FILES[family] == code[:2]
    source = (HERE / f"test_{family}.py").read_text(encoding="utf-8")
    assert f'"{code}"' in source, f"{code} has no test case in tests/rules/test_{family}.py"


def test_codes_are_unique_and_well_formed() -> None:
    assert len(RULES_BY_CODE) == len(RULES) == 54
    for rule in RULES:
        assert rule.code[:2] in FAMILY_FILES.values() and rule.code[2:].isdigit()


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
