"""`kbtool review`: stamp a procedure's review date, changing nothing else in the file.

The file is edited as text, at the exact place YAML says the value of the `reviewed` key (or
its configured alias, e.g. `ms.date`) is written: only that scalar is replaced, keeping its
quoting style (or block style), an anchor or tag in front of it, the spacing, a trailing
comment and every other byte of the file. When the key is absent it is added: as a line before
the closing `---` in a block mapping (with the indentation of its keys and the line ending of
the line above), or as `, key: date` after the last entry of a flow mapping (`{id: …}`).

Every edit is checked before anything is written: the new front matter is read again and must
give the new date with every other key and value exactly as before (an alias elsewhere that
shares the old value would change too, for instance); otherwise nothing is written and the
message says why. Shapes that cannot be edited in place (a list or mapping as the value, an
empty block scalar) are refused the same way.

Planning (`plan_stamp`) and writing (`apply_stamp`) are separate so that a command stamping
several procedures can refuse all of them before touching any. Writing goes through
`kbtool.core.fileio.replace_contents`: atomic, under a lock, and started again from the new
content when another program changed the file meanwhile.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kbtool.core.errors import UsageError
from kbtool.core.fileio import replace_contents
from kbtool.model.config import Config
from kbtool.model.issues import FRONT_MATTER_UNREAD, IssueKind
from kbtool.model.procedure import Procedure, format_date, parse_date, parse_text

_BOM = b"\xef\xbb\xbf"
# libyaml, as kbtool's loader uses: it reads what kbtool reads (tabs after a colon included),
# and its positions count characters, like Python's.
_Parser: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FLOW_INDICATORS = frozenset(",[]{}")


@dataclass(frozen=True)
class StampPlan:
    """What `kbtool review` will do to one file; `data` is the complete new content."""

    path: Path  # as the knowledge base lists it (may be a symlink)
    key: str
    old_value: str | None  # the value text as written (with quotes), None when the key was absent
    new_value: str  # the value text written (with quotes when the old one had them)
    data: bytes
    original: bytes
    real_path: Path | None = None  # the file written: `path` with symlinks resolved
    rel_path: str = ""
    config: Config | None = None
    date: dt.date | None = None

    @property
    def changed(self) -> bool:
        return self.data != self.original

    @property
    def inserted(self) -> bool:
        return self.old_value is None


def plan_stamp(procedure: Procedure, config: Config, date: dt.date) -> StampPlan:
    """Work out the new content of `procedure`'s file with its review date set to `date`.

    Reads the file afresh (so positions belong to the exact bytes edited). Raises
    `UsageError` naming the file (and line) when the front matter cannot be parsed, the file
    is read-only, hard-linked, a symlink out of the knowledge base, or the review value is
    written in a form that cannot be edited in place.
    """
    path = procedure.path
    real = _real_path(path, config)
    try:
        info = os.stat(real)
        if not os.path.isfile(real):
            raise UsageError("not a regular file; nothing was written", path=str(path))
        with open(real, "rb") as handle:
            original = handle.read(config.max_file_bytes + 1)
    except OSError as exc:
        raise UsageError(f"cannot read file: {exc.strerror or exc}", path=str(path)) from None
    if len(original) > config.max_file_bytes:
        raise UsageError(
            f"file is over the limit of {config.max_file_bytes:,} bytes (max_file_bytes)",
            path=str(path),
        )
    if not info.st_mode & 0o222:
        # Checked on the mode bits so that root, who may write anything, still respects it.
        raise UsageError(
            "file is read-only; make it writable (chmod u+w) to record the review", path=str(path)
        )
    if info.st_nlink > 1:
        raise UsageError(
            f"the file has {info.st_nlink} hard links; recording the review replaces it whole "
            "(so that an interruption never leaves half a file), which would leave the other "
            "names with the old text; make it a single file (or a symlink) first",
            path=str(path),
        )
    if os.geteuid() != 0 and info.st_uid != os.geteuid():
        raise UsageError(
            "the file belongs to another user; recording the review would make it yours; "
            "run this as the file's owner",
            path=str(path),
        )
    return _plan(path, real, procedure.rel_path, original, config, date)


def apply_stamp(plan: StampPlan) -> StampPlan:
    """Write the planned content atomically (nothing is written when nothing changes).

    When another program changed the file since it was planned, the stamp is worked out
    again on the new content (and checked again); the plan actually written is returned.
    """
    if not plan.changed:
        return plan
    assert plan.config is not None and plan.date is not None and plan.real_path is not None
    config, date, real = plan.config, plan.date, plan.real_path
    done = [plan]

    def edit(current: bytes) -> bytes:
        if current.startswith(plan.original):
            # Only appended to (a note, a log line): the front matter, which ends inside what
            # was planned, is the same, so the planned edit stands and the new bytes follow.
            grown = current[len(plan.original) :]
            again = dataclasses.replace(plan, data=plan.data + grown, original=current)
        else:
            again = _plan(plan.path, real, plan.rel_path, current, config, date)
        done.append(again)
        return again.data

    try:
        replace_contents(real, edit)
    except OSError as exc:
        raise UsageError(
            f"cannot write file: {exc.strerror or exc}; it was left unchanged", path=str(plan.path)
        ) from None
    return done[-1]


def _real_path(path: Path, config: Config) -> Path:
    """`path` with symlinks resolved; refused when that leaves the knowledge base."""
    real = Path(os.path.realpath(path))
    if real == path:
        return real
    homes = {Path(os.path.realpath(config.root)), Path(os.path.realpath(config.procedures_dir))}
    if not any(real.is_relative_to(home) for home in homes):
        raise UsageError(
            f"is a symlink to {real}, outside the knowledge base; kbtool writes only files "
            "inside it: nothing was written",
            path=str(path),
        )
    return real


# --- the edit ---------------------------------------------------------------------------------


def _plan(
    path: Path, real: Path, rel_path: str, original: bytes, config: Config, date: dt.date
) -> StampPlan:
    """The stamped content of `original`, checked by reading it back."""
    before = Procedure(path=path, rel_path=rel_path)
    parse_text(before, original, config)
    _refuse_unreadable(before, path)
    key = before.field_sources.get("reviewed") or config.source_key("reviewed")

    bom = _BOM if original.startswith(_BOM) else b""
    lines = original[len(bom) :].splitlines(keepends=True)
    end_index = before.front_matter_end_line - 1  # the closing `---` line, 0-based
    head, tail = lines[0], b"".join(lines[end_index:])
    text = b"".join(lines[1:end_index]).decode("utf-8")
    edit = _edit_front_matter(text, key, date, config, path)
    data = bom + head + edit.text.encode("utf-8") + tail
    plan = StampPlan(
        path, key, edit.old_value, edit.new_value, data, original, real, rel_path, config, date
    )
    _check_reads_back(before, plan, config)
    return plan


def _refuse_unreadable(procedure: Procedure, path: Path) -> None:
    for issue in procedure.issues:
        if issue.kind in FRONT_MATTER_UNREAD:
            raise UsageError(
                f"front matter cannot be read ({issue.message}); fix it before recording a review",
                path=str(path),
                line=issue.line,
            )


@dataclass(frozen=True)
class _Edit:
    text: str  # the whole new front matter (between the `---` lines)
    old_value: str | None
    new_value: str


@dataclass(frozen=True)
class _Node:
    """One node of the top-level mapping, as the span of its events."""

    first: Any  # yaml.Event
    last: Any  # yaml.Event (the same as `first` for a scalar or an alias)


@dataclass(frozen=True)
class _TopMapping:
    start: Any  # MappingStartEvent
    end: Any  # MappingEndEvent
    entries: list[tuple[_Node, _Node]]


def _top_mapping(text: str, path: Path) -> _TopMapping:
    """The top-level mapping's entries, with their source positions."""
    try:
        events = list(yaml.parse(text, Loader=_Parser))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise UsageError(
            f"front matter cannot be located exactly ({getattr(exc, 'problem', exc)}); fix it "
            "before recording a review",
            path=str(path),
            line=mark.line + 2 if mark is not None else None,
        ) from None
    index = next(
        (i for i, event in enumerate(events) if isinstance(event, yaml.MappingStartEvent)), None
    )
    if index is None:
        raise UsageError("front matter is not a mapping", path=str(path))
    start = events[index]
    entries: list[tuple[_Node, _Node]] = []
    i = index + 1
    pending: _Node | None = None
    while not isinstance(events[i], yaml.MappingEndEvent):
        first = events[i]
        depth = 0
        while True:  # to the end of this node
            event = events[i]
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            i += 1
            if depth == 0:
                break
        node = _Node(first, events[i - 1])
        if pending is None:
            pending = node
        else:
            entries.append((pending, node))
            pending = None
    return _TopMapping(start, events[i], entries)


def _edit_front_matter(text: str, key: str, date: dt.date, config: Config, path: Path) -> _Edit:
    mapping = _top_mapping(text, path)
    flow = bool(mapping.start.flow_style)
    for key_node, value_node in mapping.entries:
        event = key_node.first
        if isinstance(event, yaml.ScalarEvent) and key_node.last is event and event.value == key:
            return _replace_value(text, key, key_node, value_node, date, config, path, flow)
    value = _render_value(date, config, None, flow=flow)
    if flow:
        if mapping.entries:
            at = mapping.entries[-1][1].last.end_mark.index
            insert = f", {_yaml_key(key)}: {value}"
        else:
            at, insert = mapping.start.end_mark.index, f"{_yaml_key(key)}: {value}"
        return _Edit(text[:at] + insert + text[at:], None, value)
    indent = " " * mapping.entries[0][0].first.start_mark.column if mapping.entries else ""
    # The line ending of the line above (the front matter's last line ends with one).
    ending = next((e for e in ("\r\n", "\n", "\r") if text.endswith(e)), "\n")
    return _Edit(f"{text}{indent}{_yaml_key(key)}: {value}{ending}", None, value)


def _replace_value(
    text: str,
    key: str,
    key_node: _Node,
    value_node: _Node,
    date: dt.date,
    config: Config,
    path: Path,
    flow: bool,
) -> _Edit:
    event = value_node.first
    line = key_node.first.start_mark.line + 2  # the front matter starts on the second line
    if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
        kind = "list" if isinstance(event, yaml.SequenceStartEvent) else "mapping"
        raise UsageError(
            f"'{key}' holds a {kind}; write it as `{key}: YYYY-MM-DD` to record a review",
            path=str(path),
            line=line,
        )
    if isinstance(event, yaml.AliasEvent):
        start, end = _marks(event)
        value = _render_value(date, config, None, flow=flow)
        return _Edit(text[:start] + value + text[end:], text[start:end], value)
    start, end = _scalar_span(text, event)
    old_text = text[start:end]
    style = event.style or ""
    if style in ("|", ">"):
        return _replace_block(text, key, start, end, date, config, path, line)
    if style in ("'", '"'):
        value = _quote(_render_value(date, config, event.value, flow=flow, plain=False), style)
        return _Edit(text[:start] + value + text[end:], old_text, value)
    value = _render_value(date, config, event.value, flow=flow)
    if start == end:  # an empty value: `reviewed:`, `reviewed: # todo`
        colon = text.rfind(":", 0, start)
        if colon >= 0 and not text[colon + 1 : start].strip():
            at = colon + 1
            return _Edit(text[:at] + " " + value + text[at:], old_text, value)
        at = key_node.last.end_mark.index  # `{id: x, reviewed}`: no colon at all
        return _Edit(text[:at] + ": " + value + text[at:], None, value)
    return _Edit(text[:start] + value + text[end:], old_text, value)


def _marks(event: Any) -> tuple[int, int]:
    """Where an event's text starts and ends in the front matter (character offsets)."""
    start, end = event.start_mark, event.end_mark
    assert start is not None and end is not None, "the parser marks every event"
    return int(start.index), int(end.index)


def _scalar_span(text: str, event: Any) -> tuple[int, int]:
    """Where the scalar itself is written, after any anchor (`&d`) or tag (`!!str`)."""
    start, end = _marks(event)
    if event.anchor is None and event.tag is None:
        return start, end
    for token in yaml.scan(text, Loader=_Parser):
        if isinstance(token, yaml.ScalarToken) and token.end_mark.index == end:
            return token.start_mark.index, end
    return start, end  # pragma: no cover - every scalar event has its token


def _replace_block(
    text: str,
    key: str,
    start: int,
    end: int,
    date: dt.date,
    config: Config,
    path: Path,
    line: int,
) -> _Edit:
    """A `|` or `>` block scalar: replace its content, keeping the header and indentation."""
    header_end = start
    while header_end < end and text[header_end] not in "\r\n":
        header_end += 1
    content = text[header_end:end]
    stripped = content.strip()
    if not stripped:
        raise UsageError(
            f"'{key}' is an empty block scalar; write it as `{key}: YYYY-MM-DD` to record a review",
            path=str(path),
            line=line,
        )
    first = header_end + (len(content) - len(content.lstrip()))
    last = first + len(stripped)
    value = _render_value(date, config, stripped, flow=False, plain=False)
    return _Edit(text[:first] + value + text[last:], text[first:last], value)


def _check_reads_back(before: Procedure, plan: StampPlan, config: Config) -> None:
    """Refuse the edit unless the new file reads as the old one with only the date changed."""
    after = Procedure(path=before.path, rel_path=before.rel_path)
    parse_text(after, plan.data, config)
    key = plan.key
    problems = [issue for issue in after.issues if issue.kind in FRONT_MATTER_UNREAD]
    reason = problems[0].message if problems else None
    if reason is None and after.field_sources.get("reviewed") != key:
        reason = f"'{key}' would no longer be the review date"
    if reason is None and after.reviewed != plan.date:
        reason = f"'{key}' would read as {after.raw.get(key)!r}"
    if reason is not None:
        raise UsageError(
            f"the edited front matter would not read back as `{key}: {plan.new_value}` "
            f"({reason}); nothing was written: record the review by hand",
            path=str(before.path),
            line=before.key_lines.get(key),
        )
    old_keys = [k for k in before.raw if k != key]
    new_keys = [k for k in after.raw if k != key]
    changed = [k for k in old_keys if k in after.raw and not _same(before.raw[k], after.raw[k])]
    changed += [k for k in old_keys if k not in after.raw]
    changed += [k for k in new_keys if k not in before.raw]
    if changed or old_keys != new_keys or after.body != before.body:
        names = ", ".join(f"'{k}'" for k in changed) or "the order of the keys or the body"
        raise UsageError(
            f"recording the review would also change {names} (a value shared through an "
            "anchor and alias?); nothing was written: record the review by hand",
            path=str(before.path),
            line=before.key_lines.get(key),
        )
    old_issues = {(i.kind, i.message) for i in before.issues if i.kind is not IssueKind.BAD_DATE}
    new_issues = {(i.kind, i.message) for i in after.issues} - old_issues
    if new_issues:
        kind, message = sorted(new_issues)[0]
        raise UsageError(
            f"recording the review would bring a new problem ({message}); nothing was "
            "written: record the review by hand",
            path=str(before.path),
        )


def _same(a: Any, b: Any) -> bool:
    """Equal values, NaN included (`.nan` is not equal to itself)."""
    return bool(a == b) or repr(a) == repr(b)


# --- rendering --------------------------------------------------------------------------------


def _yaml_key(key: str) -> str:
    """The key as YAML text: plain when it reads back unchanged, else double-quoted."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", key):
        return key
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _quote(text: str, style: str) -> str:
    if style == "'":
        return "'" + text.replace("'", "''") + "'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _render_value(
    date: dt.date, config: Config, old: Any, *, flow: bool, plain: bool = True
) -> str:
    """The new date text, in the date format of the old value.

    The format is the first configured date format that reads the old value back exactly
    (so `10/01/2026` stays US-style), else the first configured format. With `plain`, the
    text is double-quoted when it would not read back as the date unquoted (or, in a flow
    mapping, holds `,` or brackets).
    """
    inner = old if isinstance(old, str) else ""
    fmt = config.date_formats[0] if config.date_formats else "%Y-%m-%d"
    for candidate in config.date_formats:
        try:
            parsed = dt.datetime.strptime(inner, candidate).date()
        except ValueError:
            continue
        if parsed.strftime(candidate) == inner:
            fmt = candidate
            break
    text = format_date(date, fmt)
    if not plain:
        return text
    if (flow and _FLOW_INDICATORS & set(text)) or not _reads_back(text, date, config):
        return _quote(text, '"')
    return text


def _reads_back(text: str, date: dt.date, config: Config) -> bool:
    """Whether `text` written unquoted is read back by kbtool as `date`."""
    try:
        value = yaml.safe_load(f"k: {text}")["k"]
        return parse_date(value, config.date_formats) == date
    except (yaml.YAMLError, ValueError, TypeError):
        return False
