"""YAML loading with source lines, duplicate-key detection and YAML 1.2 booleans.

PyYAML's C loader (libyaml) composes the node tree; we walk the nodes once to record the line of
every mapping key and to reject duplicate keys (which PyYAML silently accepts, keeping the last),
then construct plain Python values. `yes`/`no`/`on`/`off` stay strings: a service named `No` or a
tag `on` must not turn into a boolean.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from typing import Any

import yaml

_BaseLoader: type[Any] = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """libyaml's parser and composer with no implicit typing: `_construct` types the values.

    PyYAML's own constructor and resolver are generic and slow (they dominate the cost of
    reading front matter); ours handles exactly YAML's core schema, in one pass over the nodes.
    """


_STR_TAG = "tag:yaml.org,2002:str"
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
# YAML 1.2 booleans: `yes`/`no`/`on`/`off` stay text (a tag `on` or a service `No`).
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)")
_HEX_OCT = re.compile(r"0x[0-9a-fA-F_]+|0o[0-7_]+")
_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?"
)


class _NumberTooLong(ValueError):
    """A plain integer longer than Python reads or writes (`sys.get_int_max_str_digits`)."""


TOO_LONG = "a number of over {limit:,} digits, too long to read; quote it if it is text"


def _integer(text: str, base: int = 10) -> int:
    try:
        value = int(text, base)
    except ValueError:  # the digits are checked by the caller's pattern: only length is left
        raise _NumberTooLong from None
    limit = sys.get_int_max_str_digits()
    if base != 10 and limit and value.bit_length() * 0.30103 > limit:
        raise _NumberTooLong  # read from hex, but could never be shown in decimal
    return value


def _plain(value: str) -> Any:
    """The value of a plain (unquoted) scalar under YAML's core schema."""
    if value in _NULLS:
        return None
    first = value[0]
    if first in "tTfF":
        return _BOOLS.get(value, value)
    if first in "0123456789+-.":
        if _INT.fullmatch(value):
            return _integer(value.replace("_", ""))
        date = _DATE.fullmatch(value)
        if date:
            try:  # an impossible date (`2026-02-30`) stays text; its field's rule reports it
                return dt.date(int(date[1]), int(date[2]), int(date[3]))
            except ValueError:
                return value
        if _TIMESTAMP.fullmatch(value):
            try:
                return yaml.SafeLoader.construct_yaml_timestamp(
                    yaml.SafeLoader(""), yaml.ScalarNode("tag:yaml.org,2002:timestamp", value)
                )
            except (ValueError, OverflowError):
                return value
        if _FLOAT.fullmatch(value):
            lowered = value.lower().replace("_", "")
            if lowered.endswith(".inf"):
                return float("-inf") if lowered.startswith("-") else float("inf")
            if lowered == ".nan":
                return float("nan")
            try:
                return float(lowered)
            except ValueError:
                return value
        if _HEX_OCT.fullmatch(value):
            return _integer(value.replace("_", ""), 0)
    return value


def _construct(node: Any, memo: dict[int, Any], notes: list[YamlError]) -> Any:
    """Python values from a composed node tree (aliases share one value, as in PyYAML).

    A number too long to read stays text, with a note of where it is in `notes`.
    """
    key = id(node)
    if key in memo:
        value = memo[key]
        if value is _IN_PROGRESS:
            raise YamlError("recursive alias: an anchor is used inside itself", 1)
        return value
    kind = type(node)
    if kind is yaml.ScalarNode:
        plain = not node.style and node.tag == _STR_TAG  # plain: None (Python) or "" (libyaml)
        try:
            if plain:
                value = _plain(node.value)
            elif node.tag in (_STR_TAG, "!"):
                value = node.value
            elif node.tag.startswith("tag:yaml.org,2002:"):  # `!!int 3`: typed as if plain
                value = _plain(node.value)
            else:  # an explicit tag (`!custom x`): keep the text, never run code
                value = node.value
        except _NumberTooLong:
            limit = sys.get_int_max_str_digits()
            mark = node.start_mark
            notes.append(YamlError(TOO_LONG.format(limit=limit), mark.line + 1, mark.column + 1))
            value = node.value
        memo[key] = value
        return value
    memo[key] = _IN_PROGRESS
    if kind is yaml.SequenceNode:
        value = [_construct(item, memo, notes) for item in node.value]
    else:
        value = {}
        for key_node, value_node in node.value:
            if type(key_node) is yaml.ScalarNode and key_node.value == "<<" and not key_node.style:
                merged = _construct(value_node, memo, notes)
                for part in merged if isinstance(merged, list) else [merged]:
                    if isinstance(part, dict):
                        for merge_key, merge_value in part.items():
                            value.setdefault(merge_key, merge_value)
                continue
            item_key = _construct(key_node, memo, notes)
            if isinstance(item_key, list | dict):
                raise YamlError(
                    "invalid YAML: a mapping key must be a plain value, not a list or mapping",
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
            value[item_key] = _construct(value_node, memo, notes)
    memo[key] = value
    return value


_IN_PROGRESS = object()


@dataclass(frozen=True)
class YamlError(Exception):
    """A YAML problem at a 1-based line (relative to the YAML text)."""

    message: str
    line: int
    col: int = 1
    duplicate_key: bool = False
    control_character: bool = False


@dataclass(frozen=True)
class YamlDocument:
    value: Any
    #: 1-based line of each mapping key, by key path: ("people", "jdoe", "email") -> 7.
    lines: dict[tuple[Any, ...], int]
    #: Problems that did not stop reading (a number too long to read, kept as text).
    notes: tuple[YamlError, ...] = ()


def load_yaml(text: str, *, max_depth: int = 4, first_line: int = 1) -> YamlDocument:
    """Parse one YAML document; raise YamlError naming the line of the first problem.

    `first_line` is the file line of the text's first line (2 for front matter after `---`):
    every line in the result and in errors, messages included, is a line of the file.
    """
    offset = first_line - 1
    try:
        simple = _simple_mapping(text, offset)
    except _NumberTooLong:
        simple = None  # libyaml's path knows the value's column, for the note
    if simple is not None:
        return simple
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, {})
        lines: dict[tuple[Any, ...], int] = {}
        _walk(node, (), lines, max_depth, offset)
        notes: list[YamlError] = []
        try:
            value = _construct(node, {}, notes)
        except YamlError as exc:  # raised with lines of the YAML text
            raise YamlError(exc.message, exc.line + offset, exc.col) from None
    except yaml.MarkedYAMLError as exc:
        raise _error_from(exc, text, offset) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (no mark)
        raise _reader_error(exc, text, offset) from None
    except yaml.YAMLError as exc:  # errors without a mark (rare: e.g. recursion limits)
        raise YamlError(f"invalid YAML: {_one_line(str(exc))}", first_line) from None
    except (ValueError, TypeError, OverflowError) as exc:
        # Constructors raise these for values such as an unhashable key.
        raise YamlError(f"invalid value: {_one_line(str(exc))}", first_line) from None
    except RecursionError:
        raise YamlError("YAML nested too deeply", first_line) from None
    finally:
        loader.dispose()
    shifted = tuple(YamlError(n.message, n.line + offset, n.col) for n in notes)
    return YamlDocument(value, lines, shifted)


# --- the fast path for flat front matter ------------------------------------------------------
#
# Almost every front matter is a flat list of `key: value` lines whose values are plain words,
# simply quoted strings or `[a, b]` lists. For exactly that shape, reading the lines directly is
# ten times cheaper than composing YAML nodes, and the linter reads 10,000 of them. Anything else
# (nesting, multi-line values, escapes, anchors, tags, comments after values, unusual
# characters) returns None and goes through libyaml; tests check that both paths agree.

_SIMPLE_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*):(?:[ ]+(.*?))?[ ]*")
_UNSAFE_TEXT = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\\]")
_PLAIN_START_UNSAFE = frozenset("?:,[]{}#&*!|>'\"%@`")
_FLOW_UNSAFE = frozenset("[]{}")


def _simple_scalar(text: str, in_flow: bool) -> tuple[bool, Any]:
    """(True, value) for a value the fast path understands exactly, else (False, None)."""
    if not text:
        return (not in_flow, None)
    first = text[0]
    if first == '"' or first == "'":
        if len(text) >= 2 and text[-1] == first and first not in text[1:-1]:
            return True, text[1:-1]
        return False, None
    if first in _PLAIN_START_UNSAFE or (first == "-" and (len(text) == 1 or text[1] == " ")):
        return False, None
    if ": " in text or text.endswith(":") or " #" in text:
        return False, None
    if in_flow and (_FLOW_UNSAFE.intersection(text) or "," in text):
        return False, None
    return True, _plain(text)


def _simple_mapping(text: str, offset: int) -> YamlDocument | None:
    if _UNSAFE_TEXT.search(text):
        return None
    value: dict[Any, Any] = {}
    lines: dict[tuple[Any, ...], int] = {}
    seen: dict[Any, int] = {}
    duplicate: YamlError | None = None  # raised only once every line is known to be simple
    for index, line in enumerate(text.split("\n")):
        if not line or line.isspace() or line[0] == "#":
            if line[:1] == "#" or not line.strip():
                continue
            return None
        match = _SIMPLE_LINE.fullmatch(line)
        if match is None:
            return None
        key = match[1]  # a name: starts with a letter or `_`, so only these few are not text
        if key in _NULLS or key in _BOOLS:
            return None
        raw = match[2] or ""
        if raw.startswith("["):
            if not raw.endswith("]"):
                return None
            inner = raw[1:-1].strip()
            items: list[Any] = []
            if inner:
                for part in inner.split(","):
                    ok, item = _simple_scalar(part.strip(), True)
                    if not ok:
                        return None
                    items.append(item)
            item_value: Any = items
        else:
            ok, item_value = _simple_scalar(raw, False)
            if not ok:
                return None
        line_number = index + 1 + offset
        if key in seen:
            duplicate = duplicate or YamlError(
                f"duplicate key '{match[1]}' (first defined on line {seen[key]})",
                line_number,
                1,
                duplicate_key=True,
            )
            continue
        seen[key] = line_number
        lines[(match[1],)] = line_number
        value[key] = item_value
    if duplicate is not None:
        raise duplicate
    if not value:
        return None  # empty or comments only: libyaml decides what that is
    return YamlDocument(value, lines)


def _walk(
    node: Any, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int], depth: int, offset: int
) -> None:
    if not isinstance(node, yaml.MappingNode):
        return
    seen: dict[Any, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key = key_node.value
        line = key_node.start_mark.line + 1 + offset
        if key == "<<":  # merge keys are legitimate repeats
            continue
        if key in seen:
            raise YamlError(
                f"duplicate key '{key}' (first defined on line {seen[key]})",
                line,
                key_node.start_mark.column + 1,
                duplicate_key=True,
            )
        seen[key] = line
        lines[(*path, key)] = line
        if depth > 1:
            _walk(value_node, (*path, key), lines, depth - 1, offset)


def _one_line(text: str) -> str:
    """Parser messages may span lines ("\\n  in <unicode string>"); findings are one line."""
    return " ".join(text.split())


def _error_from(exc: yaml.MarkedYAMLError, text: str, offset: int) -> YamlError:
    mark = exc.problem_mark or exc.context_mark
    line_index = mark.line if mark is not None else 0
    col = mark.column + 1 if mark is not None else 1
    parts = [_one_line(p) for p in (exc.context, exc.problem) if p]
    message = "invalid YAML: " + ", ".join(parts) if parts else "invalid YAML"
    start = exc.context_mark
    unclosed = exc.context is not None and ("quoted scalar" in exc.context or "flow" in exc.context)
    if unclosed and start is not None and mark is not None and start.line < mark.line:
        # An unclosed `[` or quote: the parser stops lines later, often at the end of the
        # front matter; the mistake is where the construct starts, so that is the line named.
        message += f" (the parser stopped on line {mark.line + 1 + offset})"
        line_index, col = start.line, start.column + 1
    source_lines = text.split("\n")
    source = source_lines[line_index] if line_index < len(source_lines) else ""
    indent = source[: len(source) - len(source.lstrip(" \t"))]
    if "\t" in indent or (exc.problem and "tab" in exc.problem):
        message += " (YAML does not allow tabs for indentation; use spaces)"
    elif exc.problem and "mapping values are not allowed" in exc.problem:
        message += " (quote a value that contains ': ', e.g. title: \"Error: 0x80\")"
    return YamlError(message, line_index + 1 + offset, col)


def _reader_error(exc: yaml.reader.ReaderError, text: str, offset: int) -> YamlError:
    position = exc.position if 0 <= exc.position <= len(text) else 0
    line = text.count("\n", 0, position) + 1 + offset
    col = position - (text.rfind("\n", 0, position) + 1) + 1
    raw = exc.character
    character = raw if isinstance(raw, int) else ord(str(raw)[:1] or "?")
    return YamlError(
        f"control character U+{character:04X} is not allowed; delete it",
        line,
        col,
        control_character=True,
    )
