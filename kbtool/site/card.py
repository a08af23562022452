"""A procedure page as Markdown: escaped title, banners and metadata card, then the body.

The card and banners come from the autoescaped Jinja template `templates/card.html`; they are
embedded in the Markdown as one raw HTML block, so any MkDocs-compatible builder renders them.
"""

from __future__ import annotations

import html
from typing import Any

from kbtool.review import ReviewState, ReviewStatus
from kbtool.site.model import ProcedurePage
from kbtool.site.templates import compact_html, html_environment, markdown_text


def due_text(review: ReviewState) -> str:
    """`in 12 days`, `due today`, `overdue by 3 days` (as of the build's date)."""
    if review.days_left is None:
        return ""
    days = review.days_left
    if review.status is ReviewStatus.FUTURE:
        return "review date is in the future"
    if days < 0:
        return f"overdue by {-days} day{'s' if days != -1 else ''}"
    if days == 0:
        return "due today"
    return f"in {days} day{'s' if days != 1 else ''}"


def render_card(page: ProcedurePage) -> str:
    """The banners and the metadata card as HTML (one block, no blank lines)."""
    template = html_environment().get_template("card.html")
    text = template.render(
        page=page,
        procedure=page.procedure,
        review=page.review,
        escalation=page.escalation,
        due_text=due_text(page.review),
    )
    return compact_html(text)


def procedure_markdown(page: ProcedurePage, fallback_body: str = "") -> str:
    """The page's Markdown: the title (escaped) as H1, banners, card, then the body.

    The body's own first H1 is replaced by the title from the front matter, so a hostile or
    odd title is shown as text and the page has exactly one H1. `fallback_body` is used when the
    front matter could not be separated from the body (an unclosed front matter block).
    """
    procedure = page.procedure
    body = procedure.body if (procedure.body or procedure.has_front_matter) else fallback_body
    body = _without_first_h1(body, page)
    title = markdown_text(procedure.title)
    return f"# {title}\n\n{render_card(page)}\n\n{body.lstrip(chr(10))}"


def _without_first_h1(body: str, page: ProcedurePage) -> str:
    scan = page.procedure.scan
    if scan is None or not body:
        return body
    first = next((h for h in scan.headings if h.level == 1), None)
    if first is None:
        return body
    lines = body.split("\n")
    index = first.line - page.procedure.body_start_line
    if not 0 <= index < len(lines):
        return body
    if lines[index].lstrip().startswith("#"):
        del lines[index]
    elif index + 1 < len(lines) and set(lines[index + 1].strip()) == {"="}:
        del lines[index : index + 2]  # a setext heading: the text, then a line of `=`
    return "\n".join(lines)


def page_meta(page: ProcedurePage, *, search_boost: float) -> dict[str, Any]:
    """MkDocs page meta for a procedure. Themes print `title`, `description` and tag names
    into HTML without escaping, so they are escaped here; kbtool's own values go under
    `kbtool` for templates that want them."""
    procedure = page.procedure
    meta: dict[str, Any] = {
        "title": html.escape(procedure.title, quote=True),
        "tags": [html.escape(tag, quote=True) for tag in procedure.tags],
        "search": {"boost": search_boost},
        "kbtool": {
            "id": procedure.id,
            "service": procedure.service,
            "status": procedure.status,
            "review": page.review.status.value,
            "orphaned": page.orphaned,
        },
    }
    if procedure.summary:
        meta["description"] = html.escape(procedure.summary, quote=True)
    return meta
