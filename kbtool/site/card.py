"""A procedure page: escaped title, summary and error codes as Markdown; banners and card.

The banners and the metadata card come from the autoescaped Jinja templates
`templates/banners.html` and `templates/card.html`; `inject` puts them into the finished page:
the banners under the title, the card after the summary and error codes. Neither Markdown nor
the search indexer spends time on them, and the card's details stay out of search results.
"""

from __future__ import annotations

import functools
import html
import re
from typing import Any

from markupsafe import Markup

from kbtool.model.review import ReviewState, ReviewStatus
from kbtool.site.model import Contact, Escalation, ProcedurePage
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


def render_banners(page: ProcedurePage) -> str:
    """The banners (overdue, orphaned, unowned, draft, retired, broken) as HTML."""
    return compact_html(html_environment().get_template("banners.html").render(page=page))


@functools.lru_cache(maxsize=4096)
def person_html(contact: Contact | None) -> Markup:
    """A person as the card shows them; the same few people appear on thousands of cards."""
    return Markup(html_environment().get_template("person.html").render(c=contact))


@functools.lru_cache(maxsize=4096)
def escalation_html(escalation: Escalation | None) -> Markup:
    return Markup(html_environment().get_template("escalation.html").render(escalation=escalation))


def render_card(page: ProcedurePage) -> str:
    """The metadata card as HTML."""
    template = html_environment().get_template("card.html")
    text = template.render(
        page=page,
        procedure=page.procedure,
        review=page.review,
        owner_html=person_html(page.owner_contact),
        backup_html=person_html(page.backup_contact),
        acting_html=person_html(page.acting_contact),
        escalation_html=escalation_html(page.escalation),
        due_text=due_text(page.review),
    )
    return compact_html(text)


def procedure_markdown(page: ProcedurePage, fallback_body: str = "") -> str:
    """The page's Markdown: the title (escaped) as H1, the summary and error codes, the body.

    The summary and error codes are Markdown so that search indexes them with the title. The
    Markdown holds no HTML at all (Python-Markdown's raw-HTML pass costs more than the rest of
    a page); `inject` adds the banners and the card to the finished page. The body's own first
    H1 is replaced by the front matter's title, so an odd or hostile title is shown as text and
    the page has exactly one H1. `fallback_body` is used when the front matter could not be
    separated from the body.
    """
    procedure = page.procedure
    body = procedure.body if (procedure.body or procedure.has_front_matter) else fallback_body
    body = _without_first_h1(body, page)
    parts = [f"# {markdown_text(procedure.title)}"]
    if procedure.summary:
        parts.append(markdown_text(procedure.summary))
    if procedure.error_codes:
        parts.append("Error codes: " + ", ".join(code_span(c) for c in procedure.error_codes))
    parts.append(body.lstrip("\n"))
    return "\n\n".join(parts)


def code_span(text: str) -> str:
    """`text` as a Markdown code span, whatever backticks it holds (CommonMark's rule)."""
    text = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_H1_END = re.compile(r"</h1>")
_H2_START = re.compile(r"<h2[\s>]")


def inject(html_page: str, page: ProcedurePage) -> str:
    """Put the banners after the page's H1 and the card before its first section (H2)."""
    article = max(html_page.find("<article"), 0)
    h1 = _H1_END.search(html_page, article)
    if h1 is None:  # a theme without the title in the content: put both at the top of <body>
        body = html_page.find(">", html_page.find("<body")) + 1
        return html_page[:body] + render_banners(page) + render_card(page) + html_page[body:]
    h2 = _H2_START.search(html_page, h1.end())
    end = html_page.rfind("</article>")
    at = h2.start() if h2 is not None else (end if end > h1.end() else h1.end())
    return (
        html_page[: h1.end()]
        + render_banners(page)
        + html_page[h1.end() : at]
        + render_card(page)
        + html_page[at:]
    )


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
