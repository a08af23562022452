"""The web shell's parts on their own: parameters, CSP hashes, page URLs, the searcher holder,
the site's search hook; and the layering (no Whoosh or MkDocs in kbtool/web)."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest

from kbtool.site.published import PublishedSite, conventional_url
from kbtool.site.search_hook import add_search_script, listing_page
from kbtool.web.errors import ApiError
from kbtool.web.inputs import Param, Params
from kbtool.web.security import inline_hashes, page_policy


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_inline_hashes_cover_what_runs_and_skip_data() -> None:
    page = (
        b'<head><script>var a=1</script><script src="x.js"></script>'
        b'<script id="__config" type="application/json">{"a":1}</script>'
        b'<script type="module">b()\r\n</script><style>p{x:1}</style></head>'
        b"<body><p style=\"text-align: right;\">x</p><th style='color:&quot;red&quot;'>"
        b"<script>var a=1</script></body>"
    )
    scripts, styles, attributes = inline_hashes(page)
    assert scripts == [sha("var a=1"), sha("b()\n")]
    assert styles == [sha("p{x:1}"), sha("text-align: right;"), sha('color:"red"')]
    assert attributes
    policy = page_policy(page)
    assert f"script-src 'self' {sha('var a=1')} {sha('b()' + chr(10))};" in policy
    assert "'unsafe-hashes'" in policy and "'unsafe-inline'" not in policy
    assert "'unsafe-hashes'" not in page_policy(b"<p>no styles</p>")


@pytest.mark.parametrize(
    ("value", "param", "parsed"),
    [
        ("7", Param("limit", "integer", "", minimum=1, maximum=10), 7),
        (" 7 ", Param("limit", "integer", "", minimum=1, maximum=10), 7),
        ("YES", Param("b", "boolean", ""), True),
        ("off", Param("b", "boolean", ""), False),
        (" l2", Param("audience", "string", "", choices=("L1", "L2")), "L2"),
        ("tab\there", Param("q", "string", "", control_ok=True), "tab\there"),
    ],
)
def test_parameters_parse(value: str, param: Param, parsed: object) -> None:
    assert param.parse(value) == parsed


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({}, "q is required"),
        ({"q": "x", "n": "1"}, "unknown parameter 'n'; known: q, n2"),
        ({"q": "x", "n2": "1e3"}, "n2 must be a whole number, not '1e3'"),
        ({"q": "x", "n2": 3.5}, "n2 must be a whole number"),
        ({"q": ["x"]}, "q must be a string"),
        ({"q": "x\x1b[31m"}, "q holds control characters"),
    ],
)
def test_parameters_refused(given: dict, message: str) -> None:
    params = Params([Param("q", "string", "", required=True), Param("n2", "integer", "")])
    with pytest.raises(ApiError) as refused:
        params.read(given)
    assert refused.value.status == 400 and message in refused.value.message


@pytest.mark.parametrize(
    ("rel", "prefix", "directory_urls", "url"),
    [
        ("email/outlook.md", "procedures", True, "procedures/email/outlook/"),
        ("email/outlook.md", "procedures", False, "procedures/email/outlook.html"),
        ("email/index.md", "procedures", True, "procedures/email/"),
        ("README.md", "", True, ""),
        ("a.md", "", True, "a/"),
    ],
)
def test_conventional_urls(rel: str, prefix: str, directory_urls: bool, url: str) -> None:
    assert conventional_url(rel, prefix, directory_urls=directory_urls) == url


def test_published_url_prefers_the_built_page() -> None:
    site = PublishedSite(pages={"a.md": "kb/a-page/"}, prefix="kb")
    assert site.url_for("a.md") == "kb/a-page/"
    assert site.url_for("b.md") == "kb/b/"


@pytest.mark.parametrize("prefix", ["../../", "/", "", "https://kb.example.com/desk/"])
def test_search_script_goes_after_materials_config_once(prefix: str) -> None:
    page = (
        '<body><script id="__config" type="application/json">{"search":"w.js"}</script>'
        f'\n<script src="{prefix}assets/javascripts/bundle.a5f9d56c.min.js"></script></body>'
    )
    once = add_search_script(page)
    assert f'<script src="{prefix}assets/kbtool/search.js"></script>' in once
    assert once.index("__config") < once.index("assets/kbtool/search.js") < once.index("bundle.")
    assert add_search_script(once) == once
    assert add_search_script("<body>other theme</body>") == "<body>other theme</body>"


def test_listing_pages() -> None:
    assert listing_page("# Tags\n\n<!-- material/tags -->\n")
    assert not listing_page("# Outlook\n\nTags are fine here.\n")


# --- the searcher holder --------------------------------------------------------------------


@pytest.fixture
def config(kb_root: Path):  # noqa: ANN201 - tests/conftest.py's knowledge base, indexed
    from kbtool.model.config import load_config
    from kbtool.search import build_index

    loaded = load_config(cwd=kb_root)
    build_index(loaded)
    return loaded


def test_holder_reopens_after_a_rebuild_and_closes_the_old_searcher_when_done(config) -> None:  # noqa: ANN001
    from kbtool.search import build_index
    from kbtool.web.searchers import SearcherHolder

    holder = SearcherHolder(config)
    with holder.lease() as first:
        with holder.lease() as same:
            assert same is first
        build_index(config, rebuild=True)
        with holder.lease() as second:
            assert second is not first
            assert second.generation != first.generation
        first.search("outlook")  # still open: this request uses it
    assert holder.reopened == 1
    with pytest.raises(Exception):  # noqa: B017 - closed now that nobody uses it
        first.search("outlook")
    holder.close()


def test_holder_keeps_the_old_searcher_when_the_new_index_cannot_open(config) -> None:  # noqa: ANN001
    from kbtool.search import store
    from kbtool.web.searchers import SearcherHolder

    holder = SearcherHolder(config)
    with holder.lease() as first:
        pass
    current = store.index_root(config) / store.CURRENT
    current.write_text('{"generation": "g-missing", "schema": 0, "config": "x"}', "utf-8")
    with holder.lease() as still:
        assert still is first and still.search("outlook").results
    assert holder.problem() is not None
    holder.close()


def test_holder_without_any_index(kb_root: Path) -> None:
    from kbtool.model.config import load_config
    from kbtool.web.searchers import IndexUnavailable, SearcherHolder

    holder = SearcherHolder(load_config(cwd=kb_root))
    with pytest.raises(IndexUnavailable) as missing, holder.lease():
        pass
    assert "kbtool index" in missing.value.message


def test_holder_reopens_when_the_day_changes(config) -> None:  # noqa: ANN001
    import datetime as dt

    from kbtool.web.searchers import SearcherHolder

    holder = SearcherHolder(config, today=dt.date(2026, 11, 1))
    with holder.lease() as before:
        assert before.today == dt.date(2026, 11, 1)
    holder._today = dt.date(2026, 11, 2)  # what date.today() does at midnight
    with holder.lease() as after:
        assert after is not before and after.today == dt.date(2026, 11, 2)
    holder.close()


def test_web_package_imports_neither_whoosh_nor_mkdocs() -> None:
    package = Path(__file__).resolve().parents[2] / "kbtool" / "web"
    importing = re.compile(r"^\s*(?:from|import)\s+(whoosh|mkdocs)\b", re.MULTILINE)
    offenders = [p.name for p in package.rglob("*.py") if importing.search(p.read_text("utf-8"))]
    assert offenders == []
    site_modules = re.compile(r"^\s*from\s+kbtool\.site\.(\w+)", re.MULTILINE)
    used = {m for p in package.rglob("*.py") for m in site_modules.findall(p.read_text("utf-8"))}
    for module in used:  # the parts of kbtool/site the web shell uses stay free of MkDocs
        text = (package.parent / "site" / f"{module}.py").read_text("utf-8")
        assert not importing.search(text), module
