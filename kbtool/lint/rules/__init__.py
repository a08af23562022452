"""The explicit registry of lint rules, by family. Unknown codes are refused by name."""

from __future__ import annotations

from kbtool.lint.rules import files, freshness, frontmatter, links, ownership, raw_html, structure
from kbtool.lint.rules.base import LintContext, Rule

_FAMILIES = {
    "FI": ("Files", files),
    "FM": ("Front matter", frontmatter),
    "OW": ("Ownership", ownership),
    "FR": ("Freshness", freshness),
    "ST": ("Structure", structure),
    "LN": ("Links", links),
    "HT": ("HTML and scripts", raw_html),
}


def _collect() -> tuple[Rule, ...]:
    found: list[Rule] = []
    for _, module in _FAMILIES.values():
        found.extend(v for v in vars(module).values() if isinstance(v, Rule))
    return tuple(sorted(found, key=lambda r: r.code))


RULES: tuple[Rule, ...] = _collect()
RULES_BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
FAMILY_TITLES: dict[str, str] = {prefix: title for prefix, (title, _) in _FAMILIES.items()}

__all__ = ["RULES", "RULES_BY_CODE", "FAMILY_TITLES", "LintContext", "Rule", "matches_any"]


def matches_any(code: str, selectors: tuple[str, ...] | list[str]) -> bool:
    """`--select FR` selects FR001..; a selector is a code prefix (or ALL)."""
    return any(s == "ALL" or code.startswith(s) for s in selectors)


def unknown_selectors(selectors: tuple[str, ...] | list[str]) -> list[str]:
    """Selectors that match no rule code (typos such as `FX001`)."""
    return [s for s in selectors if s != "ALL" and not any(r.code.startswith(s) for r in RULES)]
