"""Typed domain exceptions, translated once at the edge (CLI or MkDocs plugin)."""

from __future__ import annotations


class KbtoolError(Exception):
    """Base of every error kbtool reports to a user instead of a traceback."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        super().__init__(self.located())

    def located(self) -> str:
        if self.path is None:
            return self.message
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class ConfigError(KbtoolError):
    """The configuration file is missing, unparsable or has a bad key or value."""


class RosterError(KbtoolError):
    """The roster file is missing, unparsable or malformed."""


class UsageError(KbtoolError):
    """The user asked for something that cannot be done (unknown id, unknown rule code...)."""


class AmbiguousIdError(UsageError):
    """An id typed in a case that matches several ids differing only in case."""

    def __init__(self, ident: str, holders: list[tuple[str, str]]) -> None:
        where = ", ".join(f"{other} in {path}" for other, path in sorted(holders))
        super().__init__(
            f"id {ident!r} matches ids that differ only in case ({where}); type it exactly"
        )


class NotFoundError(KbtoolError):
    """A procedure, id or file that the user named does not exist."""
