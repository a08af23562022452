"""The site in the Markdown dialects of `[dialect]`, with the files beside the procedures and
`[links] base_url`: real `mkdocs build --strict` runs."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.site.conftest import Build, mkdocs_build, serve, site_procedure, write_kb

DIALECTS = """\
exclude = ["includes/*.md"]

[dialect]
alerts = true
includes = true
images = true
no_loc = true

[links]
base_url = "https://learn.microsoft.com"
"""


def _png(width: int, height: int) -> bytes:
    """A real PNG (a browser decodes it), of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\x20\x60\xc0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = _png(24, 16)
SAFE_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'
HOSTILE_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'

BODY_EXTRA = """\

> [!NOTE]
> Restart the **computer** before you begin.

[!INCLUDE [Disclaimer](../../includes/disclaimer.md)]

1. Open the mailbox settings:

   :::image type="content" source="media/settings.png" alt-text="The <Settings> pane.":::

1. Run [Get-Mailbox](/powershell/module/exchange/get-mailbox) in :::no-loc text="Exchange_Shell":::.

See the [diagram](media/flow.svg).
"""


def learn_procedure() -> str:
    text = site_procedure("KB-0100", "Mailbox settings cannot be opened", service="Email")
    return text.replace("## Escalation", BODY_EXTRA + "\n## Escalation")


@pytest.fixture(scope="module")
def learn_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = write_kb(
        tmp_path_factory.mktemp("learn"), {"email/settings/mailbox.md": learn_procedure()}
    )
    (root / "kbtool.toml").write_text(DIALECTS, encoding="utf-8")
    procedures = root / "procedures"
    (procedures / "includes").mkdir()
    (procedures / "includes" / "disclaimer.md").write_text(
        "Third-party products named here are not supported by the [desk](../email/index.md).\n",
        encoding="utf-8",
    )
    (procedures / "email" / "index.md").write_text(
        site_procedure("KB-0101", "Email overview"), encoding="utf-8"
    )
    media = procedures / "email" / "settings" / "media"
    media.mkdir()
    (media / "settings.png").write_bytes(PNG)
    (media / "flow.svg").write_bytes(SAFE_SVG)
    (media / "page.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    build = mkdocs_build(root, "--strict")
    assert build.returncode == 0, build.log
    return build


PAGE = "procedures/email/settings/mailbox/"


def test_alerts_are_admonitions(learn_site: Build) -> None:
    html = learn_site.html(PAGE)
    assert '<div class="admonition note">' in html
    assert '<p class="admonition-title">Note</p>' in html
    assert "Restart the <strong>computer</strong>" in html
    assert "[!NOTE]" not in html


def test_an_include_is_inlined_with_its_links_working(learn_site: Build) -> None:
    html = learn_site.html(PAGE)
    assert "Third-party products named here are not supported" in html
    assert "[!INCLUDE" not in html
    assert 'href="../../"' in html  # ../email/index.md, rebased and made a page URL
    assert not (learn_site.site / "procedures" / "includes" / "disclaimer").exists()


def test_a_learn_image_is_an_image_published_with_the_site(learn_site: Build) -> None:
    html = learn_site.html(PAGE)
    assert '<img alt="The &lt;Settings&gt; pane." src="../media/settings.png"' in html
    assert ":::image" not in html and ":::no-loc" not in html
    assert "Exchange_Shell" in html
    published = learn_site.site / "procedures" / "email" / "settings" / "media"
    assert (published / "settings.png").read_bytes() == PNG
    assert (published / "flow.svg").read_bytes() == SAFE_SVG


def test_only_harmless_files_are_published(learn_site: Build) -> None:
    published = learn_site.site / "procedures" / "email" / "settings" / "media"
    assert not (published / "page.html").exists()
    assert not list(learn_site.site.rglob("roster.yml"))
    assert not list(learn_site.site.rglob("kbtool.toml"))


def test_absolute_links_lead_to_the_base_url(learn_site: Build) -> None:
    html = learn_site.html(PAGE)
    assert 'href="https://learn.microsoft.com/powershell/module/exchange/get-mailbox"' in html


def test_without_the_dialects_the_syntax_stays_text(tmp_path: Path) -> None:
    root = write_kb(tmp_path, {"email/settings/mailbox.md": learn_procedure()})
    media = root / "procedures" / "email" / "settings" / "media"
    media.mkdir()
    (media / "hostile.svg").write_bytes(HOSTILE_SVG)
    (media / "flow.svg").write_bytes(SAFE_SVG)
    build = mkdocs_build(root)
    assert build.returncode == 0, build.log
    html = build.html(PAGE)
    assert "[!NOTE]" in html and "admonition note" not in html
    assert ":::image" in html
    # An SVG that would run script when opened from the site is held back, and said.
    published = build.site / "procedures" / "email" / "settings" / "media"
    assert (published / "flow.svg").exists() and not (published / "hostile.svg").exists()
    assert "hostile.svg is not published: the SVG holds script" in build.log


@pytest.mark.browser
def test_in_a_browser_the_screenshot_shows_and_the_note_is_a_box(
    learn_site: Build, browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    with serve(learn_site.site) as url:
        browser.get(url + PAGE)
        image = browser.find_element(By.CSS_SELECTOR, 'img[alt="The <Settings> pane."]')
        loaded = browser.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth;", image
        )
        assert loaded == 24  # the PNG beside the procedure, published and decoded
        note = browser.find_element(By.CSS_SELECTOR, "div.admonition.note")
        assert note.is_displayed()
        assert note.find_element(By.CSS_SELECTOR, ".admonition-title").text == "Note"
        border = browser.execute_script(
            "return getComputedStyle(arguments[0]).borderLeftWidth;", note
        )
        assert border not in ("", "0px")  # styled by Material as an admonition
