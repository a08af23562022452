"""What the kbtool plugin adds to the built site for `kbtool serve` and the search box."""

from __future__ import annotations

import json

from tests.web.conftest import Kb

GENERATED = ("owners/", "review/", "services/", "tags/")


def test_site_json_gives_each_procedure_its_page(web_kb: Kb) -> None:
    data = json.loads((web_kb.site / "assets" / "kbtool" / "site.json").read_text("utf-8"))
    assert data["format"] == 1 and data["prefix"] == "procedures"
    assert data["pages"]["email/outlook-profile.md"] == "procedures/email/outlook-profile/"
    assert len(data["pages"]) == len(list((web_kb.root / "procedures").rglob("*.md")))
    for url in data["pages"].values():
        assert (web_kb.site / url / "index.html").is_file(), url


def test_every_page_loads_kbtool_search_before_material(web_kb: Kb) -> None:
    pages = list(web_kb.site.rglob("*.html"))
    for page in pages:
        html = page.read_text("utf-8")
        script = html.find("assets/kbtool/search.js")
        assert 0 < html.find('id="__config"') < script < html.find("bundle."), page
    assert (web_kb.site / "assets" / "javascripts" / "workers" / "kbtool-search.js").is_file()


def test_generated_and_listing_pages_are_not_in_materials_search(web_kb: Kb) -> None:
    index = json.loads((web_kb.site / "search" / "search_index.json").read_text("utf-8"))
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert "procedures/email/outlook-profile/" in locations
    assert (web_kb.site / "tags" / "index.html").is_file()
    for generated in GENERATED:
        assert not any(loc.startswith(generated) for loc in locations), generated
