"""YAML loading with source lines, duplicate-key detection and YAML 1.2 booleans.

PyYAML's C loader (libyaml) composes the node tree; we walk the nodes once to record the line of
every mapping key and to reject duplicate keys (which PyYAML silently accepts, keeping the last),
then construct plain Python values. `yes`/`no`/`on`/`off` stay strings: a service named `No` or a
tag `on` must not turn into a boolean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """Safe loader whose implicit booleans are only true/false (as in YAML 1.2)."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag != "tag:yaml.org,2002:bool"
    ]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _timestamp_or_text(loader: Any, node: Any) -> Any:
    """A date-looking value that is no real date (`2026-02-30`) stays text.

    PyYAML would raise for the whole document, losing every other key and the value's line;
    as text, the field's own type check reports it on its line.
    """
    try:
        return _BaseLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


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


def load_yaml(text: str, *, max_depth: int = 4, first_line: int = 1) -> YamlDocument:
    """Parse one YAML document; raise YamlError naming the line of the first problem.

    `first_line` is the file line of the text's first line (2 for front matter after `---`):
    every line in the result and in errors, messages included, is a line of the file.
    """
    offset = first_line - 1
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, {})
        lines: dict[tuple[Any, ...], int] = {}
        _walk(node, (), lines, max_depth, offset)
        value = loader.construct_document(node)
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
    if exc.context and start is not None and mark is not None and start.line != mark.line:
        # e.g. an unclosed `[` or quote: the parser stops lines later than the real mistake.
        message += f" (the construct starts on line {start.line + 1 + offset})"
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
