"""The fast scanner against the oracles: markdown-it-py (CommonMark) for structure and links,
Python-Markdown's toc (what MkDocs renders) for anchors."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import markdown
import pytest
from markdown.extensions.toc import slugify as toc_slugify
from markdown_it import MarkdownIt

from kbtool.model.markdown_scan import scan_body, slugify

COMMONMARK = MarkdownIt("commonmark")

TRICKY = {
    "atx-closing-hashes": "# Title ##\n## Sub #\n### x ###   \n#5 not a heading\n####### seven\n",
    "atx-empty": "#\n## \n",
    "atx-indented-3": "   ## Indented three\n",
    "atx-indented-4-is-code": "    ## code\n",
    "setext": "Title\n=====\n\nSub\n---\n",
    "setext-after-list-is-break": "- item\n---\n",
    "hash-inside-heading": "## C# tips\n## Step 2: Reset!\n",
    "heading-with-markup": "## **Bold** and `code` and [link](x.md)\n",
    "heading-entity": "## A &amp; B\n",
    "backslash-hash": "\\# not a heading\n",
    "lazy-heading": "para\n# head\n",
    "backtick-fence": "```\n# no\n[a](b.md)\n```\n## yes\n",
    "tilde-fence": "~~~\n## no\n[a](b.md)\n~~~\n## yes\n",
    "longer-fence": "````\n```\n# no\n````\n# yes\n",
    "fence-with-info": "```bash\n# comment\n```\n",
    "tilde-fence-backtick-info": "~~~ `info`\n# no\n~~~\n",
    "unclosed-fence": "```\n# no\n[a](b.md)\n",
    "fence-in-list": "1. step\n   ```\n   # no\n   ```\n2. next\n",
    "inline-code-link": "Use `[a](b.md)` and [c](d.md)\n",
    "double-backtick-code": "Use ``[a](`b`.md)`` then [e](f.md)\n",
    "nested-lists": "- a\n  - [b](b.md)\n    1. [c](c.md)\n",
    "reference-link": 'See [x][r]\n\n[r]: target.md "T"\n',
    "reference-angle": "[r]: <with space.md>\n\n[x][r]\n",
    "link-title-double": '[a](x.md "title")\n',
    "link-title-single": "[a](x.md 'title')\n",
    "link-angle": "[b](<y z.md>)\n",
    "link-parens": "[a](x_(y).md)\n",
    "link-fragment": "[a](x.md#part) [b](#local)\n",
    "image": "![i](img.png) and ![j](pic.jpg 'T')\n",
    "nested-brackets": "[a [b] c](x.md)\n",
    "several-on-a-line": "[a](1.md), [b](2.md) and [c](3.md)\n",
    "indented-code": "text\n\n    # not heading\n    [a](b.md)\n",
    "list-continuation-not-code": "1. step\n\n    [a](b.md)\n",
    "html-comment-block": "<!--\n# not a heading\n[a](b.md)\n-->\n# yes\n",
    "html-comment-inline": "<!-- note --> \n## real\n",
}

# Where the site's renderer (Python-Markdown) and CommonMark disagree, the scanner follows the
# site, because anchors must match the published pages; other known gaps are harmless here.
KNOWN_DIFFERENCES = {
    "setext-multi-line": "line one\nline two\n===\n",  # Python-Markdown: no heading at all
    "blockquote-heading": "> # quoted\n",  # headings in quotes: not sections of a procedure
}


def oracle(source: str) -> tuple[list[tuple[int, str, int]], list[str]]:
    env: dict[str, Any] = {}
    tokens = COMMONMARK.parse(source, env)
    headings: list[tuple[int, str, int]] = []
    links: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            assert token.map is not None
            headings.append((int(token.tag[1]), plain(inline.children), token.map[0] + 1))
        if token.type == "inline":
            collect_links(token.children, links)
    for reference in env.get("references", {}).values():  # definitions count, used or not
        if reference["href"] not in links:
            links.append(reference["href"])
    return headings, [unquote(link) for link in links]


def plain(children: list[Any] | None) -> str:
    return "".join(
        " "
        if c.type == "softbreak"
        else c.content
        if c.type in ("text", "code_inline")
        else plain(c.children)
        for c in children or []
    ).strip()


def collect_links(children: list[Any] | None, links: list[str]) -> None:
    for child in children or []:
        if child.type == "link_open":
            links.append(child.attrs["href"])
        elif child.type == "image":
            links.append(child.attrs["src"])
        collect_links(child.children, links)


@pytest.mark.parametrize("source", TRICKY.values(), ids=TRICKY.keys())
def test_scanner_agrees_with_markdown_it(source: str) -> None:
    headings, links = oracle(source)
    scan = scan_body(source)
    assert [(h.level, h.text, h.line) for h in scan.headings] == headings
    assert sorted({unquote(link.target) for link in scan.links}) == sorted(set(links))


def test_known_differences_follow_python_markdown() -> None:
    source = KNOWN_DIFFERENCES["setext-multi-line"]
    assert oracle(source)[0] == [(1, "line one line two", 1)]  # CommonMark
    assert site_ids(source) == [] and scan_body(source).headings == ()  # the site, and us
    assert scan_body(KNOWN_DIFFERENCES["blockquote-heading"]).headings == ()


def test_lines_are_offset_by_first_line() -> None:
    scan = scan_body("## A\n\n[x](y.md)\n", first_line=10)
    assert scan.headings[0].line == 10 and scan.links[0].line == 12


def test_link_columns_and_images() -> None:
    scan = scan_body("ab [x](y.md) ![i](p.png)\n")
    assert [(link.col, link.image) for link in scan.links] == [(4, False), (14, True)]


def test_sections_steps_and_content() -> None:
    body = (
        "# T\n\n## Symptoms\n\ntext\n\n## Resolution\n\n1. a\n2. b\n   - sub\n3) c\n\n"
        "### Detail\n\n4. d\n\n## Escalation\n\n## Empty? no\n<!-- only a comment -->\n"
    )
    scan = scan_body(body)
    got = [(s.title, s.line, s.end_line, s.steps, s.has_content) for s in scan.sections]
    assert got == [
        ("Symptoms", 3, 6, 0, True),
        ("Resolution", 7, 17, 4, True),
        ("Escalation", 18, 19, 0, False),
        ("Empty? no", 20, 22, 0, False),
    ]
    assert scan.section("resolution") is scan.sections[1] and scan.first_h1 == "T"


@pytest.mark.parametrize(
    ("comment", "codes"),
    [
        ("<!-- kbtool: disable ST002 -->", {"ST002"}),
        ("<!-- kbtool: disable ST002, LN001 -->", {"ST002", "LN001"}),
        ("<!-- kbtool-disable FR -->", {"FR"}),
        ("<!--kbtool:disable=OW004-->", {"OW004"}),
        ("<!-- kbtool: enable ST002 -->", set()),
        ("`<!-- kbtool: disable ST002 -->`", {"ST002"}),
    ],
)
def test_disable_comments(comment: str, codes: set[str]) -> None:
    assert scan_body(f"text\n{comment}\n").disabled_codes == codes


def test_disable_comment_inside_fence_is_ignored() -> None:
    assert scan_body("```\n<!-- kbtool: disable ST002 -->\n```\n").disabled_codes == frozenset()


# --- anchors: exactly as the MkDocs site (Python-Markdown toc) makes them ---------------------

SLUG_CASES = [
    "Step 2: Reset!",
    "C# tips",
    "Café crème",
    "Ünïcödé → arrows",
    "  spaces  around ",
    "a--b  c",
    "under_score",
    "日本語",
    "100% done?",
    "Emoji 🚀 launch",
    "Tab\there",
    "Ends with -",
    "x&amp;y",
    "ǅ ligature ﬁ",
    "Ошибка входа",
    "0x8004010F error",
    "",
    'Outlook: "Loading profile"',
    "Wi-Fi / VPN (remote)",
    "e-mail's quirks",
]


@pytest.mark.parametrize("text", SLUG_CASES)
def test_slugify_matches_python_markdown(text: str) -> None:
    assert slugify(text) == toc_slugify(text, "-")


def site_ids(source: str) -> list[str]:
    md = markdown.Markdown(extensions=["toc"])
    md.convert(source)

    def flat(tokens: list[dict[str, Any]]) -> list[str]:
        return [i for t in tokens for i in [t["id"], *flat(t["children"])]]

    return flat(md.toc_tokens)


ANCHOR_DOCUMENTS = {
    "duplicates": "# Setup\n\n## Setup\n\n## Setup\n\n## Setup_1\n\n## Setup_3\n",
    "empty-slugs": "## 日本語\n\n## 日本語\n\n## !!!\n",
    "markup": "## **Bold** head\n\n## `code` head\n\n## [link](x.md) head\n\n## x <em>y</em>\n",
    "entities": "## A &amp; B\n\n## Use &lt;kbd&gt;\n",
    "underscores": "## snake_case_name\n\n## __dunder__\n\n## _emph_ word\n",
    "unicode": "## Ünï\n\n## Ошибка\n\n## Café\n\n## Cafe\n",
    "closing-hashes": "## C# *and* F#\n\n## Title ##\n",
    "setext": "Big\n===\n\nSmall\n-----\n\n## Small\n",
}


@pytest.mark.parametrize("source", ANCHOR_DOCUMENTS.values(), ids=ANCHOR_DOCUMENTS.keys())
def test_anchors_match_the_site(source: str) -> None:
    assert [h.anchor for h in scan_body(source).headings] == site_ids(source)


@pytest.mark.parametrize(
    ("body", "anchor"),
    [
        ('<a id="summary"></a>\n\nText\n', "summary"),
        ("Intro <a name='Note1'>note</a> text\n", "Note1"),
        ("## Reset the profile {#reset}\n\nText\n", "reset"),
        ("## Reset the profile { #reset .wide }\n\nText\n", "reset"),
    ],
)
def test_html_and_attr_list_anchors_count(body: str, anchor: str) -> None:
    assert anchor in scan_body(body).anchors


def test_attr_list_id_is_not_part_of_the_heading_text() -> None:
    heading = scan_body("## Reset the profile {#reset}\n").headings[0]
    assert (heading.text, heading.anchor) == ("Reset the profile", "reset")
