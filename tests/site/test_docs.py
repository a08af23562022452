"""The repository's own site: its docs agree with the code and it builds cleanly."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kbtool.model.config import KNOWN_FIELDS
from kbtool.model.roster import ROLES
from kbtool.site.model import STATE_RULES

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
TODAY = "2026-11-23"  # fixed, like the repository lint test


@pytest.mark.parametrize("field", KNOWN_FIELDS)
def test_authoring_page_documents_every_front_matter_field(field: str) -> None:
    text = (DOCS / "authoring.md").read_text(encoding="utf-8")
    assert re.search(rf"^\| `{field}` \|", text, re.M), f"authoring.md: no row for `{field}`"
    assert re.search(rf"^{field}:", text, re.M), f"authoring.md: `{field}` not in the example"


def test_authoring_page_documents_no_unknown_field() -> None:
    text = (DOCS / "authoring.md").read_text(encoding="utf-8")
    table = text.split("## Front matter reference", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `([a-z_]+)` \|", table, re.M)
    assert documented == list(KNOWN_FIELDS)


@pytest.mark.parametrize("role", ROLES)
def test_roles_page_covers_the_chain(role: str) -> None:
    assert f"`{role}`" in (DOCS / "roles.md").read_text(encoding="utf-8")


def test_publishing_page_lists_the_plugin_options_and_state_rules() -> None:
    from kbtool.site.config import KbtoolPluginConfig

    text = (DOCS / "publishing.md").read_text(encoding="utf-8")
    for name, _ in KbtoolPluginConfig._schema:
        assert f"| `{name}` |" in text, name
    assert f"`[{', '.join(STATE_RULES)}]`" in text


def test_every_docs_page_is_in_the_nav() -> None:
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:", 1)[1]
    for page in DOCS.rglob("*.md"):
        rel = page.relative_to(DOCS).as_posix()
        assert f" {rel}" in nav, f"{rel} is not in mkdocs.yml's nav"


def test_repository_site_builds_strict(tmp_path: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "KBTOOL_TODAY": TODAY}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "s")],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    site = tmp_path / "s"
    for page in (
        "index.html",
        "services/index.html",
        "owners/index.html",
        "review/index.html",
        "authoring/index.html",
        "reference/rules/index.html",
    ):
        assert (site / page).is_file(), page
    procedures = sorted((REPO / "procedures").rglob("*.md"))
    assert procedures
    for path in procedures:
        rel = path.relative_to(REPO).with_suffix("").as_posix()
        html = (site / rel / "index.html").read_text(encoding="utf-8")
        assert 'class="kbtool-card"' in html, rel
