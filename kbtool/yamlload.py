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


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
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


@dataclass(frozen=True)
class YamlError(Exception):
    """A YAML problem at a 1-based line (relative to the YAML text)."""

    message: str
    line: int
    col: int = 1
    duplicate_key: bool = False


@dataclass(frozen=True)
class YamlDocument:
    value: Any
    #: 1-based line of each mapping key, by key path: ("people", "jdoe", "email") -> 7.
    lines: dict[tuple[Any, ...], int]


def load_yaml(text: str, *, max_depth: int = 4) -> YamlDocument:
    """Parse one YAML document; raise YamlError naming the line of the first problem."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, {})
        lines: dict[tuple[Any, ...], int] = {}
        _walk(node, (), lines, max_depth)
        value = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise _error_from(exc) from None
    except yaml.YAMLError as exc:  # errors without a mark (rare: e.g. recursion limits)
        raise YamlError(f"invalid YAML: {exc}", 1) from None
    except (ValueError, TypeError, OverflowError) as exc:
        # Constructors raise these for values such as `2026-02-30` or an unhashable key.
        raise YamlError(f"invalid value: {exc}", 1) from None
    except RecursionError:
        raise YamlError("YAML nested too deeply", 1) from None
    finally:
        loader.dispose()
    return YamlDocument(value, lines)


def _walk(node: Any, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int], depth: int) -> None:
    if not isinstance(node, yaml.MappingNode):
        return
    seen: dict[Any, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key = key_node.value
        line = key_node.start_mark.line + 1
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
            _walk(value_node, (*path, key), lines, depth - 1)


def _error_from(exc: yaml.MarkedYAMLError) -> YamlError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    col = mark.column + 1 if mark is not None else 1
    parts = [p for p in (exc.context, exc.problem) if p]
    message = "invalid YAML: " + ", ".join(parts) if parts else "invalid YAML"
    if exc.problem and "'\\t'" in exc.problem:
        message += " (YAML does not allow tabs for indentation; use spaces)"
    return YamlError(message, line, col)
