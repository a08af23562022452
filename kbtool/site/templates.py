"""Jinja environments for the site: HTML (autoescaped) and Markdown (every value escaped).

Values from front matter and the roster are untrusted text: a title may hold `<script>`, an
owner's name may hold `*` or `|`. The HTML environment escapes with Jinja's autoescape; the
Markdown environment escapes every `{{ value }}` through `finalize`, so a template cannot forget
to. Only `Markup` values (links and HTML we built from escaped parts) pass through unchanged.
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
from typing import Any
from urllib.parse import quote

import jinja2
import yaml
from markupsafe import Markup

# Characters Python-Markdown (with its tables extension) treats as syntax anywhere in a line,
# escaped with a backslash; `<` and `&` are escaped as HTML entities instead. Without `[` and
# `]` there is no link, so `(` and `)` stay as they are.
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_{}\[\]#!|])")
# What starts a list or a quote when it begins a line: escaped only there, to keep dates,
# versions and e-mail addresses readable in the generated Markdown.
_LINE_START = re.compile(r"^(\d+)([.)])|^([-+])")


def markdown_text(value: Any) -> str:
    """`value` as inline Markdown that renders as exactly that text, on one line."""
    text = html.escape(str(value), quote=False)
    text = " ".join(text.split())  # a newline would end a table row or a list item
    text = _MARKDOWN_SYNTAX.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", text)


def markdown_link(text: Any, target: str) -> Markup:
    """A Markdown link whose text is escaped and whose target is URL-quoted."""
    return Markup(f"[{markdown_text(text)}](<{quote(target, safe='/#.-_~')}>)")


def page_title(value: Any) -> Markup:
    """A title for a generated page's front matter: a YAML string of HTML-escaped text.

    MkDocs would take the title from the page's H1, and Material prints it into `<title>`
    through Jinja's `striptags`, which turns `&lt;` back into `<`: a service named
    `</title><script>` would then run. Material prints a front-matter title as it is, and so
    does the navigation, so that one is given already escaped (like a procedure's, see
    `card.page_meta`).
    """
    text = html.escape(" ".join(str(value).split()), quote=True)
    dumped = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=1 << 30)
    return Markup(dumped.strip())


def relative_link(from_uri: str, to_uri: str) -> str:
    """The relative path from the page at `from_uri` to the file `to_uri` (both src URIs)."""
    return posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")


def _finalize_markdown(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    return markdown_text(value)


def _loader() -> jinja2.BaseLoader:
    return jinja2.PackageLoader("kbtool.site", "templates")


@functools.cache
def html_environment() -> jinja2.Environment:
    """HTML and SVG templates, autoescaped."""
    env = jinja2.Environment(
        loader=_loader(),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env


@functools.cache
def markdown_environment() -> jinja2.Environment:
    """Markdown templates: every expression is escaped as Markdown text unless it is Markup."""
    env = jinja2.Environment(
        loader=_loader(),
        autoescape=False,
        finalize=_finalize_markdown,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["link"] = markdown_link
    return env


def compact_html(text: str) -> str:
    """Drop blank lines, so the HTML stays one raw block when embedded in Markdown."""
    return "\n".join(line for line in text.splitlines() if line.strip())
