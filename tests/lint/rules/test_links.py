"""LN rules: relative links, anchors and `related` ids resolve inside the knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BODY, procedure, write_procedure
from tests.lint.rules.helpers import MAIN, assert_finding, line_of, lint_kb, of

VPN = procedure({"id": "KB-0002", "title": "VPN drops"}, body=BODY + "\n## Step 2: Reset!\n\nx\n")


def with_line(line: str) -> str:
    return procedure(body=BODY + "\n" + line + "\n")


# (markdown line added to the body, code, needle, message fragment, column of the link)
FAILING = [
    pytest.param(
        "See [the VPN](../network/vnp.md).",
        "LN001",
        "../network/vnp.md",
        "'../network/vnp.md' does not exist",
        5,
        id="missing-file",
    ),
    pytest.param(
        "See [x](missing%20file.md).",
        "LN001",
        "missing%20file.md",
        "'missing file.md' does not exist",
        5,
        id="percent-encoded",
    ),
    pytest.param(
        "[ref]: ./gone.md",
        "LN001",
        "./gone.md",
        "'./gone.md' does not exist",
        8,
        id="reference-definition",
    ),
    pytest.param(
        "Jump to [steps](#resolutoin).",
        "LN002",
        "#resolutoin",
        "'#resolutoin' is not a heading of this page",
        9,
        id="same-page-anchor",
    ),
    pytest.param(
        "See [VPN](../network/vpn.md#step-2-reset-1).",
        "LN002",
        "../network",
        "is not a heading of '../network/vpn.md'",
        5,
        id="other-page-anchor",
    ),
    pytest.param(
        "Read [this](../../../etc/passwd).",
        "LN003",
        "../../../etc/passwd",
        "points outside the knowledge base",
        6,
        id="escapes",
    ),
    pytest.param(
        "![pic](../../outside.png)",
        "LN003",
        "../../outside.png",
        "points outside",
        1,
        id="image-escapes",
    ),
    pytest.param(
        "See [abs](/network/vpn.md).",
        "LN006",
        "/network/vpn.md",
        "absolute link to /network/…: make it relative, or set [links] base_url",
        5,
        id="absolute",
    ),
]


@pytest.mark.parametrize(("line", "code", "needle", "fragment", "col"), FAILING)
def test_link_rule_fails(
    kb_root: Path, line: str, code: str, needle: str, fragment: str, col: int
) -> None:
    text = with_line(line)
    findings = lint_kb(kb_root, {MAIN: text, "network/vpn.md": VPN})
    assert_finding(findings, code, line_of(text, needle), fragment, col=col)


PASSING = [
    pytest.param("See [VPN](../network/vpn.md).", id="existing-file"),
    pytest.param("See [VPN](../network/vpn.md#step-2-reset).", id="existing-anchor"),
    pytest.param("See [VPN](../network/vpn.md 'VPN page').", id="with-title"),
    pytest.param("See [VPN](<../network/vpn.md>).", id="angle-brackets"),
    pytest.param("Jump to [steps](#resolution).", id="same-page-anchor"),
    pytest.param("Jump to [top](#outlook-is-stuck-on-loading-profile).", id="h1-anchor"),
    pytest.param("See [MS](https://support.microsoft.com/x#y).", id="external"),
    pytest.param("Mail [us](mailto:desk@example.com).", id="mailto"),
    pytest.param("Type `[a](nope.md)` in the box.", id="code-span"),
    pytest.param("```\n[a](nope.md)\n```", id="fenced-code"),
    pytest.param("    [a](nope.md)", id="indented-code"),
    pytest.param("See [folder](../network/).", id="folder"),
    pytest.param("See [proto](//cdn.example.com/x.js).", id="protocol-relative"),
]


@pytest.mark.parametrize("line", PASSING)
def test_link_rules_pass(kb_root: Path, line: str) -> None:
    findings = lint_kb(kb_root, {MAIN: with_line(line), "network/vpn.md": VPN})
    assert [f for f in findings if f.code.startswith("LN")] == [], findings


def test_link_column_is_where_the_link_starts(kb_root: Path) -> None:
    text = with_line("Text then [bad](nope.md) and [bad2](nope2.md).")
    findings = of(lint_kb(kb_root, {MAIN: text}), "LN001")
    assert [(f.col, f.message) for f in findings] == [
        (11, "link target 'nope.md' does not exist"),
        (30, "link target 'nope2.md' does not exist"),
    ]


def test_link_in_a_heading_is_checked(kb_root: Path) -> None:
    text = procedure(body=BODY + "\n## See [VPN](nope.md)\n\nx\n")
    assert_finding(lint_kb(kb_root, {MAIN: text}), "LN001", line_of(text, "## See"), "nope.md")


def test_anchor_of_a_markdown_file_outside_the_procedures(kb_root: Path) -> None:
    # An excluded file is read on demand for its headings.
    config = 'exclude = ["notes/*"]\n'
    notes = "# Notes\n\n## Known issues\n"
    text = with_line("See [n](../notes/n.md#known-issues) and [m](../notes/n.md#nope).")
    findings = lint_kb(kb_root, {MAIN: text, "notes/n.md": notes}, config=config)
    assert [(f.code, f.message) for f in findings] == [
        ("LN002", "anchor '#nope' is not a heading of '../notes/n.md'")
    ]


@pytest.mark.parametrize(
    ("related", "code", "fragment"),
    [
        pytest.param("[KB-9999]", "LN004", "related id 'KB-9999' does not exist", id="unknown"),
        pytest.param("[KB-0002, KB-0003]", "LN004", "'KB-0003'", id="one-of-two"),
        pytest.param("[KB-0001]", "LN005", "'KB-0001' lists itself", id="self"),
    ],
)
def test_related_fails(kb_root: Path, related: str, code: str, fragment: str) -> None:
    text = procedure({"related": related})
    findings = lint_kb(kb_root, {MAIN: text, "network/vpn.md": VPN})
    assert_finding(findings, code, line_of(text, "related:"), fragment)


@pytest.mark.parametrize("related", ["[KB-0002]", "[]", "KB-0002"])
def test_related_passes(kb_root: Path, related: str) -> None:
    findings = lint_kb(kb_root, {MAIN: procedure({"related": related}), "network/vpn.md": VPN})
    assert of(findings, "LN004") == of(findings, "LN005") == [], findings


RETIRED = procedure({"id": "KB-0003", "title": "Old fax", "status": "retired"})


@pytest.mark.parametrize(
    ("superseded_by", "others", "code", "fragment"),
    [
        ("KB-0999", {}, "LN007", "superseded_by 'KB-0999' does not exist"),
        ("KB-0003", {"printing/old-fax.md": RETIRED}, "LN008", "'KB-0003' is retired too"),
        ("KB-0001", {}, "LN008", "'KB-0001' names itself"),
    ],
)
def test_superseded_by_must_name_a_procedure_in_use(
    kb_root: Path, superseded_by: str, others: dict[str, str], code: str, fragment: str
) -> None:
    text = procedure({"status": "retired", "superseded_by": superseded_by})
    findings = lint_kb(kb_root, {MAIN: text, **others})
    assert_finding(findings, code, line_of(text, "superseded_by:"), fragment)


def test_superseded_by_a_procedure_in_use_is_clean(kb_root: Path) -> None:
    text = procedure({"status": "retired", "superseded_by": "KB-0002"})
    findings = lint_kb(kb_root, {MAIN: text, "network/vpn.md": VPN})
    assert not of(findings, "LN007") + of(findings, "LN008")
    assert not of(findings, "FM008"), "superseded_by is a known field"


# --- Markdown dialects and base_url ---------------------------------------------------------

DIALECTS = "[dialect]\nincludes = true\nimages = true\n"


def test_absolute_links_are_quiet_with_a_base_url(kb_root: Path) -> None:
    files = {MAIN: with_line("See [Get-Mailbox](/powershell/module/exchange/get-mailbox).")}
    assert of(lint_kb(kb_root, files), "LN006")
    quiet = lint_kb(kb_root, config='[links]\nbase_url = "https://learn.microsoft.com"\n')
    assert of(quiet, "LN006") == []


def test_image_directive_targets_are_checked_like_links(kb_root: Path) -> None:
    (kb_root / "procedures" / "email" / "media").mkdir()
    (kb_root / "procedures" / "email" / "media" / "ok.png").write_bytes(b"\x89PNG")
    text = with_line(
        ':::image type="content" source="media/ok.png" alt-text="Fine":::\n\n'
        ':::image type="content" source="media/gone.png" alt-text="Missing":::\n\n'
        ':::image type="content" source="../../../outside.png" alt-text="Out":::'
    )
    findings = lint_kb(kb_root, {MAIN: text}, config=DIALECTS)
    assert_finding(findings, "LN001", line_of(text, "gone.png"), "'media/gone.png' does not exist")
    assert_finding(findings, "LN003", line_of(text, "outside.png"), "outside the knowledge base")
    assert len(of(findings, "LN001")) == 1
    # Without the dialect, the directive is text: nothing to check.
    assert of(lint_kb(kb_root, config=""), "LN001") == []


def test_an_image_without_alt_text_is_a_warning(kb_root: Path) -> None:
    (kb_root / "procedures" / "email" / "a.png").write_bytes(b"\x89PNG")
    text = with_line(
        ':::image type="content" source="a.png":::\n\nIcon :::image type="icon" source="a.png":::'
    )
    findings = lint_kb(kb_root, {MAIN: text}, config=DIALECTS)
    assert_finding(findings, "LN010", line_of(text, 'type="content"'), "has no alt-text")
    assert len(of(findings, "LN010")) == 1


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("../includes/missing.md", "include '../includes/missing.md' does not exist"),
        ("../../../x.md", "points outside the knowledge base"),
        ("loop.md", "include cycle"),
    ],
)
def test_includes_that_cannot_be_inlined_are_ln009_only(
    kb_root: Path, target: str, message: str
) -> None:
    write_procedure(kb_root, "email/loop.md", "[!INCLUDE [again](loop.md)]\n")
    text = with_line(f"[!INCLUDE [Disclaimer]({target})]")
    findings = lint_kb(kb_root, {MAIN: text}, config=DIALECTS, select=["LN"])
    main = [f for f in findings if f.path.endswith(MAIN)]
    assert [f.code for f in main] == ["LN009"]
    assert_finding(findings, "LN009", line_of(text, "[!INCLUDE"), message, col=1)


def test_a_good_include_is_quiet(kb_root: Path) -> None:
    write_procedure(kb_root, "includes/disclaimer.md", "Third-party products are not supported.\n")
    text = with_line("[!INCLUDE [Disclaimer](../includes/disclaimer.md)]")
    findings = lint_kb(kb_root, {MAIN: text}, config='exclude = ["includes/*"]\n' + DIALECTS)
    assert [f for f in findings if f.code.startswith("LN")] == []


def test_a_link_to_a_file_the_site_does_not_publish_is_a_warning(kb_root: Path) -> None:
    folder = kb_root / "procedures" / "email"
    (folder / "fix.ps1").write_text("Write-Host hi\n", encoding="utf-8")
    (folder / "fix.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    (folder / "media").mkdir()
    text = with_line("Run [the script](fix.ps1), or get [the zip](fix.zip) or [media](media).")
    findings = lint_kb(kb_root, {MAIN: text})
    assert_finding(
        findings,
        "LN011",
        line_of(text, "fix.ps1"),
        "link target 'fix.ps1' is not published with the site",
    )
    assert len(of(findings, "LN011")) == 1
