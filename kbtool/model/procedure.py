"""The procedure model: one Markdown file parsed into typed fields with source positions.

Loading never raises for bad content: encoding problems, a missing or broken front matter, wrong
types and the like are recorded as `LoadIssue`s (`kbtool.model.issues`), which the rules turn
into findings. The search
index and the site consume the same `Procedure` objects as the linter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbtool.core.display import ACTING
from kbtool.core.fileio import FileTooLargeError, NotRegularFileError, read_regular
from kbtool.model.config import AUDIENCES, KNOWN_FIELDS, MAX_REVIEW_DAYS, STATUSES, Config
from kbtool.model.issues import IssueKind, LoadIssue
from kbtool.model.yamlload import YamlError, load_yaml

if TYPE_CHECKING:
    from kbtool.model.roster import Roster
if TYPE_CHECKING:  # the scanner is imported when a body is first scanned: search, which only
    # builds Procedures from stored fields, never needs it at start-up
    from kbtool.model.markdown_scan import BodyScan

_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M)
_OPENER_WITH_SPACES = re.compile(r"---[ \t]+\n")  # `--- ` with trailing blanks still opens
_CONTROL = ACTING  # what the outputs show as `\xNN`: flagged and removed from field values


@dataclass
class Procedure:
    """A parsed procedure. `fields` holds typed values of the known fields that were valid."""

    path: Path  # absolute
    rel_path: str  # relative to the procedures folder, forward slashes
    raw: Mapping[str, Any] = field(default_factory=dict)  # front matter exactly as written
    key_lines: Mapping[str, int] = field(default_factory=dict)  # front-matter key -> file line
    fields: dict[str, Any] = field(default_factory=dict)  # canonical field -> typed value
    field_sources: dict[str, str] = field(default_factory=dict)  # canonical -> key as written
    #: canonical -> where a value not in the front matter came from ("default for email/**",
    #: "standing backup of jdoe"); see `kbtool.model.effective`
    origins: dict[str, str] = field(default_factory=dict)
    issues: list[LoadIssue] = field(default_factory=list)
    has_front_matter: bool = False
    front_matter_end_line: int = 0  # the closing `---` line (0 when there is none)
    body: str = ""
    body_start_line: int = 1
    scan: BodyScan | None = None
    mtime_ns: int = 0
    size: int = 0

    # -- typed accessors --------------------------------------------------------------------

    def get(self, name: str) -> Any:
        return self.fields.get(name)

    @property
    def id(self) -> str | None:
        value = self.fields.get("id")
        return value if isinstance(value, str) else None

    @property
    def title(self) -> str:
        """The title to show: front matter, else the first H1, else the file name."""
        value = self.fields.get("title")
        if isinstance(value, str) and value.strip():
            return value
        if self.scan is not None and self.scan.first_h1:
            return self.scan.first_h1
        return Path(self.rel_path).stem.replace("-", " ").replace("_", " ")

    @property
    def summary(self) -> str | None:
        value = self.fields.get("summary")
        return value if isinstance(value, str) else None

    @property
    def service(self) -> str | None:
        value = self.fields.get("service")
        return value if isinstance(value, str) else None

    @property
    def status(self) -> str:
        value = self.fields.get("status")
        return value if isinstance(value, str) else "published"

    @property
    def audience(self) -> str | None:
        value = self.fields.get("audience")
        return value if isinstance(value, str) else None

    @property
    def owner(self) -> str | None:
        value = self.fields.get("owner")
        return value if isinstance(value, str) else None

    @property
    def backup(self) -> str | None:
        value = self.fields.get("backup")
        return value if isinstance(value, str) else None

    @property
    def reviewed(self) -> dt.date | None:
        value = self.fields.get("reviewed")
        return value if isinstance(value, dt.date) else None

    @property
    def review_every(self) -> int | None:
        value = self.fields.get("review_every")
        return value if isinstance(value, int) else None

    @property
    def escalate_to(self) -> str | None:
        value = self.fields.get("escalate_to")
        return value if isinstance(value, str) else None

    @property
    def tags(self) -> list[str]:
        return list(self.fields.get("tags") or [])

    @property
    def error_codes(self) -> list[str]:
        return list(self.fields.get("error_codes") or [])

    @property
    def related(self) -> list[str]:
        return list(self.fields.get("related") or [])

    @property
    def superseded_by(self) -> str | None:
        """The id of the procedure that replaced this one (retired procedures)."""
        value = self.fields.get("superseded_by")
        return value.strip() or None if isinstance(value, str) else None

    def line_of(self, name: str) -> int:
        """The file line of canonical field `name` (or of the front matter's start)."""
        key = self.field_sources.get(name, name)
        return self.key_lines.get(key, 1)

    def issues_of(self, kind: IssueKind) -> list[LoadIssue]:
        if not self.issues:
            return []
        return [issue for issue in self.issues if issue.kind == kind]


# --- field types ----------------------------------------------------------------------------


def _as_text(value: Any) -> str:
    if isinstance(value, bool | list | dict) or value is None:
        raise ValueError("must be text")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _as_str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        # `tags: outlook, profile` is a common slip; accept it as a comma list.
        return [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list):
        raise ValueError("must be a list, e.g. [a, b]")
    items: list[str] = []
    for item in value:
        if isinstance(item, list | dict) or item is None or isinstance(item, bool):
            raise ValueError("must be a list of plain values")
        items.append(str(item))
    return items


class _OutOfRange(ValueError):
    """The value has the right type but is outside what the field allows (FM007)."""


def _as_review_days(value: Any) -> int:
    days: int
    if isinstance(value, bool) or not isinstance(value, int):
        text = value.strip() if isinstance(value, str) else ""
        if not (text.isascii() and text.isdigit()):
            raise ValueError("must be a whole number of days, e.g. 180")
        if len(text.lstrip("0")) > len(str(MAX_REVIEW_DAYS)):
            raise _OutOfRange(f"must be at most {MAX_REVIEW_DAYS} days (100 years)")
        days = int(text)
    else:
        days = value
    if days <= 0:
        raise ValueError("must be a positive number of days")
    if days > MAX_REVIEW_DAYS:
        raise _OutOfRange(
            f"is {days} days; a review interval is at most {MAX_REVIEW_DAYS} days (100 years)"
        )
    return days


_TYPES = {
    "id": _as_text,
    "title": _as_text,
    "summary": _as_text,
    "service": _as_text,
    "tags": _as_str_list,
    "audience": _as_text,
    "status": _as_text,
    "owner": _as_text,
    "backup": _as_text,
    "review_every": _as_review_days,
    "escalate_to": _as_text,
    "error_codes": _as_str_list,
    "related": _as_str_list,
    "superseded_by": _as_text,
}


def format_date(day: dt.date, fmt: str) -> str:
    """`day` written in the date format `fmt`, the year always with four digits (glibc's
    `%Y` writes year 1 as `1`, which no format reads back)."""
    return day.strftime(re.sub(r"(?<!%)%Y", f"{day.year:04d}", fmt))


def parse_date(value: Any, formats: tuple[str, ...]) -> dt.date:
    """A date from YAML (already a date) or text in one of the configured formats."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for fmt in formats:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    shown = ", ".join(dt.date(2026, 10, 1).strftime(f) for f in formats)
    raise ValueError(f"is not a date (expected e.g. {shown})")


# --- loading --------------------------------------------------------------------------------


def load_procedure(
    path: Path, rel_path: str, config: Config, roster: Roster | None = None
) -> Procedure:
    """Read and parse one file. Never raises for the file's content; see `Procedure.issues`.

    The result holds the effective values (`kbtool.model.effective`): the `[[defaults]]` of
    `config`, and with `roster` the owner's standing backup, where the front matter is silent.

    Only a regular file is read, and no more than `max_file_bytes` of it (`fileio.read_regular`):
    a pipe or a device is reported, never waited on or read without end.
    """
    procedure = Procedure(path=path, rel_path=rel_path)
    try:
        data, stat = read_regular(path, config.max_file_bytes)
    except FileTooLargeError as exc:
        said = (
            "file holds more than its size says"
            if exc.while_reading
            else f"file is {exc.size:,} bytes"
        )
        procedure.issues.append(
            LoadIssue(
                IssueKind.TOO_LARGE,
                f"{said}, over the limit of {config.max_file_bytes:,} (max_file_bytes); "
                "split it or raise the limit",
            )
        )
        return procedure
    except NotRegularFileError as exc:
        procedure.issues.append(
            LoadIssue(IssueKind.SPECIAL, f"{exc.kind}, not a regular file: not read; remove it")
        )
        return procedure
    except OSError as exc:
        reason = exc.strerror or str(exc)
        procedure.issues.append(LoadIssue(IssueKind.UNREADABLE, f"cannot read file: {reason}"))
        return procedure
    procedure.mtime_ns, procedure.size = stat.st_mtime_ns, stat.st_size
    parse_text(procedure, data, config)
    if roster is not None:
        from kbtool.model.effective import apply_standing_backup

        apply_standing_backup(procedure, roster)
    return procedure


#: A NUL in the first bytes makes the whole file binary (an image, UTF-16); one further down is
#: reported where it is.
_SNIFF_BYTES = 8192


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in bytes) of `offset` in `data`."""
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def parse_text(procedure: Procedure, data: bytes, config: Config) -> None:
    """Fill `procedure` from the file's bytes, then the `[[defaults]]` it leaves out."""
    _parse_text(procedure, data, config)
    if config.defaults:
        from kbtool.model.effective import apply_defaults

        apply_defaults(procedure, config)


def _parse_text(procedure: Procedure, data: bytes, config: Config) -> None:
    if not data.strip():
        procedure.issues.append(LoadIssue(IssueKind.EMPTY, "file is empty"))
        return
    nul = data.find(b"\x00")  # anywhere: the read is bounded by max_file_bytes
    if 0 <= nul < _SNIFF_BYTES:
        procedure.issues.append(
            LoadIssue(IssueKind.BINARY, "file looks binary (contains NUL bytes)")
        )
        return
    if nul != -1:  # a text file with a NUL further down: binary content pasted in
        line, col = _position(data, nul)
        procedure.issues.append(
            LoadIssue(
                IssueKind.BINARY, "NUL byte in the text: the file is binary from here", line, col
            )
        )
        return
    if data.startswith(b"\xef\xbb\xbf"):
        procedure.issues.append(
            LoadIssue(IssueKind.BOM, "file starts with a UTF-8 byte order mark")
        )
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(data, exc.start)
        procedure.issues.append(
            LoadIssue(
                IssueKind.ENCODING,
                f"not valid UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded; "
                "save the file as UTF-8",
                line,
                col,
            )
        )
        return
    if "\r\n" in text:
        bare_lf = text.count("\n") - text.count("\r\n")
        if bare_lf:
            procedure.issues.append(
                LoadIssue(IssueKind.LINE_ENDINGS, "mixed line endings (CRLF and LF); use one style")
            )
        text = text.replace("\r\n", "\n")
    if "\r" in text:
        text = text.replace("\r", "\n")

    if not text.startswith("---\n") and not _OPENER_WITH_SPACES.match(text):
        procedure.body = text
        procedure.body_start_line = 1
        procedure.issues.append(
            LoadIssue(
                IssueKind.NO_FRONT_MATTER, "no front matter: the file must start with a '---' line"
            )
        )
        from kbtool.model.markdown_scan import scan_body

        procedure.scan = scan_body(text, 1)
        return

    yaml_start = text.index("\n") + 1
    end = _FRONT_MATTER_END.search(text, yaml_start)
    if end is None:
        procedure.issues.append(
            LoadIssue(
                IssueKind.NO_FRONT_MATTER, "front matter is not closed: add a '---' line after it"
            )
        )
        procedure.body = ""
        return
    yaml_text = text[yaml_start : end.start()]
    procedure.has_front_matter = True
    procedure.front_matter_end_line = text.count("\n", 0, end.start()) + 1
    body_start = end.end() + 1
    procedure.body = text[body_start:]
    procedure.body_start_line = procedure.front_matter_end_line + 1
    from kbtool.model.markdown_scan import scan_body

    procedure.scan = scan_body(procedure.body, procedure.body_start_line)

    try:
        document = load_yaml(yaml_text, max_depth=1, first_line=2)
    except YamlError as exc:
        if exc.duplicate_key:
            kind = IssueKind.DUPLICATE_KEY
        elif exc.control_character:
            kind = IssueKind.CONTROL_CHARS
        else:
            kind = IssueKind.YAML
        procedure.issues.append(LoadIssue(kind, exc.message, exc.line, exc.col))
        return
    if document.value is None:
        procedure.issues.append(LoadIssue(IssueKind.NOT_MAPPING, "front matter is empty", 1))
        return
    if not isinstance(document.value, dict):
        shape = _YAML_KINDS.get(type(document.value).__name__, "plain value")
        procedure.issues.append(
            LoadIssue(
                IssueKind.NOT_MAPPING, f"front matter must be `key: value` lines, not a {shape}", 2
            )
        )
        return
    procedure.raw = document.value
    procedure.key_lines = {str(path[0]): line for path, line in document.lines.items()}
    noted = _note_issues(procedure, document.notes)
    # Control characters arrive raw or as double-quoted escapes ("\x1b", "\u202e").
    check_control = "\\" in yaml_text or _CONTROL.search(yaml_text) is not None
    _type_fields(procedure, config, check_control=check_control, skip=noted)


def _note_issues(procedure: Procedure, notes: tuple[YamlError, ...]) -> set[str]:
    """Findings for values YAML read only as text (numbers too long); the keys holding them."""
    keys: set[str] = set()
    by_line = sorted((line, key) for key, line in procedure.key_lines.items())
    for note in notes:
        key = next((k for line, k in reversed(by_line) if line <= note.line), None)
        if key is None:
            continue
        keys.add(key)
        procedure.issues.append(
            LoadIssue(IssueKind.BAD_TYPE, f"'{key}' holds {note.message}", note.line, note.col)
        )
    return keys


_YAML_KINDS = {"list": "list", "str": "line of text", "int": "number", "float": "number"}


def _has_control(value: Any) -> bool:
    if isinstance(value, str):
        return _CONTROL.search(value) is not None
    if isinstance(value, list):
        return any(isinstance(v, str) and _CONTROL.search(v) for v in value)
    return False


def _strip_control(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, list):
        return [_CONTROL.sub("", v) if isinstance(v, str) else v for v in value]
    return value


def _type_fields(
    procedure: Procedure,
    config: Config,
    *,
    check_control: bool = True,
    skip: set[str] | frozenset[str] = frozenset(),
) -> None:
    raw = procedure.raw
    for name in KNOWN_FIELDS:
        key = config.aliases.get(name, name)
        if key not in raw:
            # An aliased knowledge base may still use our own key name, unless it declared that
            # key as one of its own with another meaning (`fields.extra`, e.g. `audience`).
            if name in raw and key != name and name not in config.extra_fields:
                key = name
            else:
                continue
        procedure.field_sources[name] = key
        value = raw[key]
        if key in skip:
            continue  # already reported: its value could not be read as written
        if value is None or value == "" or value == []:
            continue  # treated as absent; the required-field rule reports it when needed
        line = procedure.key_lines.get(key, 1)
        try:
            if name == "reviewed":
                typed: Any = parse_date(value, config.date_formats)
            else:
                typed = _TYPES[name](value)
        except _OutOfRange as exc:
            procedure.issues.append(LoadIssue(IssueKind.BAD_VALUE, f"'{key}' {exc}", line))
            continue
        except ValueError as exc:
            kind = IssueKind.BAD_DATE if name == "reviewed" else IssueKind.BAD_TYPE
            procedure.issues.append(LoadIssue(kind, f"'{key}' {exc}", line))
            continue
        if check_control and _has_control(typed):
            procedure.issues.append(
                LoadIssue(
                    IssueKind.CONTROL_CHARS,
                    f"'{key}' contains control or bidirectional-override characters; "
                    "delete them (they can hide text or break terminals)",
                    line,
                )
            )
            typed = _strip_control(typed)
        if name == "status" and typed not in STATUSES:
            allowed = ", ".join(STATUSES)
            procedure.issues.append(
                LoadIssue(IssueKind.BAD_VALUE, f"'{key}' is {typed!r}; use one of {allowed}", line)
            )
            continue
        if name == "audience" and typed not in AUDIENCES:
            # An adopted knowledge base often has an `audience` of its own (`ITPro`): keep
            # theirs and read ours from another key rather than rewrite every file.
            own = (
                "; if this knowledge base's 'audience' means something else, keep it with "
                'fields.extra = ["audience"] and read ours from another key: '
                'aliases = { audience = "kbtool.audience" }'
                if key == "audience" and typed.upper() not in AUDIENCES
                else ""
            )
            procedure.issues.append(
                LoadIssue(
                    IssueKind.BAD_VALUE,
                    f"'{key}' is {typed!r}; use one of {', '.join(AUDIENCES)}{own}",
                    line,
                )
            )
            continue
        procedure.fields[name] = typed
