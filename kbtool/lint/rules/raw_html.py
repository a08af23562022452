"""HT: nothing in a body runs in a reader's browser; raw HTML the site removes is reported.

The site sanitises every procedure body to the allow-list in `kbtool.model.html_policy`; these rules
report, with file and line, exactly what that removes, so an author learns it before the
procedure is published. Code blocks and code spans are not HTML and are never reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from kbtool.lint.findings import Problem, Severity
from kbtool.lint.rules.base import LintContext, rule
from kbtool.model import html_policy as policy
from kbtool.model.dialect import without_directives
from kbtool.model.html_scan import EMPTY, Attribute, HtmlScan, scan_html
from kbtool.model.procedure import Procedure

_SHOWN = 60  # characters of a URL quoted in a message


def _scan(procedure: Procedure, context: LintContext) -> HtmlScan:
    if not procedure.body:
        return EMPTY
    dialect = context.config.dialect
    return context.memo(
        "html",
        procedure,
        lambda p: scan_html(without_directives(p.body, dialect), p.body_start_line),
    )


def _shown(url: str) -> str:
    url = " ".join(url.split())
    return url if len(url) <= _SHOWN else url[: _SHOWN - 1] + "…"


def _url_message(url: str, what: str) -> str:
    scheme = policy.url_scheme(url)
    kept = ", ".join(sorted(policy.URL_SCHEMES))
    if scheme in policy.SCRIPT_SCHEMES:
        return (
            f"{what} '{_shown(url)}' would run script or open an unpublished document in the "
            f"reader's browser; it is removed from the published page"
        )
    return (
        f"{what} '{_shown(url)}' is removed from the published page: only {kept} and "
        "relative links are kept"
    )


@rule("HT001", "raw-html", Severity.ERROR)
def raw_html(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """The body holds raw HTML that the site removes when it publishes the procedure.

    Procedures are read by every agent, so the site keeps only the HTML that Markdown itself
    makes and a few harmless tags written by hand (`<kbd>`, `<br>`, `<sub>`, `<sup>`,
    `<details>`, tables...). Scripts, styles, frames, forms, inline SVG, unknown tags and
    attributes off the list are removed; so is a `<placeholder>` written without backticks,
    which a browser would swallow. Fix: write it in Markdown, put placeholders and code in
    backticks (`` `<username>` ``), or, when every author is trusted, publish raw HTML as written
    with `[site] allow_raw_html = true` in kbtool.toml (this rule is then quiet).
    """
    if context.config.site.allow_raw_html:
        return
    for tag in _scan(procedure, context).tags:
        if tag.name not in policy.KNOWN_ELEMENTS:
            yield Problem(
                f"<{tag.name}> is not HTML and is removed from the published page: if it is "
                f"a placeholder, write it in backticks (`<{tag.name}>`)",
                tag.line,
                tag.col,
            )
            continue
        if not policy.tag_allowed(tag.name):
            yield Problem(
                f"raw HTML <{tag.name}> is removed from the published page", tag.line, tag.col
            )
            continue
        for attribute in tag.attributes:
            yield from _attribute_removed(tag.name, attribute, tag.line, tag.col)


def _attribute_removed(tag: str, attribute: Attribute, line: int, col: int) -> Iterator[Problem]:
    name = attribute.name
    if policy.is_event_handler(name) or (
        name in policy.URL_ATTRIBUTES and not policy.url_allowed(attribute.value)
    ):
        return  # HT002 and HT003 report these
    if not policy.attribute_allowed(tag, name):
        yield Problem(
            f"attribute '{name}' of <{tag}> is removed from the published page", line, col
        )
    elif name == "style":
        for prop in policy.style_problems(attribute.value):
            yield Problem(
                f"style '{prop}' of <{tag}> is removed from the published page (only "
                f"{', '.join(sorted(policy.STYLE_PROPERTIES))} are kept)",
                line,
                col,
            )
    elif not policy.value_allowed(tag, name, attribute.value):
        yield Problem(
            f"{name}='{_shown(attribute.value)}' of <{tag}> is removed from the published page",
            line,
            col,
        )


@rule("HT002", "event-handler", Severity.ERROR)
def event_handler(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """An HTML tag or an attr_list (`{: onclick="..." }`) in the body sets an event handler.

    `onclick`, `onerror`, `onmouseover` and every other `on...` attribute is script that would
    run in the browser of each agent who opens the page. The site removes them; a procedure
    has no use for them. Fix: delete the attribute.
    """
    scan = _scan(procedure, context)
    for tag in scan.tags:
        for attribute in tag.attributes:
            if policy.is_event_handler(attribute.name):
                yield Problem(
                    f"event handler '{attribute.name}' on <{tag.name}> would run script in the "
                    "reader's browser; it is removed from the published page",
                    tag.line,
                    tag.col,
                )
    for block in scan.attr_lists:
        for attribute in block.attributes:
            if policy.is_event_handler(attribute.name):
                yield Problem(
                    f"event handler '{attribute.name}' in an attribute list would run script in "
                    "the reader's browser; it is removed from the published page",
                    block.line,
                    block.col,
                )


@rule("HT003", "unsafe-url", Severity.ERROR)
def unsafe_url(procedure: Procedure, context: LintContext) -> Iterator[Problem]:
    """A link, image or HTML attribute in the body has a URL the site does not publish.

    `javascript:`, `vbscript:` and `data:` URLs run script or open a document nobody reviewed,
    in inline links, reference definitions, raw HTML (`href`, `src`, `action`...) and
    attr_lists alike; entities and capitals (`JaVa&#x53;cript:`) are read as a browser reads
    them. Only http, https, mailto, tel and relative URLs are kept. Fix: link to an https page
    or to another procedure.
    """
    if procedure.scan is not None:
        for link in procedure.scan.links:
            if not policy.url_allowed(link.target):
                what = "image" if link.image else "link to"
                yield Problem(_url_message(link.target, what), link.line, link.col)
    scan = _scan(procedure, context)
    for tag in scan.tags:
        for attribute in tag.attributes:
            if attribute.name in policy.URL_ATTRIBUTES and not policy.url_allowed(attribute.value):
                what = f"<{tag.name} {attribute.name}>"
                yield Problem(_url_message(attribute.value, what), tag.line, tag.col)
    for block in scan.attr_lists:
        for attribute in block.attributes:
            if attribute.name in policy.URL_ATTRIBUTES and not policy.url_allowed(attribute.value):
                what = f"attribute list {attribute.name}"
                yield Problem(_url_message(attribute.value, what), block.line, block.col)
