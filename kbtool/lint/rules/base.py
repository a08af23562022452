"""What a rule is, and the read-only context rules see."""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from kbtool.lint.findings import Problem, Severity
from kbtool.model.config import Config
from kbtool.model.procedure import Procedure
from kbtool.model.review import Ownership, ReviewState, ownership, review_state
from kbtool.model.roster import Roster


@dataclass(frozen=True)
class LintContext:
    """Everything a rule may read besides the procedure itself. Rules never change it.

    The `_memo` dictionaries only remember values derived from a procedure (its review state,
    ownership, resolved links) so that several rules asking the same question pay once.
    """

    config: Config
    roster: Roster | None
    today: dt.date
    ids: dict[str, list[str]]  # id -> paths (relative to the procedures folder) declaring it
    anchors: dict[str, frozenset[str]]  # normalised absolute path of a procedure -> anchors
    retired: frozenset[str] = frozenset()  # ids of retired procedures
    anchors_cache: dict[str, frozenset[str] | None] = field(default_factory=dict)
    _memo: dict[tuple[str, int], object] = field(default_factory=dict)

    @functools.cached_property
    def ids_ignoring_case(self) -> dict[str, list[tuple[str, str]]]:
        """Case-folded id -> (id as written, path) of every procedure declaring it."""
        folded: dict[str, list[tuple[str, str]]] = {}
        for ident, paths in self.ids.items():
            folded.setdefault(ident.casefold(), []).extend((ident, path) for path in paths)
        return folded

    def review(self, procedure: Procedure) -> ReviewState:
        return self.memo("review", procedure, review_state, self.config, self.today)  # type: ignore[return-value]

    def ownership(self, procedure: Procedure) -> Ownership:
        return self.memo("ownership", procedure, ownership, self.roster, self.today)  # type: ignore[return-value]

    def memo(
        self, name: str, procedure: Procedure, compute: Callable[..., object], *args: object
    ) -> object:
        """`compute(procedure, *args)`, once per procedure and name."""
        key = (name, id(procedure))
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = compute(procedure, *args)
            return value


CheckFunction = Callable[[Procedure, LintContext], Iterator[Problem]]


@dataclass(frozen=True)
class Rule:
    """A lint rule: its docstring is its user documentation."""

    code: str
    name: str
    severity: Severity
    check: CheckFunction
    family: str
    #: For rules that report a kind of `LoadIssue`: the engine skips them for clean files.
    issue_kind: str | None = None

    @property
    def summary(self) -> str:
        return self.doc.split("\n\n", 1)[0].replace("\n", " ").strip()

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")


def rule(
    code: str, name: str, severity: Severity, *, issue: str | None = None
) -> Callable[[CheckFunction], Rule]:
    """Declare a rule: `@rule("OW002", "owner-unknown", Severity.ERROR)` over its check."""

    def wrap(function: CheckFunction) -> Rule:
        family = function.__module__.rsplit(".", 1)[-1]
        return Rule(
            code=code,
            name=name,
            severity=severity,
            check=function,
            family=family,
            issue_kind=issue,
        )

    return wrap
