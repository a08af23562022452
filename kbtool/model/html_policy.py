"""What HTML a procedure's body may publish: one allow-list for the site and the linter.

The site's sanitiser (`kbtool.site.sanitise`, with nh3) keeps exactly this, and the HT lint
rules report what it would remove, so an author learns before publishing that a `<script>`,
an `onclick` or a `javascript:` link will not reach readers.

The list covers what Python-Markdown and the extensions Material sites use produce (tables,
admonitions, details, code highlighting with line anchors, inline highlighting, footnotes,
task lists, tabs, keys, abbreviations, definition lists, heading ids and permalinks) and the
harmless inline HTML authors write by hand (`<kbd>`, `<br>`, `<sub>`...). Scripts, frames,
forms, embedded objects, styles, inline SVG and MathML are not on it. Event-handler attributes
never are; URLs keep only the schemes below (relative URLs and fragments always pass).
"""

from __future__ import annotations

import html
import re

#: Elements kept; any other element is removed (its text is kept, except for those below).
TAGS: frozenset[str] = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "input",
        "ins",
        "kbd",
        "label",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
        "var",
        "wbr",
    }
)

#: Every element name of HTML, SVG and MathML a browser knows (obsolete ones included). Any
#: other `<word>` in a body is almost always a placeholder (`<username>`) that the browser
#: would swallow: the finding says so.
KNOWN_ELEMENTS: frozenset[str] = TAGS | frozenset(
    {
        "acronym",
        "address",
        "animate",
        "applet",
        "area",
        "article",
        "aside",
        "audio",
        "base",
        "basefont",
        "bdi",
        "bdo",
        "bgsound",
        "big",
        "blink",
        "body",
        "button",
        "canvas",
        "center",
        "circle",
        "data",
        "datalist",
        "dialog",
        "dir",
        "embed",
        "fieldset",
        "font",
        "footer",
        "foreignobject",
        "form",
        "frame",
        "frameset",
        "g",
        "head",
        "header",
        "hgroup",
        "html",
        "iframe",
        "image",
        "isindex",
        "keygen",
        "legend",
        "line",
        "link",
        "listing",
        "main",
        "map",
        "marquee",
        "math",
        "menu",
        "menuitem",
        "meta",
        "meter",
        "mglyph",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "multicol",
        "nav",
        "nextid",
        "nobr",
        "noembed",
        "noframes",
        "noscript",
        "object",
        "optgroup",
        "option",
        "output",
        "param",
        "path",
        "picture",
        "plaintext",
        "polygon",
        "portal",
        "progress",
        "rb",
        "rect",
        "rp",
        "rt",
        "rtc",
        "ruby",
        "script",
        "search",
        "section",
        "select",
        "set",
        "slot",
        "source",
        "spacer",
        "strike",
        "style",
        "svg",
        "template",
        "text",
        "textarea",
        "title",
        "track",
        "tt",
        "use",
        "video",
        "xmp",
    }
)

#: Elements removed with everything inside them: their content is code, not text.
DROPPED_WITH_CONTENT: frozenset[str] = frozenset({"script", "style", "template"})

#: Attributes kept on every allowed element. (`markdown` asks md_in_html to read the tag's
#: content as Markdown; that extension removes it.)
GLOBAL_ATTRIBUTES: frozenset[str] = frozenset(
    {"class", "dir", "id", "lang", "markdown", "style", "title"}
)
#: Attribute-name prefixes kept on every allowed element (accessibility labels).
GLOBAL_PREFIXES: frozenset[str] = frozenset({"aria-"})

#: Attributes kept on particular elements, besides the global ones.
ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "name", "rel", "target"}),
    "img": frozenset({"align", "alt", "height", "loading", "src", "width"}),
    "td": frozenset({"align", "colspan", "rowspan"}),
    "th": frozenset({"align", "colspan", "rowspan", "scope"}),
    "col": frozenset({"span", "width"}),
    "colgroup": frozenset({"span", "width"}),
    "ol": frozenset({"reversed", "start", "type"}),
    "li": frozenset({"value"}),
    "details": frozenset({"open"}),
    "div": frozenset({"data-tabs"}),  # pymdownx.tabbed
    "input": frozenset({"checked", "disabled", "name", "type"}),  # task lists and tabs
    "label": frozenset({"for"}),
    "time": frozenset({"datetime"}),
}

#: Attribute values restricted to a few choices (others are removed with a finding).
VALUES: dict[tuple[str, str], frozenset[str]] = {
    ("input", "type"): frozenset({"checkbox", "radio"}),
    ("a", "target"): frozenset({"_blank", "_self", "_parent", "_top"}),
}

#: CSS properties kept in `style` (table alignment, image sizes); others are removed, so a
#: body cannot lay a fake login box over the page.
STYLE_PROPERTIES: frozenset[str] = frozenset(
    {"text-align", "vertical-align", "width", "height", "max-width", "max-height"}
)

#: Attributes whose value is a URL.
URL_ATTRIBUTES: frozenset[str] = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "cite",
        "data",
        "poster",
        "background",
        "xlink:href",
        "srcset",
        "ping",
        "manifest",
        "codebase",
        "longdesc",
        "lowsrc",
        "dynsrc",
    }
)

#: URL schemes kept. Relative URLs (`../other.md`, `#anchor`, `//host/path`) always are.
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto", "tel"})

#: Schemes that run code or open a document the site did not publish: named in findings.
SCRIPT_SCHEMES: frozenset[str] = frozenset({"javascript", "vbscript", "data", "livescript"})

# Browsers drop ASCII tab and newline anywhere in a URL, and leading C0 controls and spaces
# (`java\tscript:` runs), so the scheme is read the same way.
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_LEADING = re.compile(r"^[\x00-\x20]+")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_STYLE_PROPERTY = re.compile(r"(?:^|;)\s*([-\w]+)\s*:")


def is_event_handler(name: str) -> bool:
    """`onclick`, `onerror`, `ONLOAD`...: every attribute a browser runs as script."""
    name = name.lower()
    return name.startswith("on") and len(name) > 2


def url_scheme(url: str) -> str | None:
    """The scheme a browser reads in `url` (lower case), or None for a relative URL."""
    cleaned = _URL_LEADING.sub("", _URL_IGNORED.sub("", html.unescape(url)))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def url_allowed(url: str) -> bool:
    scheme = url_scheme(url)
    return scheme is None or scheme in URL_SCHEMES


def tag_allowed(tag: str) -> bool:
    return tag.lower() in TAGS


def attribute_allowed(tag: str, name: str) -> bool:
    """Whether the attribute is on the allow-list at all (its value is checked apart)."""
    name = name.lower()
    if is_event_handler(name):
        return False
    if name in GLOBAL_ATTRIBUTES or any(name.startswith(p) for p in GLOBAL_PREFIXES):
        return True
    return name in ATTRIBUTES.get(tag.lower(), frozenset())


def style_problems(value: str) -> list[str]:
    """CSS properties in a `style` value that are removed."""
    return [prop for prop in _STYLE_PROPERTY.findall(value) if prop.lower() not in STYLE_PROPERTIES]


def value_allowed(tag: str, name: str, value: str) -> bool:
    """Whether an allowed attribute keeps this value (URL schemes, restricted choices)."""
    tag, name = tag.lower(), name.lower()
    if name in URL_ATTRIBUTES and not url_allowed(value):
        return False
    choices = VALUES.get((tag, name))
    return choices is None or value.strip().lower() in choices
