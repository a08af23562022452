"""What a rule is, and the read-only context rules see."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kbtool.config import Config
from kbtool.findings import Problem, Severity
from kbtool.procedure import Procedure
from kbtool.roster import Roster


@dataclass(frozen=True)
class LintContext:
    """Everything a rule may read besides the procedure itself. Never mutated by rules."""

    config: Config
    roster: Roster | None
    today: dt.date
    ids: dict[str, list[Procedure]]  # id -> procedures that declare it
    by_path: dict[Path, Procedure]  # resolved path -> procedure, for link targets
    anchors_cache: dict[Path, frozenset[str]] = field(default_factory=dict)


CheckFunction = Callable[[Procedure, LintContext], Iterator[Problem]]


@dataclass(frozen=True)
class Rule:
    """A lint rule: its docstring is its user documentation."""

    code: str
    name: str
    severity: Severity
    check: CheckFunction
    family: str

    @property
    def summary(self) -> str:
        return self.doc.split("\n\n", 1)[0].replace("\n", " ").strip()

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")


def rule(code: str, name: str, severity: Severity) -> Callable[[CheckFunction], Rule]:
    """Declare a rule: `@rule("OW002", "owner-unknown", Severity.ERROR)` over its check."""

    def wrap(function: CheckFunction) -> Rule:
        family = function.__module__.rsplit(".", 1)[-1]
        return Rule(code=code, name=name, severity=severity, check=function, family=family)

    return wrap
