"""Adopting a knowledge base written for Microsoft Learn, end to end, without rewriting it.

`tests/corpora/learn/` is a small knowledge base of our own in Learn's shape: `ms.author`,
US dates in `ms.date`, `description`, keys kbtool does not know, nested folders, includes (one
including another), `:::image:::` (with a lightbox, and icons), `> [!NOTE]` and the other
alerts, `:::no-loc:::`, screenshots beside the articles, absolute links into Learn and
two-space numbered lists. A kbtool.toml written by hand (aliases, the dialects, `base_url`)
adopts it as it is: lint passes, the site builds strictly with every image and admonition,
and what the includes say is found by search. Real CLI, real `mkdocs build`, real index.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.site.conftest import Build, mkdocs_build

CORPUS = Path(__file__).parent / "corpora" / "learn"
TODAY = "2025-07-01"

#: The adoption, by hand: what `kbtool init` would propose for this corpus.
KBTOOL_TOML = """\
procedures = "articles"
roster = "roster.yml"
# Includes are pieces of articles, not procedures; their screenshots are still published.
exclude = ["includes/*.md"]

[fields]
required = ["title", "service", "owner"]
required_when_published = ["summary", "reviewed"]
date_formats = ["%m/%d/%Y"]
extra = [
    "author", "manager", "audience", "ms.topic", "ms.localizationpriority", "ms.reviewer",
    "ms.custom", "appliesto", "search.appverid",
]

[fields.aliases]
owner = "ms.author"
reviewed = "ms.date"
summary = "description"
service = "ms.service"
# Learn's `audience: ITPro` is not a desk tier: kept as one of its keys (`extra`), ours elsewhere.
audience = "desk.audience"

[review]
every = 730

[structure]
required_sections = ["Symptoms", "Resolution"]

[lint]
# Learn articles name no backup (a person's standing backup in the roster is the way there).
ignore = ["OW005"]

[lint.per_file_ignores]
# How-to articles have steps under their own headings, no Symptoms.
"*/how-to/*" = ["ST001", "ST002"]

[dialect]
alerts = true
includes = true
images = true
no_loc = true

[links]
base_url = "https://learn.microsoft.com"
"""

MKDOCS_YML = f"""\
site_name: Adopted Learn articles
docs_dir: docs
theme:
  name: material
  font: false
plugins:
  - search
  - kbtool:
      today: "{TODAY}"
      url_prefix: articles
markdown_extensions:
  - toc: {{permalink: true}}
  - admonition
  - attr_list
  - tables
validation:
  nav:
    omitted_files: ignore
"""


def _authors() -> list[str]:
    found = set()
    for path in CORPUS.rglob("*.md"):
        match = re.search(r"^ms\.author: (\S+)$", path.read_text(encoding="utf-8"), re.M)
        if match:
            found.add(match.group(1))
    return sorted(found)


def _roster(authors: list[str]) -> str:
    people = "".join(
        f"  {handle}: {{name: {handle.title()}, role: senior-agent, team: docs,"
        f" email: {handle}@example.com}}\n"
        for handle in authors
    )
    return f"people:\n{people}teams:\n  docs: {{name: Documentation, lead: {authors[0]}}}\n"


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus copied as it is, with the hand-written kbtool.toml, a roster of its authors
    and a mkdocs.yml beside it."""
    root = tmp_path_factory.mktemp("adopt")
    shutil.copytree(CORPUS, root / "articles")
    (root / "kbtool.toml").write_text(KBTOOL_TOML, encoding="utf-8")
    (root / "roster.yml").write_text(_roster(_authors()), encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Knowledge base\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def site(adopted: Path) -> Build:
    build = mkdocs_build(adopted, "--strict")
    assert build.returncode == 0, build.log
    return build


def test_the_corpus_has_the_learn_shape() -> None:
    articles = [p for p in CORPUS.rglob("*.md") if "includes" not in p.parts]
    texts = [p.read_text(encoding="utf-8") for p in articles]
    assert len(articles) >= 20 and len({p.parent for p in articles}) >= 8
    assert all(re.search(r"^ms\.date: \d{1,2}/\d{1,2}/\d{4}$", t, re.M) for t in texts)
    for syntax in ("[!INCLUDE [", ':::image type="content"', "> [!NOTE]", ':::image type="icon"'):
        assert sum(syntax in t for t in texts) >= 2, syntax
    assert any(":::no-loc" in t for t in texts) and any("lightbox=" in t for t in texts)
    assert len(list(CORPUS.rglob("*.png"))) >= 6


def test_lint_passes_with_the_hand_written_configuration(
    adopted: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(adopted)
    result = run_cli("--today", TODAY, "lint", "--format", "json")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)["findings"]
    shown = [f"{f['path']}:{f['line']}: {f['code']} {f['message']}" for f in findings]
    assert shown == []


def test_lint_still_catches_a_broken_include_and_image(
    adopted: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(adopted, copy, ignore=shutil.ignore_patterns("site", ".kbtool"))
    page = copy / "articles" / "teams" / "calls" / "no-dial-pad-in-teams.md"
    page.write_text(
        page.read_text(encoding="utf-8")
        + "\n[!INCLUDE [Gone](../../includes/gone.md)]\n\n"
        + ':::image type="content" source="media/gone.png" alt-text="Gone.":::\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(copy)
    result = run_cli("--today", TODAY, "lint")
    assert result.exit_code == 1
    assert "LN009 include '../../includes/gone.md' does not exist" in result.output
    assert "LN001 link target 'media/gone.png' does not exist" in result.output


def test_the_site_builds_strictly_with_the_images_published(site: Build) -> None:
    page = site.html("articles/exchange/mail-flow/ndr-550-5-7-1-unable-to-relay/")
    source = CORPUS / "exchange/mail-flow/media/ndr-550-5-7-1-unable-to-relay/receive-connector.png"
    published = (
        site.site / "articles/exchange/mail-flow/media/ndr-550-5-7-1-unable-to-relay"
        "/receive-connector.png"
    )
    assert published.read_bytes() == source.read_bytes()
    assert 'src="../media/ndr-550-5-7-1-unable-to-relay/receive-connector.png"' in page
    assert 'alt="Screenshot of the receive connector list, with the relay connector' in page
    # An include's own image, its path rebased to the article that includes it.
    restored = site.html("articles/sharepoint/sites/access-denied-after-site-restore/")
    assert 'src="../../../includes/media/phone-icon.png"' in restored
    assert (site.site / "articles/includes/media/phone-icon.png").is_file()


def test_the_note_is_an_admonition(site: Build) -> None:
    page = site.html("articles/exchange/mail-flow/ndr-550-5-7-1-unable-to-relay/")
    assert '<div class="admonition note">' in page  # inside a step of the numbered list
    assert '<div class="admonition important">' in page
    steps = page[page.index('id="resolution"') :]
    assert steps.index("<ol>") < steps.index('<div class="admonition note">') < steps.index("</ol>")
    spf = site.html("articles/exchange/mail-flow/external-senders-rejected-by-spf/")
    assert '<div class="admonition warning">' in spf
    assert "The third-party products that this article discusses" in spf


def test_no_dialect_syntax_reaches_a_page(site: Build) -> None:
    pages = list((site.site / "articles").rglob("index.html"))
    assert len(pages) >= 23
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for syntax in ("[!INCLUDE", ":::image", ":::no-loc", "[!NOTE]", "[!", "alt-text="):
            assert syntax not in html, (page, syntax)


def test_nested_includes_and_no_loc_text(site: Build) -> None:
    page = site.html("articles/microsoft365/accounts/mfa-prompt-loop-after-phone-change/")
    assert "on extension 4357" in page
    assert "the on-call engineer rings back within 30 minutes" in page  # included by the include
    red_x = site.html("articles/sharepoint/sync/files-show-sync-pending-red-x/")
    assert "* : &lt; &gt; ? / |" in red_x


def test_learn_buttons_and_videos_are_links(site: Build) -> None:
    page = site.html("articles/exchange/how-to/export-message-trace-results/")
    assert '<a href="https://admin.exchange.microsoft.com/#/messagetrace">Open the message' in page
    assert ">Watch the video</a>" in page


def test_absolute_links_lead_to_learn(site: Build) -> None:
    page = site.html("articles/exchange/mail-flow/ndr-550-5-7-1-unable-to-relay/")
    assert (
        'href="https://learn.microsoft.com/powershell/module/exchange/get-receiveconnector"' in page
    )


def test_every_resolution_is_a_numbered_list(site: Build) -> None:
    for path in (CORPUS).rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        if "## Resolution" not in text:
            continue
        rel = path.relative_to(CORPUS).with_suffix("").as_posix()
        html = site.html(f"articles/{rel}/")
        resolution = html[html.index('id="resolution"') :]
        assert "<ol>" in resolution, rel


def test_what_the_includes_say_is_searchable(
    adopted: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(adopted)
    assert run_cli("index").exit_code == 0
    result = run_cli("--today", TODAY, "search", "independent", "warranty", "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["results"]
    with_disclaimer = {
        p.relative_to(CORPUS).as_posix()
        for p in CORPUS.rglob("*.md")
        if "third-party-disclaimer.md" in p.read_text(encoding="utf-8")
        and "includes" not in p.parts
    }
    assert {hit["path"] for hit in hits} == with_disclaimer
    for hit in hits:
        assert "[!" not in hit["snippet"] and ":::" not in hit["snippet"]
    hours = run_cli("--today", TODAY, "search", "on-call", "engineer", "rings", "--json")
    assert hours.exit_code == 0, hours.output
    found = {hit["path"] for hit in json.loads(hours.stdout)["results"]}
    assert "teams/how-to/reset-teams-client-cache.md" in found  # through two includes
