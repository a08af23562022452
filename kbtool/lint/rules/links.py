"""LN: links and `related` ids resolve, and nothing points outside the knowledge base."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from kbtool.core.fileio import read_regular
from kbtool.lint.findings import Problem, Severity
from kbtool.lint.rules.base import LintContext, rule
from kbtool.model.assets import is_asset
from kbtool.model.config import Config
from kbtool.model.dialect import Expansion, expand, uses_dialect
from kbtool.model.markdown_scan import Link, scan_body
from kbtool.model.procedure import Procedure

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True, slots=True)
class RelativeLink:
    line: int
    col: int
    path_part: str  # as written, decoded; "" for a link to an anchor of the same page
    fragment: str
    target: str  # normalised absolute path of the target file
    inside: bool  # the target lies inside the procedures folder


def dialect_expansion(procedure: Procedure, context: LintContext) -> Expansion:
    """The body in the Markdown dialects the configuration turns on (once per procedure)."""
    return context.memo("dialect", procedure, _expand, context.config)


def _expand(procedure: Procedure, config: Config) -> Expansion:
    return expand(procedure.body, procedure.rel_path, procedure.body_start_line, config)


def body_links(procedure: Procedure, context: LintContext) -> list[Link]:
    """The body's links, with the images of `:::image:::` when that dialect is on, and without
    the path of `[!INCLUDE [title](path)]` when includes are (LN009 checks it)."""
    links = list(procedure.scan.links) if procedure.scan is not None else []
    dialect = context.config.dialect
    if not uses_dialect(procedure.body, dialect):
        return links
    expansion = dialect_expansion(procedure, context)
    included = {
        (d.line, d.target.removeprefix("<").removesuffix(">"))
        for d in expansion.directives
        if d.kind == "include"
    }
    if included:
        links = [link for link in links if (link.line, link.target) not in included]
    links += [
        Link(d.target, "", d.line, d.col, image=True)
        for d in expansion.directives
        if d.kind == "image" and d.target
    ]
    return links


def relative_links(procedure: Procedure, context: LintContext) -> list[RelativeLink]:
    """Every link that is neither external nor absolute, resolved once per procedure."""
    return context.memo("links", procedure, _resolve_links, context)


def _resolve_links(procedure: Procedure, context: LintContext) -> list[RelativeLink]:
    links = body_links(procedure, context)
    if not links:
        return []
    root = str(context.config.procedures_dir)
    prefix = root + os.sep
    here = str(procedure.path)
    folder = os.path.dirname(here)
    found: list[RelativeLink] = []
    for link in links:
        target = link.target.strip()
        if not target or target.startswith("/") or _SCHEME.match(target):
            continue
        path_part, _, fragment = target.partition("#")
        if "?" in path_part:
            path_part = path_part.split("?", 1)[0]
        if "%" in target:  # unquote is costly and links are rarely percent-encoded
            path_part, fragment = unquote(path_part), unquote(fragment)
        resolved = os.path.normpath(f"{folder}/{path_part}") if path_part else here
        inside = resolved == root or resolved.startswith(prefix)
        found.append(RelativeLink(link.line, link.col, path_part, fragment, resolved, inside))
    return found


def _exists(path: str, context: LintContext) -> bool:
    return path in context.anchors or os.path.exists(path)


def _anchors(path: str, context: LintContext) -> frozenset[str] | None:
    """Heading anchors of a Markdown file (a procedure already parsed, or read on demand)."""
    known = context.anchors.get(path)
    if known is not None:
        return known
    max_bytes = context.config.max_file_bytes

    def read_anchors(path: str) -> frozenset[str] | None:
        try:  # bounded, and never a pipe or a device (`fileio.read_regular`)
            data, _stat = read_regular(path, max_bytes)
        except OSError:
            return None
        return scan_body(data.decode("utf-8", errors="replace")).anchors

    return context.memo_path("anchors", path, read_anchors)


@rule("LN001", "broken-link", Severity.ERROR)
def broken_link(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A relative link points to a file that does not exist.

    Paths are relative to the procedure's own folder. Fix: correct the path, or link to the
    procedure by its new location if it moved.
    """
    for link in relative_links(procedure, context):
        if link.path_part and link.inside and not _exists(link.target, context):
            yield Problem(f"link target '{link.path_part}' does not exist", link.line, link.col)


@rule("LN002", "broken-anchor", Severity.ERROR)
def broken_anchor(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A link's `#anchor` names no heading of its target page.

    Anchors are made from heading text as the site makes them: lower case, spaces to `-`,
    punctuation dropped (`## Step 2: Reset` becomes `#step-2-reset`). Fix: use the heading's
    anchor as the site shows it.
    """
    for link in relative_links(procedure, context):
        if not link.fragment or not link.inside or not link.target.endswith(".md"):
            continue
        if not _exists(link.target, context):
            continue  # LN001 reports the missing file
        anchors = _anchors(link.target, context)
        if anchors is not None and link.fragment not in anchors:
            where = f"'{link.path_part}'" if link.path_part else "this page"
            yield Problem(
                f"anchor '#{link.fragment}' is not a heading of {where}", link.line, link.col
            )


@rule("LN003", "link-escapes", Severity.ERROR)
def link_escapes(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A relative link leaves the procedures folder (`../../..`).

    Such a link breaks once the site is published and can expose files that are not part of
    the knowledge base. Fix: link inside the knowledge base, or use a full `https://` address.
    """
    for link in relative_links(procedure, context):
        if link.path_part and not link.inside:
            yield Problem(
                f"link '{link.path_part}' points outside the knowledge base", link.line, link.col
            )


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

    Fix: use a path relative to this file (`../network/vpn.md`). A knowledge base written for
    another documentation site (`/powershell/module/...` on Microsoft Learn) sets
    `[links] base_url = "https://learn.microsoft.com"` instead: its absolute links then lead
    there on the site, and this rule stays quiet.
    """
    if context.config.links.base_url is not None:
        return
    for link in body_links(procedure, context):
        target = link.target.strip()
        if target.startswith("/") and not target.startswith("//"):
            first = "/" + target.lstrip("/").split("/", 1)[0]
            where = f"{first}/…" if "/" in target.lstrip("/") else target
            yield Problem(
                f"absolute link to {where}: make it relative, or set [links] base_url to the"
                " site it was written for",
                link.line,
                link.col,
            )


@rule("LN007", "unknown-superseded-by", Severity.ERROR)
def unknown_superseded_by(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """`superseded_by` names an id that belongs to no procedure.

    A retired procedure points to the one that replaced it, so that whoever lands on it (on
    the site, in `kbtool show`, in search) is sent on. Fix: correct the id.
    """
    target = procedure.superseded_by
    if target is not None and target not in context.ids:
        yield Problem(
            f"superseded_by '{target}' does not exist", procedure.line_of("superseded_by")
        )


@rule("LN008", "superseded-by-retired", Severity.ERROR)
def superseded_by_retired(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """`superseded_by` names a procedure that is retired itself (or this procedure).

    Readers would be sent from one retired procedure to another. Fix: point to the procedure
    that is in use now.
    """
    target = procedure.superseded_by
    if target is None:
        return
    line = procedure.line_of("superseded_by")
    if target == procedure.id:
        yield Problem(f"'{target}' names itself in superseded_by", line)
    elif target in context.retired:
        yield Problem(f"superseded_by '{target}' is retired too; name the one in use now", line)


@rule("LN009", "bad-include", Severity.ERROR)
def bad_include(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """An include (`[!INCLUDE [title](path)]`) cannot be inlined.

    With `[dialect] includes = true`: its file is missing, outside the procedures folder (by
    `../` or through a symbolic link), not Markdown or too large, or the includes form a cycle
    or nest too deep. The site and the search index leave such an include out. A problem
    inside an included file (a nested include, a link or image whose target is missing or
    outside) is reported at the procedure's own include, since include files are not linted as
    procedures. Fix: point the include at a Markdown file inside the knowledge base, and its
    links at files that exist.
    """
    if not context.config.dialect.includes or not uses_dialect(
        procedure.body, context.config.dialect
    ):
        return
    for problem in dialect_expansion(procedure, context).problems:
        if problem.kind == "include":
            yield Problem(problem.message, problem.line, problem.col)


@rule("LN010", "bad-image", Severity.WARNING)
def bad_image(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A `:::image:::` (with `[dialect] images = true`) has no usable `source`, or a content
    image has no `alt-text`.

    Whether the source file exists is LN001's to say. Fix: give the image a relative
    `source` and an `alt-text` that says what the screenshot shows.
    """
    if not context.config.dialect.images or ":::" not in procedure.body:
        return
    for problem in dialect_expansion(procedure, context).problems:
        if problem.kind == "image":
            yield Problem(problem.message, problem.line, problem.col)


@rule("LN011", "unpublished-link-target", Severity.WARNING)
def unpublished_link_target(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A link points to a file that exists but is not published with the site.

    From a procedures folder outside docs_dir (the default), the site publishes Markdown,
    images and documents only (PNG, JPEG,
    GIF, WebP, SVG, PDF, text, CSV, Office files, ZIP, MP4, WebM, MP3), never HTML, scripts
    or configuration, so on the site the link leads nowhere. Fix: link to a published kind of
    file (zip a script), or put the file where readers can get it and link there.
    """
    for link in relative_links(procedure, context):
        if not link.path_part or not link.inside or link.target.endswith(".md"):
            continue
        if is_asset(link.target) or not os.path.isfile(link.target):
            continue
        yield Problem(
            f"link target '{link.path_part}' is not published with the site (only Markdown,"
            " images and documents are)",
            link.line,
            link.col,
        )
