"""The MkDocs plugin's own work, in a real `mkdocs build`: procedures added as real files
(edit links lead to their source), generated pages never over a docs page, a procedure over a
docs page, its stylesheet once; and every procedure read through kbtool's gate."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbtool.model.config import Config, load_config
from kbtool.site.plugin import CSS_URI, procedure_source
from tests.site.conftest import Build, mkdocs_build, write_kb

EDIT = "repo_url: https://git.example.com/kb\nedit_uri: edit/main/docs/\n"


@pytest.fixture(scope="module")
def collided(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = write_kb(tmp_path_factory.mktemp("kb"))
    (root / "docs" / "owners.md").write_text("# Our own owners page\n", encoding="utf-8")
    shadow = root / "docs" / "procedures" / "email"
    shadow.mkdir(parents=True)
    (shadow / "outlook-profile.md").write_text("# A docs page in the way\n", encoding="utf-8")
    mkdocs_yml = root / "mkdocs.yml"
    text = mkdocs_yml.read_text(encoding="utf-8").replace(
        "content.code.copy]", "content.code.copy, content.action.edit]"
    )
    assert "content.action.edit" in text
    mkdocs_yml.write_text(EDIT + text, encoding="utf-8")
    build = mkdocs_build(root)
    assert build.returncode == 0, build.log
    return build


def test_a_docs_page_is_never_replaced_by_a_generated_one(collided: Build) -> None:
    assert "docs/owners.md exists; not generating it" in collided.log
    assert "Our own owners page" in collided.html("owners/")


def test_a_procedure_wins_over_a_docs_page_at_its_address(collided: Build) -> None:
    assert "procedures/email/outlook-profile.md is a docs page and a procedure" in collided.log
    page = collided.html("procedures/email/outlook-profile/")
    assert "Loading profile" in page and "A docs page in the way" not in page


def test_edit_links_lead_to_the_procedure_source(collided: Build) -> None:
    """A procedure is a real file outside docs_dir: its edit link is its place in the
    repository (docs/../procedures/...), not a page under docs/."""
    page = collided.html("procedures/network/vpn-drops/")
    assert 'href="https://git.example.com/kb/edit/main/procedures/network/vpn-drops.md"' in page
    assert "edit/main/docs/index.md" in collided.html("")


def test_the_stylesheet_is_generated_and_linked_once(collided: Build) -> None:
    assert (collided.site / CSS_URI).read_text(encoding="utf-8").strip()
    assert collided.html("procedures/network/vpn-drops/").count(CSS_URI) == 1


@pytest.fixture
def kb_config(tmp_path: Path) -> Config:
    (tmp_path / "procedures").mkdir()
    (tmp_path / "kbtool.toml").write_text("max_file_bytes = 100\n", encoding="utf-8")
    return load_config(cwd=tmp_path)


def test_a_procedure_is_read_through_the_gate(tmp_path: Path, kb_config: Config) -> None:
    procedures = kb_config.procedures_dir
    (procedures / "bom.md").write_bytes(b"\xef\xbb\xbf# Title\n")
    assert procedure_source(procedures / "bom.md", kb_config) == "# Title\n"
    (procedures / "latin1.md").write_bytes(b"caf\xe9\n")
    assert procedure_source(procedures / "latin1.md", kb_config) == "caf\ufffd\n"


@pytest.mark.parametrize("what", ["outside", "pipe", "too large", "missing"])
def test_what_the_gate_refuses_is_published_empty(
    tmp_path: Path, kb_config: Config, what: str
) -> None:
    path = kb_config.procedures_dir / "x.md"
    if what == "outside":
        secret = tmp_path / "secret.md"
        secret.write_text("# secret\n")
        path.symlink_to(secret)
    elif what == "pipe":
        os.mkfifo(path)  # reading it would wait for ever
    elif what == "too large":
        path.write_text("x" * 101)
    assert procedure_source(path, kb_config) == ""
