"""The site built for real: `mkdocs build` with Material and the kbtool plugin into tmp_path."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.site.conftest import PROCEDURES, Build, mkdocs_build, site_procedure, write_kb


def card(html: str) -> str:
    match = re.search(r'<aside class="kbtool-card".*?</aside>', html, re.S)
    assert match, "no metadata card on the page"
    return match.group(0)


def banner_kinds(html: str) -> list[str]:
    return re.findall(r'class="admonition \w+ kbtool-banner kbtool-banner--([\w-]+)"', html)


def test_procedures_outside_docs_dir_are_published(built: Build) -> None:
    for rel in PROCEDURES:
        url = "procedures/" + rel.removesuffix(".md") + "/"
        assert (built.site / url / "index.html").is_file(), url
    assert not (built.root / "docs" / "procedures").exists()  # published, never copied


def test_card_shows_ownership_review_and_escalation(built: Build) -> None:
    html = built.html("procedures/email/outlook-profile/")
    box = card(html)
    for expected in (
        "KB-0001",
        "Email",
        "L1",
        "published",
        "Jane Doe",
        "mailto:jane@example.com",
        "+1 555 0100",  # owner and contact
        "Alan Smith",
        "mailto:alan@example.com",  # backup
        "2026-10-01",
        "2027-03-30",
        "(in 149 days)",  # reviewed, due, as of the pinned date
        "Team lead",
        "Lee Lead",  # escalation: the role and who holds it
        "<code>0x8004010F</code>",
        "desk",
    ):
        assert expected in box, expected
    assert "Acting owner" not in box
    assert banner_kinds(html) == []
    assert "<title>Outlook is stuck on &quot;Loading profile&quot; - Test KB</title>" in html


@pytest.mark.parametrize(
    ("url", "banners", "card_text"),
    [
        ("procedures/email/overdue-archive/", ["overdue"], "overdue by 110 days"),
        ("procedures/network/vpn-drops/", ["orphaned"], "Acting owner"),
        ("procedures/network/nobody/", ["unowned"], "nobody available"),
        ("procedures/printing/draft-toner/", ["draft"], "draft"),
        ("procedures/printing/retired-fax/", ["retired"], "not reviewed (retired)"),
    ],
)
def test_banners(built: Build, url: str, banners: list[str], card_text: str) -> None:
    html = built.html(url)
    assert banner_kinds(html) == banners
    assert card_text in card(html)


def test_orphaned_card_names_the_acting_owner(built: Build) -> None:
    box = card(built.html("procedures/network/vpn-drops/"))
    acting = box[box.index("Acting owner") :]
    assert "Jane Doe" in acting
    assert "away until 2026-12-31" in box


def test_hostile_front_matter_and_roster_are_escaped(built: Build) -> None:
    html = built.html("procedures/printing/hostile/")
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    h1 = r"<h1[^>]*>&lt;script&gt;alert\((&#39;|')title\1\)&lt;/script&gt; Printer"
    assert re.search(h1, html)
    summary = r"&lt;img src=x onerror=alert\((&#39;|')summary\1\)&gt; paper \| \*jam\*"
    assert re.search(summary, html)
    assert "&lt;script&gt;alert(&#39;roster&#39;)&lt;/script&gt; Eve" in html  # owner name
    code = r"<code>&lt;script&gt;alert\((&#39;|')code\1\)&lt;/script&gt;</code>"
    assert re.search(code, html)  # the error code, as text
    for page in ("services/printing/", "owners/", "review/", "services/"):
        assert "<script>alert" not in built.html(page), page


def test_generated_pages(built: Build) -> None:
    services = built.html("services/")
    for service in ("Email", "Network", "Printing"):
        assert f">{service}</a>" in services
    email = built.html("services/email/")
    assert 'href="../../procedures/email/outlook-profile/"' in email
    owners = built.html("owners/")
    assert "Who backs up whom" in owners and "Lee Lead" in owners
    review = built.html("review/")
    assert "overdue by 110 days" in review
    assert 'src="../review-state.svg"' in review
    svg = (built.site / "review-state.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg and "Network" in svg


def test_search_index_covers_procedures_with_boost(built: Build) -> None:
    index = json.loads((built.site / "search" / "search_index.json").read_text("utf-8"))
    docs = index["docs"]
    lead = [d for d in docs if d["location"] == "procedures/email/outlook-profile/"]
    assert lead and lead[0]["boost"] == 2
    assert "Outlook opens but never gets past" in lead[0]["text"]  # the summary
    assert "0x8004010F" in lead[0]["text"]  # error codes are indexed with the title
    assert "Jane Doe" not in lead[0]["text"]  # the card's details are not
    located = {d["location"].split("#")[0] for d in docs}
    for rel in PROCEDURES:
        assert "procedures/" + rel.removesuffix(".md") + "/" in located
    assert "review/" not in located and "owners/" not in located  # generated indexes: no noise


def test_lint_findings_are_logged_with_file_and_line(built: Build) -> None:
    # State rules (overdue, orphaned) are info: the banner shows them, the build passes.
    line = r"INFO\s+-\s+procedures/email/overdue-archive\.md:11: FR001 overdue"
    assert re.search(line, built.log)
    assert "WARNING" not in built.log


def test_strict_build_fails_on_a_broken_procedure(tmp_path: Path) -> None:
    broken = dict(PROCEDURES)
    broken["email/broken.md"] = "---\nid: KB-0099\ntitle: [unclosed\nowner: jdoe\n---\n\n# Broken\n"
    broken["email/unknown-owner.md"] = site_procedure("KB-0098", "Unknown owner", owner="nosuch")
    result = mkdocs_build(write_kb(tmp_path, broken), "--strict")
    assert result.returncode == 1
    assert re.search(r"WARNING\s+-\s+procedures/email/broken\.md:3: FM002 ", result.log), result.log
    assert re.search(r"WARNING\s+-\s+procedures/email/unknown-owner\.md:9: OW002 ", result.log)
    assert "Traceback" not in result.log
    assert "Aborted with 5 warnings in strict mode" in result.log  # FM002, 3 x ST001, OW002


def test_strict_build_passes_on_a_clean_kb_with_state_findings(tmp_path: Path) -> None:
    result = mkdocs_build(write_kb(tmp_path), "--strict")
    assert result.returncode == 0, result.log


@pytest.mark.parametrize(
    ("name", "files", "roster", "expected"),
    [
        (
            "broken front matter",
            {"email/broken.md": "---\nid: KB-0099\ntitle: [oops\n---\n\n# Broken page\n\nText.\n"},
            "default",
            r"procedures/email/broken\.md:3: FM002",
        ),
        (
            "unclosed front matter",
            {"email/open.md": "---\nid: KB-0099\ntitle: Open\n\n# Open page\n\nText.\n"},
            "default",
            r"procedures/email/open\.md:1: FM001",
        ),
        ("missing roster", None, None, r"procedures/roster\.yml: roster not found"),
        ("broken roster", None, "people: [oops\n", r"procedures/roster\.yml:\d+: "),
        (
            "unknown owner",
            {"email/x.md": site_procedure("KB-0099", "Unknown owner", owner="nosuch")},
            "default",
            r"procedures/email/x\.md:9: OW002 owner 'nosuch' is not in the roster",
        ),
    ],
)
def test_bad_input_never_crashes_the_build(
    tmp_path: Path, name: str, files: dict[str, str] | None, roster: str | None, expected: str
) -> None:
    from tests.site.conftest import ROSTER

    root = write_kb(tmp_path, files, roster=ROSTER if roster == "default" else roster)
    result = mkdocs_build(root)
    assert result.returncode == 0, result.log
    assert "Traceback" not in result.log
    assert re.search(r"WARNING\s+-\s+" + expected, result.log), result.log
    for rel in files or PROCEDURES:
        page = tmp_path / "site" / "procedures" / rel.removesuffix(".md") / "index.html"
        assert page.is_file(), rel  # every page still renders what it can


def test_broken_front_matter_page_renders_its_body_with_a_banner(tmp_path: Path) -> None:
    text = "---\nid: KB-0099\ntitle: [oops\n---\n\n# Broken page\n\nStep one.\n"
    files = {"email/broken.md": text}
    mkdocs_build(write_kb(tmp_path, files))
    html = (tmp_path / "site/procedures/email/broken/index.html").read_text("utf-8")
    assert "Step one." in html
    assert banner_kinds(html) == ["broken"]
    assert "line 3: invalid YAML" in html
    assert "id: KB-0099" not in html  # the front matter is not shown as text


def test_kbtool_today_env_var_pins_the_date(tmp_path: Path) -> None:
    root = write_kb(tmp_path)
    text = (root / "mkdocs.yml").read_text("utf-8").replace('      today: "2026-11-01"\n', "")
    (root / "mkdocs.yml").write_text(text.replace("  - kbtool:\n", "  - kbtool\n"), "utf-8")
    result = mkdocs_build(root, env={"KBTOOL_TODAY": "2027-06-01"})
    assert result.returncode == 0, result.log
    html = (root / "site/procedures/email/outlook-profile/index.html").read_text("utf-8")
    assert banner_kinds(html) == ["overdue"]  # due 2027-03-30, judged as of 2027-06-01


def test_site_and_linter_agree(tmp_path: Path) -> None:
    """The build warns about exactly the error findings of `kbtool lint` (state rules aside),
    with the same configuration, the same date (KBTOOL_TODAY) and the same file:line."""
    import subprocess
    import sys

    from kbtool.site.model import STATE_RULES

    files = dict(PROCEDURES)
    files["email/broken.md"] = "---\nid: KB-0099\ntitle: [unclosed\nowner: jdoe\n---\n\n# Broken\n"
    files["email/unknown-owner.md"] = site_procedure(
        "KB-0098", "Unknown", owner="nosuch", extra="related: [KB-4040]"
    )
    root = write_kb(tmp_path, files)
    text = (root / "mkdocs.yml").read_text("utf-8").replace('      today: "2026-11-01"\n', "")
    (root / "mkdocs.yml").write_text(text.replace("  - kbtool:\n", "  - kbtool\n"), "utf-8")
    env = {"KBTOOL_TODAY": "2026-11-01"}
    result = mkdocs_build(root, env=env)
    warned = set(re.findall(r"WARNING\s+-\s+(\S+:\d+: [A-Z]{2}\d{3}) ", result.log))
    done = subprocess.run(
        [sys.executable, "-m", "kbtool", "lint", "--format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, **env},
    )
    findings = json.loads(done.stdout)["findings"]
    errors = {
        f"{f['path']}:{f['line']}: {f['code']}"
        for f in findings
        if f["severity"] == "error" and not f["code"].startswith(STATE_RULES)
    }
    assert warned == errors
    assert {
        "procedures/email/broken.md:3: FM002",
        "procedures/email/unknown-owner.md:9: OW002",
        "procedures/email/unknown-owner.md:14: LN004",
    } <= warned
    states = {f["code"] for f in findings if f["code"].startswith(STATE_RULES)}
    assert states == {"FR001", "OW003", "OW004", "OW008"}  # shown as banners instead


#: The mkdocs.yml line the plugin's options follow (tests/site/conftest.py).
PLUGIN_OPTIONS = '      today: "2026-11-01"'


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            [("kbtool.toml", "[review]\nevery = -3\n")],
            r"kbtool\.toml: 'review\.every' must be a positive",
        ),
        ([("kbtool.toml", "[lint]\nselct = []\n")], r"kbtool\.toml: unknown key 'lint\.selct'"),
        (
            [("kbtool.toml", "[lint]\nselect = ['FR', 'XY999']\n")],
            r"kbtool\.toml: 'lint\.select' names unknown rule code\(s\) XY999 "
            r"\(see `kbtool rules`\)",
        ),
        (  # with the plugin's lint off too: every command refuses them
            [
                ("mkdocs.yml", PLUGIN_OPTIONS, f"{PLUGIN_OPTIONS}\n      lint: false"),
                ("kbtool.toml", "[lint]\nseverity = {XY999 = 'info'}\n"),
            ],
            r"kbtool\.toml: 'lint\.severity' names unknown rule code\(s\) XY999",
        ),
        (
            [("mkdocs.yml", 'today: "2026-11-01"', 'today: "next week"')],
            r"today: 'next week' is not a date",
        ),
    ],
)
def test_configuration_errors_stop_the_build_with_a_clear_message(
    tmp_path: Path, changes: list[tuple[str, ...]], expected: str
) -> None:
    root = write_kb(tmp_path)
    for change in changes:
        target = root / change[0]
        if len(change) == 2:
            target.write_text(change[1], encoding="utf-8")
        else:
            before = target.read_text("utf-8")
            assert change[1] in before
            target.write_text(before.replace(change[1], change[2]), "utf-8")
    result = mkdocs_build(root)
    assert result.returncode == 1
    assert re.search(expected, result.log), result.log
    assert "Traceback" not in result.log
