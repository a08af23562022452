"""What a rule is, and the context rules see: read-only facts and the rules' shared memo."""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from kbtool.lint.findings import Problem, Severity
from kbtool.model.config import Config
from kbtool.model.issues import IssueKind
from kbtool.model.procedure import Procedure
from kbtool.model.review import Ownership, ReviewState, ownership, review_state
from kbtool.model.roster import Roster

T = TypeVar("T")


@dataclass(frozen=True)
class LintContext:
    """Everything a rule may read besides the procedure itself, and the rules' shared memo.

    The facts (configuration, roster, date, the ids and heading anchors of the whole knowledge
    base) are read-only: rules never change them. The memo is the one thing rules write to,
    and only through `memo` and `memo_path`: a value derived from a procedure or a file that
    several rules need (a procedure's review state, ownership, resolved links, HTML; the
    anchors of a file read on demand) is computed once per run. Each value is a function of
    the facts and its procedure or file alone, so no rule's findings depend on which rule ran
    first, and a worker process's memo needs no sharing.
    """

    config: Config
    roster: Roster | None
    today: dt.date
    ids: Mapping[str, list[str]]  # id -> paths (relative to the procedures folder) declaring it
    anchors: Mapping[str, frozenset[str]]  # normalised absolute path of a procedure -> anchors
    retired: frozenset[str] = frozenset()  # ids of retired procedures
    _memo: dict[tuple[str, object], Any] = field(default_factory=dict, repr=False, compare=False)

    @functools.cached_property
    def ids_ignoring_case(self) -> dict[str, list[tuple[str, str]]]:
        """Case-folded id -> (id as written, path) of every procedure declaring it."""
        folded: dict[str, list[tuple[str, str]]] = {}
        for ident, paths in self.ids.items():
            folded.setdefault(ident.casefold(), []).extend((ident, path) for path in paths)
        return folded

    def review(self, procedure: Procedure) -> ReviewState:
        return self.memo("review", procedure, review_state, self.config, self.today)

    def ownership(self, procedure: Procedure) -> Ownership:
        return self.memo("ownership", procedure, ownership, self.roster, self.today)

    def memo(self, name: str, procedure: Procedure, compute: Callable[..., T], *args: object) -> T:
        """`compute(procedure, *args)`, once per procedure and name."""
        key = (name, id(procedure))
        try:
            return cast(T, self._memo[key])
        except KeyError:
            value = self._memo[key] = compute(procedure, *args)
            return value

    def memo_path(self, name: str, path: str, compute: Callable[[str], T]) -> T:
        """`compute(path)`, once per path and name: for files read on demand."""
        key = (name, path)
        try:
            return cast(T, self._memo[key])
        except KeyError:
            value = self._memo[key] = compute(path)
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
    issue_kind: IssueKind | None = None

    @property
    def summary(self) -> str:
        return self.doc.split("\n\n", 1)[0].replace("\n", " ").strip()

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")


def rule(
    code: str, name: str, severity: Severity, *, issue: IssueKind | None = None
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
