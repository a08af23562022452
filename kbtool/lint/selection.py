"""Which rules run and at what severity: from `[lint]` in kbtool.toml and the command line.

The rule codes configuration names are checked here, where the rules are known: the model
checks the shape of `[lint]` (lists of strings, severity levels) and cannot know the codes
without importing the rules, which import the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kbtool.core.errors import ConfigError
from kbtool.lint.findings import Severity
from kbtool.lint.rules import RULES, Rule, matches_any, unknown_selectors
from kbtool.model.config import Config


@dataclass(frozen=True)
class RuleSelection:
    """Which rules run and at what severity, from configuration and the command line."""

    rules: tuple[Rule, ...]
    severities: dict[str, Severity]

    @classmethod
    def from_config(
        cls, config: Config, *, select: Sequence[str] = (), ignore: Sequence[str] = ()
    ) -> RuleSelection:
        """The rules `config` selects. `select` (e.g. `--select`) replaces `lint.select`;
        `ignore` adds to `lint.ignore`.

        Raises `ConfigError` naming the file and the key (`'lint.select' names unknown rule
        code(s) FX001`) for a code that selects no rule: every surface that lints (the CLI,
        the MkDocs plugin, `kbtool new`) refuses the same configuration in the same words.
        """
        check_config_codes(config)
        return cls.build(
            select=list(select) or list(config.lint.select),
            ignore=[*config.lint.ignore, *ignore],
            severity=dict(config.lint.severity),
            source=_source(config),
        )

    @classmethod
    def build(
        cls,
        *,
        select: Sequence[str] = (),
        ignore: Sequence[str] = (),
        severity: Mapping[str, str] | None = None,
        source: str = "command line",
    ) -> RuleSelection:
        """A selection from explicit lists (every rule at its default severity when empty)."""
        for name, selectors in (("select", select), ("ignore", ignore)):
            bad = unknown_selectors(list(selectors))
            if bad:
                raise ConfigError(f"{name}: unknown rule code(s) {', '.join(bad)}", path=source)
        chosen = tuple(
            r
            for r in RULES
            if (not select or matches_any(r.code, list(select)))
            and not matches_any(r.code, list(ignore))
        )
        severities = {r.code: r.severity for r in RULES}
        overrides = severity or {}
        bad = unknown_selectors(list(overrides))
        if bad:
            raise ConfigError(f"lint.severity: unknown rule code(s) {', '.join(bad)}", path=source)
        # Longer (more specific) prefixes win: `FR = "warning"` then `FR001 = "error"`.
        for selector in sorted(overrides, key=len):
            for code in severities:
                if code.startswith(selector):
                    severities[code] = Severity.parse(overrides[selector])
        return cls(chosen, severities)


def check_config_codes(config: Config) -> None:
    """Refuse rule codes or prefixes in `[lint]` that select no rule (typos such as `FX001`),
    naming the key, as every other configuration error does."""
    lint = config.lint
    keys: tuple[tuple[str, Sequence[str]], ...] = (
        ("lint.select", lint.select),
        ("lint.ignore", lint.ignore),
        ("lint.severity", list(lint.severity)),
        ("lint.per_file_ignores", [c for codes in lint.per_file_ignores.values() for c in codes]),
    )
    for key, codes in keys:
        bad = unknown_selectors(list(codes))
        if bad:
            raise ConfigError(
                f"'{key}' names unknown rule code(s) {', '.join(bad)} (see `kbtool rules`)",
                path=_source(config),
            )


def _source(config: Config) -> str:
    return str(config.source) if config.source else "configuration"
