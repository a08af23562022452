"""LN: links and `related` ids resolve, and nothing points outside the knowledge base."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

from kbtool.findings import Problem, Severity
from kbtool.markdown_scan import scan_body
from kbtool.procedure import Procedure
from kbtool.rules.base import LintContext, rule

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _relative_links(procedure: Procedure) -> Iterator[tuple[int, int, str, str]]:
    """(line, col, path part, fragment) of every link that is neither external nor absolute."""
    if procedure.scan is None:
        return
    for link in procedure.scan.links:
        target = link.target.strip()
        if not target or _SCHEME.match(target) or target.startswith(("//", "/")):
            continue
        path_part, _, fragment = target.partition("#")
        path_part = path_part.split("?", 1)[0]
        yield link.line, link.col, unquote(path_part), unquote(fragment)


def _resolve(procedure: Procedure, path_part: str) -> Path:
    return Path(os.path.normpath(procedure.path.parent / path_part))


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _anchors(path: Path, context: LintContext) -> frozenset[str] | None:
    """Heading anchors of a Markdown file (a procedure already parsed, or read on demand)."""
    procedure = context.by_path.get(path)
    if procedure is not None:
        return procedure.scan.anchors if procedure.scan is not None else frozenset()
    if path in context.anchors_cache:  # a memo of files read on demand, not shared state
        return context.anchors_cache[path]
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    anchors = scan_body(text).anchors
    context.anchors_cache[path] = anchors
    return anchors


@rule("LN001", "broken-link", Severity.ERROR)
def broken_link(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A relative link points to a file that does not exist.

    Paths are relative to the procedure's own folder. Fix: correct the path, or link to the
    procedure by its new location if it moved.
    """
    root = context.config.procedures_dir
    for line, col, path_part, _ in _relative_links(procedure):
        if not path_part:
            continue
        target = _resolve(procedure, path_part)
        if _inside(target, root) and not target.exists():
            yield Problem(f"link target '{path_part}' does not exist", line, col)


@rule("LN002", "broken-anchor", Severity.ERROR)
def broken_anchor(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A link's `#anchor` names no heading of its target page.

    Anchors are made from heading text as the site makes them: lower case, spaces to `-`,
    punctuation dropped (`## Step 2: Reset` becomes `#step-2-reset`). Fix: use the heading's
    anchor as the site shows it.
    """
    root = context.config.procedures_dir
    for line, col, path_part, fragment in _relative_links(procedure):
        if not fragment:
            continue
        target = _resolve(procedure, path_part) if path_part else procedure.path
        if not _inside(target, root) or target.suffix != ".md" or not target.is_file():
            continue
        anchors = _anchors(target, context)
        if anchors is not None and fragment not in anchors:
            where = f"'{path_part}'" if path_part else "this page"
            yield Problem(f"anchor '#{fragment}' is not a heading of {where}", line, col)


@rule("LN003", "link-escapes", Severity.ERROR)
def link_escapes(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A relative link leaves the procedures folder (`../../..`).

    Such a link breaks once the site is published and can expose files that are not part of
    the knowledge base. Fix: link inside the knowledge base, or use a full `https://` address.
    """
    root = context.config.procedures_dir
    for line, col, path_part, _ in _relative_links(procedure):
        if path_part and not _inside(_resolve(procedure, path_part), root):
            yield Problem(f"link '{path_part}' points outside the knowledge base", line, col)


@rule("LN004", "unknown-related", Severity.ERROR)
def unknown_related(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """An id in `related` belongs to no procedure.

    Fix: correct the id, or remove it if the procedure was deleted.
    """
    for ident in procedure.related:
        if ident not in context.ids:
            yield Problem(f"related id '{ident}' does not exist", procedure.line_of("related"))


@rule("LN005", "self-related", Severity.WARNING)
def self_related(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A procedure lists its own id in `related`. Fix: remove it."""
    if procedure.id is not None and procedure.id in procedure.related:
        yield Problem(f"'{procedure.id}' lists itself in related", procedure.line_of("related"))


@rule("LN006", "absolute-link", Severity.WARNING)
def absolute_link(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A link starts with `/`: it depends on where the site is hosted and cannot be checked.

    Fix: use a path relative to this file (`../network/vpn.md`).
    """
    if procedure.scan is None:
        return
    for link in procedure.scan.links:
        target = link.target.strip()
        if target.startswith("/") and not target.startswith("//"):
            yield Problem(f"link '{target}' is absolute; make it relative", link.line, link.col)
