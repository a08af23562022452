"""Markdown dialects (`[dialect]`): alerts, Learn's includes, images and no-loc, expanded once
in the model for the site, the index and lint."""

from __future__ import annotations

import os
from pathlib import Path

import markdown
import pytest

from kbtool.core.errors import ConfigError
from kbtool.model.config import load_config
from kbtool.model.dialect import (
    MAX_INCLUDE_DEPTH,
    dialects_used,
    expand,
    markdown_literal,
    searchable_text,
)

ALL_ON = "[dialect]\nalerts = true\nincludes = true\nimages = true\nno_loc = true\n"


def kb(tmp_path: Path, files: dict[str, str], toml: str = ALL_ON) -> Path:
    (tmp_path / "kbtool.toml").write_text(toml, encoding="utf-8")
    for rel, text in files.items():
        path = tmp_path / "procedures" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (tmp_path / "procedures").mkdir(exist_ok=True)
    return tmp_path


def expanded(tmp_path: Path, body: str, files: dict[str, str] | None = None, toml: str = ALL_ON):
    root = kb(tmp_path, {"a/b/page.md": body, **(files or {})}, toml)
    config = load_config(cwd=root)
    return expand(body, "a/b/page.md", 1, config)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[dialect]\nalerts = 'yes'\n", "'dialect.alerts' must be true or false"),
        ("[dialect]\nalert = true\n", "unknown key 'dialect.alert' (did you mean 'alerts'?)"),
        ("[links]\nbase_url = 'learn.microsoft.com'\n", "'links.base_url' must be an http"),
        ("dialect = true\n", "[dialect] must be a table"),
    ],
)
def test_bad_dialect_settings_are_refused_by_name(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "kbtool.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(cwd=tmp_path)
    assert message in str(caught.value)


def test_dialects_are_off_by_default(tmp_path: Path) -> None:
    body = '[!INCLUDE [x](x.md)]\n\n:::image type="content" source="a.png" alt-text="A":::\n'
    result = expanded(tmp_path, body, {"a/b/x.md": "Included."}, toml="")
    assert result.text == body
    assert result.directives == () and result.problems == ()


def test_each_dialect_turns_on_alone(tmp_path: Path) -> None:
    body = '[!INCLUDE [x](x.md)]\n\n:::image type="content" source="a.png" alt-text="A":::\n'
    result = expanded(tmp_path, body, {"a/b/x.md": "Included."}, toml="[dialect]\nimages = true\n")
    assert "[!INCLUDE [x](x.md)]" in result.text
    assert "![A](a.png)" in result.text


def test_an_include_on_its_own_line_is_inlined_with_links_rebased(tmp_path: Path) -> None:
    include = (
        "---\ntitle: not shown\n---\n"
        "Third-party [info](../a/other.md) and ![pic](media/x.png) and [web](https://e.x/y).\n"
    )
    result = expanded(
        tmp_path,
        "Before.\n\n[!INCLUDE [Disclaimer](../../includes/disc.md)]\n\nAfter.\n",
        {"includes/disc.md": include},
    )
    assert result.text == (
        "Before.\n\nThird-party [info](../other.md) and ![pic](../../includes/media/x.png)"
        " and [web](https://e.x/y).\n\nAfter.\n"
    )
    assert [(d.kind, d.target, d.line) for d in result.directives] == [
        ("include", "../../includes/disc.md", 3)
    ]


def test_an_include_in_a_list_item_or_quote_keeps_the_prefix(tmp_path: Path) -> None:
    files = {"a/b/inc.md": "First line.\n\nSecond line.\n"}
    result = expanded(
        tmp_path, "1. Step\n\n   [!INCLUDE [t](inc.md)]\n\n> [!INCLUDE [t](inc.md)]\n", files
    )
    assert result.text == (
        "1. Step\n\n   First line.\n\n   Second line.\n\n> First line.\n>\n> Second line.\n"
    )


def test_an_include_inside_a_paragraph_runs_into_it(tmp_path: Path) -> None:
    result = expanded(
        tmp_path, "Use [!INCLUDE [product](name.md)] today.\n", {"a/b/name.md": "Contoso\nMail\n"}
    )
    assert result.text == "Use Contoso Mail today.\n"


def test_includes_in_code_are_text(tmp_path: Path) -> None:
    body = "`[!INCLUDE [x](x.md)]`\n\n```\n[!INCLUDE [x](x.md)]\n```\n"
    result = expanded(tmp_path, body, {"a/b/x.md": "Included."})
    assert result.text == body


@pytest.mark.parametrize(
    ("target", "files", "message"),
    [
        ("missing.md", {}, "include 'missing.md' does not exist"),
        ("../../../../etc/passwd.md", {}, "points outside the knowledge base"),
        ("/abs.md", {}, "must be a path relative to this file"),
        ("https://example.com/x.md", {}, "must be a path relative to this file"),
        ("picture.png", {"a/b/picture.png": "x"}, "is not a Markdown file"),
        ("self.md", {"a/b/self.md": "[!INCLUDE [me](self.md)]"}, "include cycle"),
        (
            "one.md",
            {"a/b/one.md": "[!INCLUDE [two](two.md)]", "a/b/two.md": "[!INCLUDE [one](one.md)]"},
            "in include 'one.md': include cycle: a/b/page.md → a/b/one.md → a/b/two.md → a/b/on",
        ),
    ],
)
def test_includes_that_cannot_be_inlined_are_left_out_and_said(
    tmp_path: Path, target: str, files: dict[str, str], message: str
) -> None:
    result = expanded(tmp_path, f"Before.\n[!INCLUDE [t]({target})]\n", files)
    assert "[!INCLUDE" not in result.text
    assert [p.kind for p in result.problems] == ["include"]
    assert message in result.problems[0].message
    assert (result.problems[0].line, result.problems[0].col) == (2, 1)


def test_a_symbolic_link_leaving_the_tree_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("SECRET TEXT", encoding="utf-8")
    kb(tmp_path, {})
    (tmp_path / "procedures" / "a" / "b").mkdir(parents=True)
    os.symlink(secret, tmp_path / "procedures" / "a" / "b" / "link.md")
    result = expanded(tmp_path, "[!INCLUDE [t](link.md)]\n")
    assert "SECRET" not in result.text
    assert "symbolic link leading outside the knowledge base" in result.problems[0].message


def test_includes_nest_only_so_deep(tmp_path: Path) -> None:
    depth = MAX_INCLUDE_DEPTH + 2
    files = {f"a/b/n{i}.md": f"level {i}\n[!INCLUDE [next](n{i + 1}.md)]\n" for i in range(depth)}
    files[f"a/b/n{depth}.md"] = "bottom"
    result = expanded(tmp_path, "[!INCLUDE [t](n0.md)]\n", files)
    assert "level 0" in result.text and "bottom" not in result.text
    assert f"nest more than {MAX_INCLUDE_DEPTH} deep" in result.problems[0].message


def test_includes_together_add_at_most_max_file_bytes(tmp_path: Path) -> None:
    toml = "max_file_bytes = 2000\n" + ALL_ON
    body = "[!INCLUDE [t](big.md)]\n" * 5
    result = expanded(tmp_path, body, {"a/b/big.md": "word " * 100}, toml=toml)
    assert result.text.count("word") == 400  # four of 500 bytes fit in 2,000, the fifth not
    assert "includes add more than max_file_bytes (2,000)" in result.problems[0].message


def test_an_image_becomes_a_markdown_image_with_escaped_alt_text(tmp_path: Path) -> None:
    body = (
        ':::image type="content" source="media/shot one.png" '
        'alt-text="The [Props] <b>dialog</b> *box*" lightbox="media/big.png" border="false":::\n'
        'Select (:::image type="icon" source="media/i.png":::) now.\n'
    )
    result = expanded(tmp_path, body)
    assert result.text == (
        "[![The \\[Props\\] &lt;b&gt;dialog&lt;/b&gt; \\*box\\*](<media/shot one.png>)]"
        "(media/big.png)\nSelect (![](media/i.png)) now.\n"
    )
    html = markdown.markdown(result.text)
    assert 'alt="The [Props] &lt;b&gt;dialog&lt;/b&gt; *box*"' in html
    assert 'src="media/shot%20one.png"' in html or 'src="media/shot one.png"' in html
    assert "<b>" not in html
    assert [(d.kind, d.target) for d in result.directives] == [
        ("image", "media/shot one.png"),
        ("image", "media/i.png"),
    ]
    assert result.problems == ()


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        (':::image type="content" source="a.png":::', "image 'a.png' has no alt-text"),
        (':::image type="content" alt-text="A":::', "image has no source"),
        (':::image type="content" source="<x>" alt-text="A":::', "is not a path"),
        (':::image source="javascript:alert(1)" alt-text="A":::', "is not a path"),
    ],
)
def test_images_without_source_or_alt_text_are_said(
    tmp_path: Path, directive: str, message: str
) -> None:
    result = expanded(tmp_path, directive + "\n")
    assert ":::" not in result.text
    assert [p.kind for p in result.problems] == ["image"]
    assert message in result.problems[0].message


def test_no_loc_is_its_text_exactly(tmp_path: Path) -> None:
    result = expanded(tmp_path, 'Open *:::no-loc text="<%Path%>FIP-FS\\Data_1":::* now.\n')
    html = markdown.markdown(result.text)
    assert "<em>&lt;%Path%&gt;FIP-FS\\Data_1</em>" in html


def test_alert_markers_are_not_searchable_text(tmp_path: Path) -> None:
    config = load_config(cwd=kb(tmp_path, {}))
    text = "> [!NOTE]\n> Restart first.\n\n   >[!warning]\n   > Careful.\n"
    assert searchable_text(text, config.dialect) == ">\n> Restart first.\n\n   >\n   > Careful.\n"


def test_markdown_literal_shows_text_as_written() -> None:
    text = "a*b_c [d](e) <i>x</i> & `y` #1"
    html = markdown.markdown(markdown_literal(text))
    assert html == "<p>a*b_c [d](e) &lt;i&gt;x&lt;/i&gt; &amp; `y` #1</p>"


def test_a_fence_closes_only_as_commonmark_closes_it(tmp_path: Path) -> None:
    # ```powershell inside a fence is text of the fence, not its end (a real Learn article
    # left one unclosed): what follows the real end is expanded again.
    body = (
        "1. Run:\n\n    ```powershell\n    Get-Mailbox\n\n2. Then:\n\n    ```powershell\n"
        "    Get-User\n    ```\n\n"
        ':::image type="content" source="a.png" alt-text="After the code":::\n'
        'Inline ```not a fence``` here, then ![x](b.png) :::image type="icon" source="c.png":::\n'
    )
    result = expanded(tmp_path, body)
    assert "![After the code](a.png)" in result.text
    assert result.text.endswith("![x](b.png) ![](c.png)\n")


def test_the_links_and_images_of_an_include_are_checked(tmp_path: Path) -> None:
    include = (
        "See [ok](../a/b/page.md), [gone](gone.md#x), [up](../../../out.md), [web](https://e.x)"
        ' and [here](#top).\n\n:::image type="content" source="media/none.png" alt-text="None":::\n'
    )
    result = expanded(
        tmp_path, "Text.\n\n[!INCLUDE [t](../../inc/part.md)]\n", {"inc/part.md": include}
    )
    assert [(p.line, p.message) for p in result.problems] == [
        (
            3,
            "in include '../../inc/part.md': link target 'gone.md#x' in inc/part.md does not exist",
        ),
        (
            3,
            "in include '../../inc/part.md': link '../../../out.md' in inc/part.md points outside"
            " the knowledge base",
        ),
        (
            3,
            "in include '../../inc/part.md': link target 'media/none.png' in inc/part.md does not"
            " exist",
        ),
    ]


def test_learn_div_and_video_quotes_are_their_content(tmp_path: Path) -> None:
    body = (
        'Intro.\n\n> [!div class="nextstepaction"]\n> [Run Tests](https://aka.ms/x)\n\n'
        '1. Step\n\n    > [!div class="nextstepaction"]\n    > [Run B](https://aka.ms/y)\n\n'
        "> [!VIDEO https://www.microsoft.com/videoplayer/embed/9ffd]\n\n"
        "See [!VIDEO javascript:alert(1)] here.\n"
    )
    result = expanded(tmp_path, body)
    assert result.text == (
        "Intro.\n\n[Run Tests](https://aka.ms/x)\n\n1. Step\n\n    [Run B](https://aka.ms/y)\n\n"
        "[Watch the video](https://www.microsoft.com/videoplayer/embed/9ffd)\n\n"
        "See [!VIDEO javascript:alert(1)] here.\n"
    )


@pytest.mark.parametrize(
    ("body", "used"),
    [
        ("Plain text.\n", set()),
        ("> [!NOTE]\n> x\n", {"alerts"}),
        ("[!INCLUDE [t](x.md)]\n", {"includes"}),
        (':::image type="icon" source="a.png":::\n:::no-loc text="x":::\n', {"images", "no_loc"}),
    ],
)
def test_dialects_used_says_which_settings_a_body_needs(body: str, used: set[str]) -> None:
    assert dialects_used(body) == used
