"""Named, interchangeable output formats for lint results. Each module has `render(report)`."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kbtool.findings import Finding

if TYPE_CHECKING:  # only for types: importing the linter here would slow every command's start
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


def safe_text(text: str) -> str:
    """`text` with lone surrogates replaced, so that it can be encoded as UTF-8.

    File names that are not valid UTF-8 reach us as surrogate escapes (`\\udcff`); writing
    them to a report would raise instead of reporting.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


# Characters that would act on the log viewer or the page rather than be read: C0 and C1
# controls (terminal escapes, NUL) and bidirectional overrides (text that reads backwards).
# Tab, line feed and carriage return are not here: each output handles them its own way.
# U+FFFE and U+FFFF are not characters at all (and XML refuses them).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)


def visible(text: str) -> str:
    """`text` with invisible, acting characters shown as `\\xNN` or `\\uNNNN`."""
    return _INVISIBLE.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}",
        safe_text(text),
    )


_DIGITS = re.compile(r"\d+")


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """A stable identity for each finding, for CI systems that track findings across runs.

    Hashes rule code, path and message with every run of digits masked, so that a finding keeps
    its fingerprint when lines shift or a day count changes ("overdue by 12 days"). Findings
    that would still collide (the same broken link twice in a file) are told apart by their
    rank among their twins, which keeps fingerprints unique within a report.
    """
    seen: Counter[str] = Counter()
    result: list[str] = []
    for f in findings:
        key = "\0".join((f.code, safe_text(f.path), _DIGITS.sub("#", safe_text(f.message))))
        seen[key] += 1
        data = f"kbtool/v1\0{key}\0{seen[key]}".encode()
        result.append(hashlib.sha256(data).hexdigest())
    return result
