"""A procedure page laid out for a call: escaped title, summary and error codes as Markdown;
the status line, banners and card around the body.

At 1280×800 the first screen holds the title, the summary, a status line (state, who answers
today and how to reach them, the review state, a link to the escalation), the banners and the
first steps. `layout` (on the body's HTML) puts the sections before the steps section
(Symptoms, Cause) beside the steps on a wide screen, above them on a phone, and leaves a place
for the card, which sits beside them too (after them on a phone). `inject` (on the finished
page) fills in the status line, the banners and the card from the autoescaped Jinja templates
`templates/status.html`, `banners.html` and `card.html`; neither Markdown nor the search
indexer spends time on them, and the card's details stay out of search results.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from kbtool.model.config import Config
from kbtool.model.dialect import absolute_links_to, expand, uses_dialect
from kbtool.model.escalation import Escalation
from kbtool.model.review import ReviewState, ReviewStatus
from kbtool.model.steps import escalation_section, four_space_lists
from kbtool.site.model import Contact, ProcedurePage
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


#: Makes the URL of a page relative to the page being written ("" when it is not published).
UrlOf = Callable[[ProcedurePage], str]


def _no_url(page: ProcedurePage) -> str:
    return ""


def render_banners(page: ProcedurePage, url: UrlOf = _no_url) -> str:
    """The banners (retired, draft, overdue, orphaned, unowned, broken) as HTML."""
    template = html_environment().get_template("banners.html")
    return compact_html(template.render(page=page, url=url))


@functools.lru_cache(maxsize=4096)
def person_html(contact: Contact | None) -> Markup:
    """A person as the card shows them; the same few people appear on thousands of cards."""
    return Markup(html_environment().get_template("person.html").render(c=contact))


@functools.lru_cache(maxsize=4096)
def contact_html(contact: Contact) -> Markup:
    return Markup(html_environment().get_template("contact.html").render(c=contact))


@functools.lru_cache(maxsize=4096)
def escalation_html(escalation: Escalation | None) -> Markup:
    return Markup(html_environment().get_template("escalation.html").render(escalation=escalation))


def review_text(page: ProcedurePage) -> str:
    """The review state on the status line: `Review due in 12 days`, `Overdue for review by
    3 days`; nothing for a retired procedure."""
    review, status = page.review, page.procedure.status
    if status == "retired":
        return ""
    if review.status is ReviewStatus.NEVER_REVIEWED:
        return "Never reviewed" if status == "published" else "Not reviewed yet"
    if review.days_left is None:
        return ""
    if review.status is ReviewStatus.FUTURE:
        return "Review date in the future"
    days = review.days_left
    if days < 0:
        return f"Overdue for review by {-days} day{'s' if days != -1 else ''}"
    if days == 0:
        return "Review due today"
    return f"Review due in {days} day{'s' if days != 1 else ''}"


def render_status(page: ProcedurePage, escalation_anchor: str | None) -> str:
    """The status line: state, who answers for it today with their contact, review state."""
    answering = page.acting_contact if page.owner.orphaned else page.owner_contact
    if page.owner.orphaned and page.acting_contact is None:
        answering = None
    template = html_environment().get_template("status.html")
    text = template.render(
        page=page,
        procedure=page.procedure,
        review=page.review,
        answering=answering,
        answering_html=contact_html(answering) if answering is not None else "",
        review_text=review_text(page),
        escalation_anchor=escalation_anchor,
    )
    return compact_html(text)


def render_card(page: ProcedurePage, url: UrlOf = _no_url, tags_html: str = "") -> str:
    """The metadata card as HTML (`tags_html`: the theme's tag links, when it made them)."""
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
        url=url,
        tags_html=Markup(tags_html),
    )
    return compact_html(text)


def procedure_markdown(
    page: ProcedurePage, fallback_body: str = "", config: Config | None = None
) -> str:
    """The page's Markdown: the title (escaped) as H1, the summary and error codes, the body.

    The summary and error codes are Markdown so that search indexes them with the title. The
    Markdown holds no HTML at all (Python-Markdown's raw-HTML pass costs more than the rest of
    a page); `inject` adds the banners and the card to the finished page. The body's own first
    H1 is replaced by the front matter's title, so an odd or hostile title is shown as text and
    the page has exactly one H1. `fallback_body` is used when the front matter could not be
    separated from the body. With `config`, the body is read in the Markdown dialects it turns
    on (`kbtool.model.dialect`: includes inlined, Learn's images as images).
    """
    procedure = page.procedure
    body = procedure.body if (procedure.body or procedure.has_front_matter) else fallback_body
    body = _without_first_h1(body, page)
    if config is not None and uses_dialect(body, config.dialect):
        body = expand(body, procedure.rel_path, procedure.body_start_line, config).text
    if config is not None and config.links.base_url is not None:
        body = absolute_links_to(body, config.links.base_url)
    body = four_space_lists(body)
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
_CODES = re.compile(r"<p>Error codes: .*?</p>", re.S)
_CONTAINERS = ("div", "details", "blockquote", "ol", "ul", "table", "section", "aside", "dl")
_TAGS_NAV = re.compile(r'<nav class="md-tags"[^>]*>.*?</nav>', re.S)
HEAD_SLOT = "<!--kbtool:head-->"
CARD_SLOT = "<!--kbtool:card-->"


def feedback_html(page: ProcedurePage) -> str:
    """The hidden feedback controls of a procedure's page (none for a retired one)."""
    from kbtool.events.model import CATEGORIES, MAX_TEXT_CHARS

    if page.procedure.status == "retired":
        return ""
    template = html_environment().get_template("feedback.html")
    return compact_html(
        template.render(
            ident=page.procedure.id or page.procedure.rel_path,
            categories=CATEGORIES,
            max_text=MAX_TEXT_CHARS,
        )
    )


def layout(html_body: str, page: ProcedurePage, toc: Any, steps_title: str) -> str:
    """The body's HTML laid out for a call (see the module's docstring): the sections before
    the steps section go in `kbtool-context`, the steps and what follows in `kbtool-steps`;
    the card's place (`kbtool-card`, with the error codes) comes first, so that the codes are
    indexed with the title, and CSS shows it beside the sections, or after them on a phone."""
    anchors = [(item.id, item.title) for item in _level2(toc)]
    first_h2 = _H2_START.search(html_body)
    wanted = steps_title.strip().lower()
    steps_id = next((i for i, title in anchors if _plain(title) == wanted), None)
    head_end = first_h2.start() if first_h2 else len(html_body)
    if not _balanced(html_body[:head_end]):
        return html_body  # a heading inside a container: leave the page as it is
    head, rest = html_body[:head_end], html_body[head_end:]
    codes = ""
    found = _CODES.search(head)
    if found is not None:
        codes = f'<div class="kbtool-codes">{found.group(0)}</div>'
        head = head[: found.start()] + head[found.end() :]
    card = f'<aside class="kbtool-card" id="kbtool-card">{CARD_SLOT}{codes}</aside>'
    split = rest.find(f'<h2 id="{steps_id}"') if steps_id else -1
    if split > 0 and _balanced(rest[:split]):
        context = f'<div class="kbtool-context">{rest[:split]}</div>'
        steps = f'<div class="kbtool-steps">{rest[split:]}</div>'
        return f'{head}{HEAD_SLOT}<div class="kbtool-call">{card}{context}{steps}</div>'
    steps = f'<div class="kbtool-steps">{rest}</div>'
    return f'{head}{HEAD_SLOT}<div class="kbtool-call kbtool-call--single">{card}{steps}</div>'


def _level2(toc: Any) -> list[Any]:
    found: list[Any] = []
    for item in toc or ():
        if getattr(item, "level", 0) == 2:
            found.append(item)
        found.extend(_level2(getattr(item, "children", ())))
    return found


def _plain(title: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", title)).strip().lower()


def _balanced(fragment: str) -> bool:
    """No container element is left open in `fragment` (so the page can be cut after it)."""
    for tag in _CONTAINERS:
        opened = len(re.findall(rf"<{tag}[\s>]", fragment))
        if opened != fragment.count(f"</{tag}>"):
            return False
    return True


def escalation_anchor(page: ProcedurePage, toc: Any) -> str | None:
    """The id of the escalation section's heading on the page."""
    section = escalation_section(page.procedure)
    if section is None:
        return None
    wanted = section.title.strip().lower()
    return next((item.id for item in _level2(toc) if _plain(item.title) == wanted), None)


def inject(
    html_page: str,
    page: ProcedurePage,
    url: UrlOf = _no_url,
    escalation_id: str | None = None,
) -> str:
    """Fill in the status line and banners (under the summary) and the card (beside the
    sections) where `layout` left their places; without them (another theme, or a page
    `layout` left as it was), the banners and card go after the H1 and before the first H2."""
    tags_html = ""
    tags = _TAGS_NAV.search(html_page)
    if tags is not None:  # the theme's tag links, shown once: in the card
        tags_html = tags.group(0).replace(" hidden>", ">")
        html_page = html_page[: tags.start()] + html_page[tags.end() :]
    if HEAD_SLOT in html_page and CARD_SLOT in html_page:
        head = render_status(page, escalation_id) + render_banners(page, url)
        html_page = html_page.replace(HEAD_SLOT, head, 1)
        return html_page.replace(CARD_SLOT, render_card(page, url, tags_html), 1)
    card = (
        f'<aside class="kbtool-card" id="kbtool-card">{render_card(page, url, tags_html)}</aside>'
    )
    article = max(html_page.find("<article"), 0)
    h1 = _H1_END.search(html_page, article)
    if h1 is None:  # a theme without the title in the content: put both at the top of <body>
        body = html_page.find(">", html_page.find("<body")) + 1
        return html_page[:body] + render_banners(page, url) + card + html_page[body:]
    h2 = _H2_START.search(html_page, h1.end())
    end = html_page.rfind("</article>")
    at = h2.start() if h2 is not None else (end if end > h1.end() else h1.end())
    return (
        html_page[: h1.end()]
        + render_banners(page, url)
        + html_page[h1.end() : at]
        + card
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
        # The call layout uses the whole width; the tags are shown once, in the card.
        "hide": ["navigation", "toc", "tags"],
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
