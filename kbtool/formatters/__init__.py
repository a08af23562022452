"""Named, interchangeable output formats for lint results. Each module has `render(report)`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kbtool.linter import LintResult


@dataclass(frozen=True)
class Report:
    """What a formatter renders: the result plus how to present it."""

    result: LintResult
    color: bool = False
    tool_version: str = "0"


Formatter = Callable[[Report], str]


def get_formatter(name: str) -> Formatter:
    # Imported on demand: only the chosen formatter's module is loaded.
    from importlib import import_module

    if name not in FORMAT_NAMES:
        raise ValueError(f"unknown format {name!r}")
    module = import_module(f"kbtool.formatters.{name}_format")
    render: Formatter = module.render
    return render


FORMAT_NAMES = ("text", "json", "github", "sarif", "gitlab", "junit")
