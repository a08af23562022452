"""What the steps are: one answer for ST002, `kbtool show` and the site (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from kbtool.model.steps import four_space_lists, parse_steps
from tests.conftest import procedure
from tests.lint.rules.helpers import lint_kb, of

# (body of the Resolution section, the steps' texts)
CASES = [
    pytest.param("1. First\n   more\n2. Second\n", ["First\nmore", "Second"], id="margin"),
    pytest.param("  1. First\n  2. Second\n", ["First", "Second"], id="indented-two"),
    pytest.param(
        "- Before you start:\n  1. First\n  2. Second\n", ["First", "Second"], id="under-bullet"
    ),
    pytest.param(
        "1. First\n  - detail a\n  - detail b\n2. Second\n",
        ["First\n- detail a\n- detail b", "Second"],
        id="sub-bullets-two",
    ),
    pytest.param(
        "1. First\n    - detail\n2. Second\n", ["First\n- detail", "Second"], id="sub-bullets-four"
    ),
    pytest.param(
        "1. Run:\n\n   ```sh\n   ipconfig /flushdns\n   ```\n\n2. Done.\n",
        ["Run:\n\n```sh\nipconfig /flushdns\n```", "Done."],
        id="code",
    ),
    pytest.param(
        "1. A\n   1. a1\n   2. a2\n2. B\n", ["A\n1. a1\n2. a2", "B"], id="numbered-inside-a-step"
    ),
    pytest.param("1. A\n\n   Still A.\n2. B\n", ["A\n\nStill A.", "B"], id="paragraph-in-step"),
    pytest.param("1. A\n2. B\n\nThen stop.\n", ["A", "B"], id="paragraph-after"),
    pytest.param(
        "Do this:\n  1. First\n  2. Second\n", ["First", "Second"], id="two-under-a-paragraph"
    ),
    pytest.param("Do this:\n1. First\n2. Second\n", ["First", "Second"], id="under-a-paragraph"),
    pytest.param("- only\n- bullets\n", [], id="bullets"),
    pytest.param("```\n1. in code\n```\n", [], id="in-code"),
    pytest.param("Just text.\n", [], id="prose"),
]


@pytest.mark.parametrize(("section", "texts"), CASES)
def test_steps(section: str, texts: list[str]) -> None:
    assert [step.text for step in parse_steps(section.split("\n"))] == texts


@pytest.mark.parametrize(("section", "texts"), CASES)
def test_lint_show_and_the_site_agree(kb_root: Path, section: str, texts: list[str]) -> None:
    """ST002 reports exactly the sections without steps, and the site renders the steps as
    the items of one numbered list (Python-Markdown, after `four_space_lists`), each with its
    sub-bullets and code inside it."""
    body = f"# T\n\n## Symptoms\n\nx\n\n## Resolution\n\n{section}\n## Escalation\n\nx\n"
    findings = lint_kb(kb_root, {"email/outlook-profile.md": procedure(body=body)})
    assert bool(of(findings, "ST002")) is (not texts)
    html = markdown.markdown(four_space_lists(section), extensions=["pymdownx.superfences"])
    if texts:
        outer = re.search(r"<ol>(.*)</ol>", html, re.S)
        assert outer is not None, html
        top = _top_level_items(html[html.index("<ol>") :])
        assert len(top) == len(texts), html
        for item, text in zip(top, texts, strict=True):
            if "- detail" in text:
                assert "<ul>" in item, html
            if "ipconfig" in text:
                assert "<code>" in item or "highlight" in item, html


def _top_level_items(html: str) -> list[str]:
    """The `<li>` elements directly inside the first `<ol>` of `html`."""
    items: list[str] = []
    depth = 0
    start = 0
    for match in re.finditer(r"<(/?)(ol|ul|li)\b[^>]*>", html):
        closing, tag = match.group(1), match.group(2)
        if tag in ("ol", "ul"):
            depth += -1 if closing else 1
            if depth == 0:
                break
        elif depth == 1 and not closing:
            start = match.end()
        elif depth == 1 and closing:
            items.append(html[start : match.start()])
    return items


def test_four_space_lists_keeps_what_is_not_a_list() -> None:
    body = "Text\n\n    indented code\n\n```\n  1. not a list\n```\n"
    assert four_space_lists(body) == body


@pytest.mark.parametrize(
    "body",
    [
        "Expected:\n  1. Item one\n  2. Item two\n",
        "Expected:  \n  1. Item one\n  2. Item two\n",  # a hard line break before it
        "Expected:\n\n  1. Item one\n  2. Item two\n",
    ],
)
def test_a_numbered_list_indented_by_two_renders_as_a_list(body: str) -> None:
    html = markdown.markdown(four_space_lists(body))
    assert html.startswith("<p>Expected:")
    assert "<ol>\n<li>Item one" in html and "<li>Item two" in html


@pytest.mark.parametrize(
    "body",
    [
        "Intro\n2. is not a list under a paragraph\n",  # CommonMark: only 1. interrupts one
        "Intro\n    1. indented four: the paragraph goes on\n",
    ],
)
def test_what_commonmark_runs_into_the_paragraph_stays_there(body: str) -> None:
    assert four_space_lists(body) == body


@pytest.mark.parametrize(
    ("body", "items", "holder"),
    [
        ("1. Stop A\n1. Rename B\n   > [!NOTE]\n   > The path may differ.\n1. Start C\n", 3, 1),
        ("- Check:\n  > [!TIP]\n  > The path may differ.\n  More on the check.\n- Next\n", 2, 0),
    ],
)
def test_an_alert_right_under_a_step_is_an_admonition_in_it(
    body: str, items: int, holder: int
) -> None:
    html = markdown.markdown(four_space_lists(body), extensions=["github-callouts"])
    top = _top_level_items(html)
    assert len(top) == items, html
    assert '<div class="admonition' in top[holder] and "The path may differ." in top[holder]
    assert "admonition" not in top[-1], html
