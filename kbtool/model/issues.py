"""What can be wrong with a file, found while reading it: `LoadIssue`s of an `IssueKind`.

Loading never raises for bad content; each issue is recorded with its position, and the lint
rule declared for its kind (`@rule(..., issue=IssueKind.ENCODING)`) reports it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class IssueKind(enum.StrEnum):
    """A kind of load issue; the comment names the rule that reports it."""

    # The file itself, before any Markdown is read (the walk refuses the last three).
    ENCODING = "encoding"  # FI001
    EMPTY = "empty"  # FI002
    TOO_LARGE = "too-large"  # FI003
    BINARY = "binary"  # FI004
    UNREADABLE = "unreadable"  # FI005
    BOM = "bom"  # FI006
    LINE_ENDINGS = "line-endings"  # FI007
    OUTSIDE = "outside"  # FI008
    SPECIAL = "special"  # FI009
    # The front matter.
    NO_FRONT_MATTER = "no-front-matter"  # FM001
    YAML = "yaml"  # FM002
    DUPLICATE_KEY = "duplicate-key"  # FM003
    NOT_MAPPING = "not-mapping"  # FM004
    BAD_TYPE = "bad-type"  # FM006
    BAD_VALUE = "bad-value"  # FM007
    BAD_DATE = "bad-date"  # FM011
    CONTROL_CHARS = "control-chars"  # FM012


#: Issues that mean none of the front matter could be read: nothing is known of the file's
#: fields (the site shows only that; `kbtool review` refuses to edit it).
FRONT_MATTER_UNREAD: frozenset[IssueKind] = frozenset(
    {
        IssueKind.ENCODING,
        IssueKind.EMPTY,
        IssueKind.TOO_LARGE,
        IssueKind.BINARY,
        IssueKind.UNREADABLE,
        IssueKind.SPECIAL,
        IssueKind.NO_FRONT_MATTER,
        IssueKind.YAML,
        IssueKind.DUPLICATE_KEY,
        IssueKind.NOT_MAPPING,
    }
)


@dataclass(frozen=True, slots=True)
class LoadIssue:
    """Something wrong found while reading a file; `kind` selects the rule that reports it."""

    kind: IssueKind
    message: str
    line: int = 1
    col: int = 1
