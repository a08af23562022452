"""A procedure's rendered body, sanitised to `kbtool.model.html_policy`'s allow-list with nh3.

Procedures are written by many people and read by every agent, so nothing in a body may run
in a reader's browser: raw `<script>`, `<img onerror>`, `{: onclick=... }` attributes and
`javascript:` links are removed, their text kept. The plugin runs this on the HTML Markdown
made of the body (MkDocs' `on_page_content`), before kbtool adds its own escaped card and
banners and before the theme and the search index see the page.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable
from typing import TYPE_CHECKING

import nh3

from kbtool.model import html_policy as policy

if TYPE_CHECKING:
    from mkdocs.structure.toc import AnchorLink


@functools.cache
def _cleaner() -> nh3.Cleaner:
    restricted = {tag: {name: set(values)} for (tag, name), values in policy.VALUES.items()}
    attributes: dict[str, set[str]] = {"*": set(policy.GLOBAL_ATTRIBUTES)}
    for tag, names in policy.ATTRIBUTES.items():
        attributes[tag] = {n for n in names if n not in restricted.get(tag, {})}
    return nh3.Cleaner(
        tags=set(policy.TAGS),
        clean_content_tags=set(policy.DROPPED_WITH_CONTENT),
        attributes=attributes,
        generic_attribute_prefixes=set(policy.GLOBAL_PREFIXES),
        tag_attribute_values=restricted,
        url_schemes=set(policy.URL_SCHEMES),
        filter_style_properties=set(policy.STYLE_PROPERTIES),
        link_rel=None,  # keep links as written: no `target` survives without a safe value
        strip_comments=True,
    )


def sanitise_html(fragment: str) -> str:
    """`fragment` with everything off the allow-list removed (text kept)."""
    return _cleaner().clean(fragment)


def sanitise_toc(items: Iterable[AnchorLink]) -> None:
    """The table of contents the theme prints unescaped: titles as text, ids escaped.

    Its entries come from the body's headings, so a heading id set with attr_list
    (`{: id='x"><img onerror=...>' }`) would otherwise break out of the sidebar's `href`.
    """
    for item in items:
        item.title = nh3.clean(item.title, tags=set())
        item.id = html.escape(html.unescape(item.id), quote=True)
        sanitise_toc(item.children)
