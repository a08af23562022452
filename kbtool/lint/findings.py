"""Findings: immutable values with 1-based positions, produced by rules and the loader."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.IntEnum):
    """Ordered so that `max()` gives the worst severity."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


@dataclass(frozen=True, slots=True)
class Problem:
    """What a rule yields: a message at a position. The engine adds code and severity."""

    message: str
    line: int = 1
    col: int = 1


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem stamped by the engine with its rule code and configured severity."""

    path: str  # as given to the linter (the procedure's path relative to the current directory)
    line: int
    col: int
    code: str
    severity: Severity
    message: str

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)
