"""`kbtool review`: stamp a procedure's review date, changing nothing else in the file.

The file is edited as bytes, one line at a time: only the value of the `reviewed` key (or its
configured alias, e.g. `ms.date`) is replaced, keeping the line ending, the quoting style, the
spacing and any trailing comment. When the key is absent a line is inserted just before the
closing `---`, with the line ending of the line above it. The result is written atomically, so
an interrupted run leaves either the old file or the new one, never half of either.

Planning (`plan_stamp`) and writing (`apply_stamp`) are separate so that a command stamping
several procedures can refuse all of them before touching any.
"""

from __future__ import annotations

import datetime as dt
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import yaml

from kbtool.config import Config
from kbtool.errors import UsageError
from kbtool.fileio import atomic_write_bytes
from kbtool.procedure import Procedure, parse_date, parse_text

#: Load issues that mean the front matter cannot be located or read reliably.
_BLOCKING_ISSUES = frozenset(
    {
        "empty",
        "binary",
        "encoding",
        "no-front-matter",
        "yaml",
        "duplicate-key",
        "not-mapping",
        "too-large",
        "unreadable",
    }
)

_BOM = b"\xef\xbb\xbf"

# A top-level `key: value  # comment` line. The key may be plain or quoted; the value is a
# quoted scalar or a plain one running up to a ` #` comment. Anything else (block scalars,
# flow collections) is refused rather than guessed at.
_KEY_LINE = re.compile(
    r"""^(?P<key>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s"'#][^:#]*?)
        (?P<colon>[ \t]*:)
        (?P<space>[ \t]*)
        (?P<value>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|(?:[^ \t#](?:[^ \t]|[ \t]+[^ \t#])*)?)
        (?P<trail>[ \t]*(?:\#.*)?)$""",
    re.X,
)


@dataclass(frozen=True)
class StampPlan:
    """What `kbtool review` will do to one file; `data` is the complete new content."""

    path: Path
    key: str
    old_value: str | None  # the value text as written (with quotes), None when the key was absent
    new_value: str  # the value text written (with quotes when the old one had them)
    data: bytes
    original: bytes

    @property
    def changed(self) -> bool:
        return self.data != self.original

    @property
    def inserted(self) -> bool:
        return self.old_value is None


def plan_stamp(procedure: Procedure, config: Config, date: dt.date) -> StampPlan:
    """Work out the new content of `procedure`'s file with its review date set to `date`.

    Reads the file afresh (so line numbers belong to the exact bytes edited). Raises
    `UsageError` naming the file (and line) when the front matter cannot be parsed, the file
    is read-only, or the review value is written in a form that cannot be edited in place.
    """
    path = procedure.path
    try:
        original = path.read_bytes()
        mode = path.stat().st_mode
    except OSError as exc:
        raise UsageError(f"cannot read file: {exc.strerror or exc}", path=str(path)) from None
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        # Checked on the mode bits so that root, who may write anything, still respects it.
        raise UsageError(
            "file is read-only; make it writable (chmod u+w) to record the review", path=str(path)
        )

    fresh = Procedure(path=path, rel_path=procedure.rel_path)
    parse_text(fresh, original, config)
    for issue in fresh.issues:
        if issue.kind in _BLOCKING_ISSUES:
            raise UsageError(
                f"front matter cannot be read ({issue.message}); fix it before recording a "
                "review",
                path=str(path),
                line=issue.line,
            )

    bom = _BOM if original.startswith(_BOM) else b""
    lines = original[len(bom) :].splitlines(keepends=True)
    key = fresh.field_sources.get("reviewed") or config.source_key("reviewed")
    line_number = fresh.key_lines.get(key)

    if line_number is None:
        value = _render_value(date, config, None)
        end_index = fresh.front_matter_end_line - 1  # the closing `---` line, 0-based
        ending = _line_ending(lines[end_index - 1]) if end_index > 0 else b"\n"
        new_line = f"{_yaml_key(key)}: {value}".encode() + (ending or b"\n")
        new_lines = [*lines[:end_index], new_line, *lines[end_index:]]
        data = bom + b"".join(new_lines)
        return StampPlan(path, key, None, value, data, original)

    index = line_number - 1
    raw_line = lines[index]
    ending = _line_ending(raw_line)
    text = raw_line[: len(raw_line) - len(ending)].decode("utf-8")
    match = _KEY_LINE.match(text)
    if match is None or _unquote_key(match.group("key")) != key:
        raise UsageError(
            f"cannot edit '{key}' in place: write it on one line as `{key}: YYYY-MM-DD`",
            path=str(path),
            line=line_number,
        )
    old_value = match.group("value")
    if old_value == "" and fresh.raw.get(key) is not None:
        raise UsageError(
            f"'{key}' continues on the next line; write it on one line as `{key}: YYYY-MM-DD`",
            path=str(path),
            line=line_number,
        )
    value = _render_value(date, config, old_value)
    space = match.group("space") or " "
    new_text = (
        text[: match.start("space")] + space + value + match.group("trail")
        if old_value != value
        else text
    )
    data = bom + b"".join(lines[:index]) + new_text.encode("utf-8") + ending
    data += b"".join(lines[index + 1 :])
    return StampPlan(path, key, old_value, value, data, original)


def apply_stamp(plan: StampPlan) -> None:
    """Write the planned content atomically (nothing is written when nothing changes)."""
    if not plan.changed:
        return
    try:
        atomic_write_bytes(plan.path, plan.data)
    except OSError as exc:
        raise UsageError(
            f"cannot write file: {exc.strerror or exc}; it was left unchanged", path=str(plan.path)
        ) from None


def _line_ending(line: bytes) -> bytes:
    if line.endswith(b"\r\n"):
        return b"\r\n"
    if line.endswith(b"\n") or line.endswith(b"\r"):
        return line[-1:]
    return b""


def _unquote_key(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        loaded = yaml.safe_load(text)
        return str(loaded)
    return text.strip()


def _yaml_key(key: str) -> str:
    """The key as YAML text: plain when it reads back unchanged, else double-quoted."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", key):
        return key
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _render_value(date: dt.date, config: Config, old_value: str | None) -> str:
    """The new value text, in the date format and quoting style of the old value.

    The format is the first configured date format that reads the old value back exactly
    (so `10/01/2026` stays US-style), else the first configured format.
    """
    quote = ""
    inner = old_value or ""
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        quote, inner = inner[0], inner[1:-1]
    fmt = config.date_formats[0] if config.date_formats else "%Y-%m-%d"
    for candidate in config.date_formats:
        try:
            parsed = dt.datetime.strptime(inner, candidate).date()
        except ValueError:
            continue
        if parsed.strftime(candidate) == inner:
            fmt = candidate
            break
    text = date.strftime(fmt)
    if not quote and not _reads_back(text, date, config):
        quote = '"'
    return f"{quote}{text}{quote}"


def _reads_back(text: str, date: dt.date, config: Config) -> bool:
    """Whether `text` written unquoted is read back by kbtool as `date`."""
    try:
        value = yaml.safe_load(f"k: {text}")["k"]
        return parse_date(value, config.date_formats) == date
    except (yaml.YAMLError, ValueError, TypeError):
        return False
