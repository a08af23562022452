"""The rule registry: every rule is documented, selectable and covered by this test folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.lint.rules import RULES, RULES_BY_CODE
from kbtool.model import issues as issues_module
from kbtool.model.issues import IssueKind

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
    assert len(RULES_BY_CODE) == len(RULES) == 57
    for rule in RULES:
        assert rule.code[:2] in FAMILY_FILES.values() and rule.code[2:].isdigit()


def test_every_kind_of_load_issue_is_reported_by_exactly_one_rule() -> None:
    """A kind of issue the loader records but no rule reports would be lost without a word."""
    reporters = {kind: [r.code for r in RULES if r.issue_kind is kind] for kind in IssueKind}
    assert {kind: codes for kind, codes in reporters.items() if len(codes) != 1} == {}
    # The comment beside each kind names its rule.
    source = Path(issues_module.__file__).read_text(encoding="utf-8")
    for kind, (code,) in reporters.items():
        assert f'= "{kind.value}"  # {code}' in source, kind
