"""Configuration: discovery, loading and complete validation.

One loader serves the CLI and the MkDocs plugin, so the site and the linter always agree.
Every key is validated at load time; an error names the file and the key (`lint.severity.XX`).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtool.core.errors import ConfigError
from kbtool.core.fileio import read_regular_text

CONFIG_FILENAME = "kbtool.toml"

#: Front-matter fields kbtool knows, in the order `kbtool new` writes them.
KNOWN_FIELDS: tuple[str, ...] = (
    "id",
    "title",
    "summary",
    "service",
    "tags",
    "audience",
    "status",
    "owner",
    "backup",
    "reviewed",
    "review_every",
    "escalate_to",
    "error_codes",
    "related",
    "superseded_by",
)

#: The longest review interval (and due-soon window) in days: 100 years. Longer ones are
#: mistakes or stand for "never"; refused so that no due date runs past the calendar.
MAX_REVIEW_DAYS = 36_500

STATUSES = ("draft", "published", "retired")
AUDIENCES = ("L1", "L2", "L3")


@dataclass(frozen=True)
class LintConfig:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def names_codes(self) -> bool:
        """True when any key names a rule code (to be checked against the rules)."""
        return bool(self.select or self.ignore or self.severity or self.per_file_ignores)


@dataclass(frozen=True)
class SearchConfig:
    log_misses: bool = True
    synonyms: str = "synonyms.yml"  # relative to the procedures folder


@dataclass(frozen=True)
class SiteConfig:
    #: Publish raw HTML in procedure bodies as written instead of sanitising it (and keep
    #: lint's HT001 quiet). Only for knowledge bases whose every author is trusted.
    allow_raw_html: bool = False


#: The fields a `[[defaults]]` block may give (the ones that describe who and what a folder is).
DEFAULTABLE_FIELDS: tuple[str, ...] = (
    "service",
    "owner",
    "backup",
    "audience",
    "review_every",
    "escalate_to",
)


@dataclass(frozen=True)
class FolderDefaults:
    """One `[[defaults]]` block: values for the procedures whose path matches one of `paths`.

    A glob is relative to the procedures folder, with `/` separators, matched as the
    `exclude` and `lint.per_file_ignores` globs are (`*` crosses folders); a glob without
    wildcards names a file or a whole folder (`email` is `email/**`).
    """

    paths: tuple[str, ...]
    values: Mapping[str, Any]
    index: int = 0  # the block's place in the file, from 0, for messages

    def match(self, rel_path: str) -> str | None:
        """The first glob that matches `rel_path`, or None."""
        for glob in self.paths:
            if fnmatch.fnmatchcase(rel_path, glob):
                return glob
            if not _GLOB_MAGIC.search(glob) and rel_path.startswith(glob.rstrip("/") + "/"):
                return glob
        return None


_GLOB_MAGIC = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class DialectConfig:
    """The Markdown dialects of other knowledge bases that kbtool reads (`[dialect]`), each off
    by default: syntax that is only text in CommonMark stays text unless asked for."""

    #: GitHub and Microsoft Learn alerts (`> [!NOTE]`, TIP, IMPORTANT, WARNING, CAUTION),
    #: published as admonitions; with them Learn's `> [!div ...]` and `> [!VIDEO url]`.
    alerts: bool = False
    #: Learn's `[!INCLUDE [title](path)]`: the file (inside the knowledge base) inlined.
    includes: bool = False
    #: Learn's `:::image type="content" source="..." alt-text="...":::`, an image.
    images: bool = False
    #: Learn's `:::no-loc text="...":::`, its text.
    no_loc: bool = False

    @property
    def any(self) -> bool:
        return self.alerts or self.includes or self.images or self.no_loc


@dataclass(frozen=True)
class LinksConfig:
    #: Where absolute links (`/powershell/module/...`) lead: the site they were written for
    #: (`https://learn.microsoft.com`). Unset, such a link cannot be followed or checked.
    base_url: str | None = None


@dataclass(frozen=True)
class EventsConfig:
    """`[events]`: what the site, the API and the CLI record (searches, opens, feedback)."""

    enabled: bool = True
    #: Empty: SQLite in the state folder. `postgresql://...`: one database for every server.
    url: str = ""
    keep_days: int = 180


@dataclass(frozen=True)
class Config:
    """The validated configuration of one knowledge base. Paths are absolute."""

    root: Path
    source: Path | None
    procedures_dir: Path
    roster_path: Path
    roster_explicit: bool
    exclude: tuple[str, ...] = ()
    max_file_bytes: int = 1_000_000
    id_pattern: str = r"KB-\d{4}"
    required_fields: tuple[str, ...] = ("id", "title", "service", "owner")
    required_when_published: tuple[str, ...] = ("summary", "backup", "reviewed")
    extra_fields: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)
    services: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    review_every: int = 180
    review_every_by_service: Mapping[str, int] = field(default_factory=dict)
    due_soon_days: int = 30
    required_sections: tuple[str, ...] = ("Symptoms", "Resolution", "Escalation")
    steps_section: str = "Resolution"
    defaults: tuple[FolderDefaults, ...] = ()
    lint: LintConfig = field(default_factory=LintConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    site: SiteConfig = field(default_factory=SiteConfig)
    dialect: DialectConfig = field(default_factory=DialectConfig)
    links: LinksConfig = field(default_factory=LinksConfig)
    events: EventsConfig = field(default_factory=EventsConfig)

    @property
    def id_regex(self) -> re.Pattern[str]:
        return re.compile(self.id_pattern)

    @functools.cached_property
    def state_dir(self) -> Path:
        """Where kbtool keeps its caches (the search index, the search log).

        `.kbtool/` at the knowledge base's root. Where that cannot be written (a read-only
        checkout or network share of procedures), a folder for this knowledge base in the
        user's cache (`$XDG_CACHE_HOME/kbtool/`, by default `~/.cache/kbtool/`), so that
        searching still works. Decided once per configuration, so every part of one command
        uses the same place and the query path does not check the folder again.
        """
        local = self.root / ".kbtool"
        if _writable(local):
            return local
        return user_cache_dir() / f"{self.root.name or 'root'}-{_path_key(self.root)}"

    def review_interval(self, service: str | None) -> int:
        if service is not None and service in self.review_every_by_service:
            return self.review_every_by_service[service]
        return self.review_every

    def source_key(self, name: str) -> str:
        """The front-matter key that holds canonical field `name` (after aliases)."""
        return self.aliases.get(name, name)


def user_cache_dir() -> Path:
    """kbtool's folder in the user's cache: `$XDG_CACHE_HOME/kbtool`, else `~/.cache/kbtool`."""
    base = os.environ.get("XDG_CACHE_HOME") or os.environ.get("LOCALAPPDATA")
    return (Path(base) if base else Path.home() / ".cache") / "kbtool"


def _writable(folder: Path) -> bool:
    """True when `folder` is a folder this process may write, or could be created as one."""
    if folder.is_dir():
        return os.access(folder, os.W_OK | os.X_OK)
    if folder.exists() or folder.is_symlink():
        return False  # a file (or a dangling link) in the way
    parent = folder.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return parent.is_dir() and os.access(parent, os.W_OK | os.X_OK)


# hashlib and difflib are imported where used: every command loads the configuration before
# anything else (`kbtool search` forks its freshness walk only after), and neither is needed
# on that path.


def _path_key(path: Path) -> str:
    import hashlib

    return hashlib.sha256(str(path).encode("utf-8", "surrogateescape")).hexdigest()[:12]


# --- validation helpers -------------------------------------------------------------------


Check = Callable[[str, Any], Any]


class _NestedValueError(ValueError):
    """A bad value inside a table: names the full key (`review.by_service.Email`)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _nested(checker: Check, key: str, value: Any) -> Any:
    try:
        return checker(key, value)
    except _NestedValueError:
        raise
    except ValueError as exc:
        raise _NestedValueError(key, str(exc)) from None


def _str(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _positive_int(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("must be a positive whole number")
    return value


def _non_negative_int(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("must be a whole number of 0 or more")
    return value


def _review_days(key: str, value: Any) -> int:
    days = _positive_int(key, value)
    if days > MAX_REVIEW_DAYS:
        raise ValueError(f"must be at most {MAX_REVIEW_DAYS} days (100 years)")
    return days


def _window_days(key: str, value: Any) -> int:
    days = _non_negative_int(key, value)
    if days > MAX_REVIEW_DAYS:
        raise ValueError(f"must be at most {MAX_REVIEW_DAYS} days (100 years)")
    return days


def _keep_days(key: str, value: Any) -> int:
    days = _positive_int(key, value)
    if days > MAX_REVIEW_DAYS:
        raise ValueError(f"must be at most {MAX_REVIEW_DAYS} days (100 years)")
    return days


def _events_url(key: str, value: Any) -> str:
    # Only the scheme is checked here: the rest is the database's to refuse, when connecting.
    if not isinstance(value, str):
        raise ValueError('must be a string: "" (SQLite in the state folder) or postgresql://...')
    if value and not re.match(r"postgres(ql)?(\+psycopg)?://", value):
        raise ValueError('must be "" (SQLite in the state folder) or a postgresql:// URL')
    return value


def _str_list(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError("must be a list of non-empty strings")
    return tuple(value)


def _regex(key: str, value: Any) -> str:
    text = _str(key, value)
    try:
        re.compile(text)
    except re.error as exc:
        raise ValueError(f"is not a valid regular expression: {exc}") from None
    return text


#: Dates every format must write and read back unchanged: day and month told apart, a leap
#: day, years of two centuries (for `%y`).
_ROUND_TRIP_DATES = (dt.date(2031, 12, 25), dt.date(2026, 10, 1), dt.date(1996, 2, 29))


def _date_formats(key: str, value: Any) -> tuple[str, ...]:
    """Formats that write a date (`kbtool review`, `kbtool new`) which reads back the same."""
    formats = _str_list(key, value)
    for fmt in formats:
        if "%" not in fmt:
            raise ValueError(f"{fmt!r} is not a strftime format such as '%m/%d/%Y'")
        if any(not ch.isprintable() for ch in fmt):
            raise ValueError(f"{fmt!r} must be one line of printable characters")
        for day in _ROUND_TRIP_DATES:
            try:
                written = day.strftime(fmt)
                read = dt.datetime.strptime(written, fmt).date()
            except ValueError as exc:
                raise ValueError(
                    f"{fmt!r} cannot write and read back a date ({exc}); use strftime "
                    "directives such as %Y, %m and %d"
                ) from None
            if read != day:
                raise ValueError(
                    f"{fmt!r} does not read back the date it writes ({day.isoformat()} is "
                    f"written {written!r}, read back as {read.isoformat()}); it needs the "
                    "year, the month and the day"
                )
    return formats


def _fields(key: str, value: Any) -> tuple[str, ...]:
    names = _str_list(key, value)
    for name in names:
        if name not in KNOWN_FIELDS:
            raise ValueError(f"{name!r} is not a known field{_did_you_mean(name, KNOWN_FIELDS)}")
    return names


def _aliases(key: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError("must be a table of field = front-matter key")
    for name, source in value.items():
        if name not in KNOWN_FIELDS:
            raise ValueError(f"{name!r} is not a known field{_did_you_mean(name, KNOWN_FIELDS)}")
        if not isinstance(source, str) or not source:
            raise ValueError(f"{name!r} must map to a front-matter key (a string)")
    return dict(value)


def _interval_table(key: str, value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        raise ValueError("must be a table of service = days")
    for service, days in value.items():
        _nested(_review_days, f"{key}.{service}", days)
    return dict(value)


def _rule_codes(key: str, value: Any) -> tuple[str, ...]:
    # Which codes exist is the lint layer's to say (`RuleSelection.from_config`): the rules
    # import this module, so it cannot import them.
    return _str_list(key, value)


def _severity_table(key: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError("must be a table of CODE = 'error' | 'warning' | 'info'")
    for code, level in value.items():
        if level not in ("error", "warning", "info"):
            raise ValueError(f"{code}: {level!r} is not one of error, warning, info")
    return dict(value)


def _per_file_table(key: str, value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise ValueError("must be a table of 'glob' = ['CODE', ...]")
    return {glob: _nested(_str_list, f"{key}.{glob}", codes) for glob, codes in value.items()}


def _glob(key: str, value: Any) -> str:
    """A path glob relative to the procedures folder, refused when it could never match."""
    glob = _str(key, value)
    if glob.startswith("/") or re.match(r"[A-Za-z]:", glob):
        raise ValueError(f"{glob!r} must be relative to the procedures folder (no leading /)")
    if "\\" in glob:
        raise ValueError(f"{glob!r} must use / between folders, not \\")
    parts = glob.split("/")
    if ".." in parts or glob.startswith("./"):
        raise ValueError(f"{glob!r} must stay inside the procedures folder (no . or .. parts)")
    if glob.count("[") != glob.count("]"):
        raise ValueError(f"{glob!r} has an unclosed [ ... ] set")
    return glob


def _defaults_blocks(key: str, value: Any) -> tuple[FolderDefaults, ...]:
    """`[[defaults]]`: a list of tables, each `path` (a glob or a list of globs) and fields."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValueError("must be [[defaults]] tables, each with a path and fields to default")
    blocks: list[FolderDefaults] = []
    allowed = ["path", *DEFAULTABLE_FIELDS]
    for number, table in enumerate(value):
        where = f"{key}[{number}]"
        for name in table:
            if name not in allowed:
                hint = _did_you_mean(name, allowed)
                if not hint and name in KNOWN_FIELDS:
                    hint = (
                        f" ({name!r} cannot be defaulted; the fields are {', '.join(allowed[1:])})"
                    )
                raise _NestedValueError(f"{where}.{name}", f"is not a known key{hint}")
        if "path" not in table:
            raise _NestedValueError(f"{where}.path", "is missing: name the folder, e.g. 'email/**'")
        raw_paths = table["path"]
        globs = (
            (_nested(_glob, f"{where}.path", raw_paths),)
            if not isinstance(raw_paths, list)
            else tuple(
                _nested(_glob, f"{where}.path[{i}]", item) for i, item in enumerate(raw_paths)
            )
        )
        if not globs:
            raise _NestedValueError(f"{where}.path", "must name at least one glob")
        values: dict[str, Any] = {}
        for name in DEFAULTABLE_FIELDS:
            if name not in table:
                continue
            sub = f"{where}.{name}"
            if name == "review_every":
                values[name] = _nested(_review_days, sub, table[name])
            elif name == "audience":
                text = _nested(_str, sub, table[name])
                if text not in AUDIENCES:
                    raise _NestedValueError(sub, f"is {text!r}; use one of {', '.join(AUDIENCES)}")
                values[name] = text
            else:
                text = _nested(_str, sub, table[name]).strip()
                if not text.isprintable():  # it reaches terminals, pages and CODEOWNERS
                    raise _NestedValueError(sub, "must be one line of printable characters")
                values[name] = text
        if not values:
            raise _NestedValueError(
                where, f"gives no field a default (any of {', '.join(DEFAULTABLE_FIELDS)})"
            )
        if "owner" in values and values.get("backup") == values["owner"]:
            raise _NestedValueError(
                f"{where}.backup", f"is the block's owner {values['owner']!r}; name another person"
            )
        blocks.append(FolderDefaults(paths=globs, values=values, index=number))
    return tuple(blocks)


def _base_url(key: str, value: Any) -> str:
    text = _str(key, value).strip()
    if not re.fullmatch(r"https?://[^\s/?#]+(?:/[^\s?#]*)?", text):
        raise ValueError(
            "must be an http:// or https:// address, e.g. 'https://learn.microsoft.com'"
        )
    return text.rstrip("/")


def _did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# Each section maps a key to (checker, attribute name on Config or sub-config).
_TOP: dict[str, tuple[Check, str]] = {
    "procedures": (_str, "procedures"),
    "roster": (_str, "roster"),
    "exclude": (_str_list, "exclude"),
    "max_file_bytes": (_positive_int, "max_file_bytes"),
    "defaults": (_defaults_blocks, "defaults"),
}
_SECTIONS: dict[str, dict[str, tuple[Check, str]]] = {
    "fields": {
        "id_pattern": (_regex, "id_pattern"),
        "required": (_fields, "required_fields"),
        "required_when_published": (_fields, "required_when_published"),
        "extra": (_str_list, "extra_fields"),
        "aliases": (_aliases, "aliases"),
        "services": (_str_list, "services"),
        "date_formats": (_date_formats, "date_formats"),
    },
    "review": {
        "every": (_review_days, "review_every"),
        "due_soon": (_window_days, "due_soon_days"),
        "by_service": (_interval_table, "review_every_by_service"),
    },
    "structure": {
        "required_sections": (_str_list, "required_sections"),
        "steps_section": (_str, "steps_section"),
    },
    "lint": {
        "select": (_rule_codes, "lint.select"),
        "ignore": (_rule_codes, "lint.ignore"),
        "severity": (_severity_table, "lint.severity"),
        "per_file_ignores": (_per_file_table, "lint.per_file_ignores"),
    },
    "search": {
        "log_misses": (_bool, "search.log_misses"),
        "synonyms": (_str, "search.synonyms"),
    },
    "site": {
        "allow_raw_html": (_bool, "site.allow_raw_html"),
    },
    "dialect": {
        "alerts": (_bool, "dialect.alerts"),
        "includes": (_bool, "dialect.includes"),
        "images": (_bool, "dialect.images"),
        "no_loc": (_bool, "dialect.no_loc"),
    },
    "links": {
        "base_url": (_base_url, "links.base_url"),
    },
    "events": {
        "enabled": (_bool, "events.enabled"),
        "url": (_events_url, "events.url"),
        "keep_days": (_keep_days, "events.keep_days"),
    },
}


def _validate(data: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Check every key of a parsed config table; return {attribute: value}."""
    values: dict[str, Any] = {}
    allowed = list(_TOP) + list(_SECTIONS)
    for key, value in data.items():
        if key in _TOP:
            checker, attr = _TOP[key]
            values[attr] = _check(checker, key, value, source)
        elif key in _SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(f"[{key}] must be a table", path=source)
            section = _SECTIONS[key]
            for sub, subvalue in value.items():
                if sub not in section:
                    hint = _did_you_mean(sub, list(section))
                    raise ConfigError(f"unknown key '{key}.{sub}'{hint}", path=source)
                checker, attr = section[sub]
                values[attr] = _check(checker, f"{key}.{sub}", subvalue, source)
        else:
            raise ConfigError(f"unknown key '{key}'{_did_you_mean(key, allowed)}", path=source)
    return values


def _check_default_services(values: Mapping[str, Any], source: str) -> None:
    """A default service must be in the service catalogue, when there is one."""
    catalogue = values.get("services") or ()
    for block in values.get("defaults", ()):
        service = block.values.get("service")
        if catalogue and service is not None and service not in catalogue:
            hint = _did_you_mean(service, list(catalogue))
            raise ConfigError(
                f"'defaults[{block.index}].service' {service!r} is not in fields.services{hint}",
                path=source,
            )


def _check(checker: Check, key: str, value: Any, source: str) -> Any:
    try:
        return checker(key, value)
    except _NestedValueError as exc:
        raise ConfigError(f"'{exc.key}' {exc}", path=source) from None
    except ValueError as exc:
        raise ConfigError(f"'{key}' {exc}", path=source) from None


# --- discovery and loading ----------------------------------------------------------------


def find_config_file(start: Path) -> Path | None:
    """The nearest kbtool.toml, or pyproject.toml with [tool.kbtool], from `start` upwards."""
    for folder in [start, *start.parents]:
        candidate = folder / CONFIG_FILENAME
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return False  # not readable as TOML (TOMLDecodeError is a ValueError): not ours
    tool = data.get("tool")
    return isinstance(tool, dict) and "kbtool" in tool


#: Far above any real configuration: a bound on what is read (`--config /dev/zero` never ends).
MAX_CONFIG_BYTES = 16 * 1024 * 1024


def _read_table(path: Path) -> dict[str, Any]:
    try:
        text = read_regular_text(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        raise ConfigError("configuration file not found", path=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("configuration file is not valid UTF-8", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read configuration: {exc.strerror or exc}", path=str(path)
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise ConfigError(f"invalid TOML: {exc}", path=str(path), line=line) from None
    except RecursionError:
        raise ConfigError(
            "invalid TOML: arrays or tables nested too deeply", path=str(path)
        ) from None
    except ValueError:  # a number too long for Python to read (over 4,300 digits)
        message, line = _too_long_number(text)
        raise ConfigError(message, path=str(path), line=line) from None
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("kbtool", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise ConfigError("[tool.kbtool] must be a table", path=str(path))
        return table
    return data


_LONG_DIGITS = re.compile(r"[0-9][0-9_]{4300}")
_TABLE_HEADER = re.compile(r"[ \t]*\[\[?[ \t]*([^\]=]+?)[ \t]*\]\]?[ \t]*(?:#.*)?")


def _too_long_number(text: str) -> tuple[str, int | None]:
    """What to say about a number too long for Python to read, and its line when found."""
    section = ""
    for number, line in enumerate(text.splitlines(), 1):
        header = _TABLE_HEADER.fullmatch(line)
        if header:
            section = header.group(1) + "."
        elif _LONG_DIGITS.search(line) and "=" in line:
            key = section + line.split("=", 1)[0].strip().strip("\"'")
            return f"'{key}' holds a number too long to read (over 4,300 digits)", number
    return "a number too long to read (over 4,300 digits)", None


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def load_config(
    *,
    config_file: Path | None = None,
    procedures: Path | None = None,
    cwd: Path | None = None,
) -> Config:
    """Load and validate the configuration.

    `config_file` (from `--config`) wins over discovery from `cwd` upwards; `procedures`
    (from `--procedures`) overrides the configured folder and is taken relative to `cwd`.
    """
    cwd = (cwd or Path.cwd()).resolve()
    source = config_file.resolve() if config_file is not None else find_config_file(cwd)
    values: dict[str, Any] = {}
    if source is not None:
        values = _validate(_read_table(source), str(source))
    root = source.parent if source is not None else cwd

    if procedures is not None:
        procedures_dir = (cwd / procedures).resolve()
    else:
        procedures_dir = (root / values.pop("procedures", "procedures")).resolve()
    values.pop("procedures", None)

    roster_value = values.pop("roster", None)
    roster_path = (root / roster_value).resolve() if roster_value else procedures_dir / "roster.yml"

    lint = LintConfig(
        select=values.pop("lint.select", ()),
        ignore=values.pop("lint.ignore", ()),
        severity=values.pop("lint.severity", {}),
        per_file_ignores=values.pop("lint.per_file_ignores", {}),
    )
    search = SearchConfig(
        log_misses=values.pop("search.log_misses", True),
        synonyms=values.pop("search.synonyms", "synonyms.yml"),
    )
    site = SiteConfig(allow_raw_html=values.pop("site.allow_raw_html", False))
    _check_default_services(values, str(source))
    dialect = DialectConfig(
        **{
            name: values.pop(f"dialect.{name}")
            for name in ("alerts", "includes", "images", "no_loc")
            if f"dialect.{name}" in values
        }
    )
    links = LinksConfig(base_url=values.pop("links.base_url", None))
    events = EventsConfig(
        enabled=values.pop("events.enabled", True),
        url=values.pop("events.url", ""),
        keep_days=values.pop("events.keep_days", 180),
    )
    return Config(
        root=root,
        source=source,
        procedures_dir=procedures_dir,
        roster_path=roster_path,
        roster_explicit=roster_value is not None,
        lint=lint,
        search=search,
        site=site,
        dialect=dialect,
        links=links,
        events=events,
        **values,
    )
