"""A small knowledge base with every page state, and real `mkdocs build` runs of it."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import procedure, procedure_body

TODAY = "2026-11-01"

ROSTER = """\
people:
  jdoe:
    {name: Jane Doe, role: senior-agent, team: desk, email: jane@example.com, phone: "+1 555 0100"}
  asmith: {name: Alan Smith, role: agent, team: desk, email: alan@example.com}
  away:
    {name: Away Person, role: agent, team: desk, email: away@example.com, away_until: 2026-12-31}
  gone: {name: Gone Person, role: agent, team: desk, active: false}
  lead: {name: Lee Lead, role: team-lead, team: desk, email: lee@example.com}
  evil:
    name: "<script>alert('roster')</script> Eve"
    role: agent
    team: desk
    email: "e<v>l@example.com"
teams:
  desk: {name: Service Desk, lead: lead, email: desk@example.com}
"""


def site_procedure(
    ident: str,
    title: str,
    *,
    summary: str = "Something does not work as the caller expects.",
    service: str = "Email",
    owner: str = "jdoe",
    backup: str = "asmith",
    reviewed: str = "2026-10-01",
    status: str = "published",
    extra: str = "",
    symptom: str = "The caller sees an error.",
    title_h1: str | None = None,
) -> str:
    """A procedure of this knowledge base; `extra` is one more front-matter line, as written."""
    fields = {
        "id": ident,
        "title": title,
        "summary": summary,
        "service": service,
        "tags": "[desk]",
        "audience": "L1",
        "status": status,
        "owner": owner,
        "backup": backup,
        "reviewed": reviewed,
        "review_every": "180",
        "escalate_to": "team-lead",
    }
    body = procedure_body(
        title_h1 or title.strip('"'),
        symptoms=symptom,
        steps=["Close the application.", "Start it again."],
        escalation="Escalate to the team lead when it keeps happening.",
    )
    return procedure(fields, body, base={}, extra_lines=f"{extra}\n" if extra else "")


#: rel path -> text. Every state the card and banners can show.
PROCEDURES = {
    "email/outlook-profile.md": site_procedure(
        "KB-0001",
        'Outlook is stuck on "Loading profile"',
        summary="Outlook opens but never gets past the Loading profile screen.",
        extra='error_codes: ["0x8004010F"]',
        symptom="Outlook shows a spinning *Loading profile* window and a teal mailbox icon.",
    ),
    "email/overdue-archive.md": site_procedure(
        "KB-0002",
        "Mailbox archive will not open",
        reviewed="2026-01-15",
        symptom="The archive folder shows a grey padlock.",
    ),
    "network/vpn-drops.md": site_procedure(
        "KB-0003",
        "VPN drops every few minutes",
        service="Network",
        owner="away",
        backup="jdoe",
        symptom="The tunnel disconnects every five minutes.",
    ),
    "network/nobody.md": site_procedure(
        "KB-0004",
        "Proxy asks for a password",
        service="Network",
        owner="gone",
        backup="away",
        symptom="A grey box asks for proxy credentials.",
    ),
    "printing/hostile.md": site_procedure(
        "KB-0005",
        "\"<script>alert('title')</script> Printer jams\"",
        summary="\"<img src=x onerror=alert('summary')> paper | *jam*\"",
        service="Printing",
        owner="evil",
        extra="error_codes: [\"<script>alert('code')</script>\"]",
        title_h1="<script>alert('h1')</script> Printer jams",
        # The site replaces that H1 with the escaped title; lint still reports the raw
        # <script> in it (HT001), which would fail the strict builds of this knowledge base.
        symptom="Paper stops half way.\n\n<!-- kbtool: disable HT001 -->",
    ),
    "printing/draft-toner.md": site_procedure(
        "KB-0006", "Toner low warning", service="Printing", status="draft"
    ),
    "printing/retired-fax.md": site_procedure(
        "KB-0007", "Fax machine busy tone", service="Printing", status="retired"
    ),
}

MKDOCS_YML = """\
site_name: Test KB
docs_dir: docs
theme:
  name: material
  font: false  # no Google Fonts: the tests run offline, and every page load waited for them
  features: [search.suggest, search.highlight, content.code.copy]
plugins:
  - search
  - tags
  - kbtool:
      today: "{today}"
markdown_extensions:
  - toc: {{permalink: true}}
  - admonition
  - attr_list
  - tables
nav:
  - Home: index.md
  - By service: services/index.md
  - Owners: owners.md
  - Review: review.md
validation:
  nav:
    omitted_files: ignore
"""


def write_kb(
    root: Path,
    procedures: dict[str, str] | None = None,
    *,
    roster: str | None = ROSTER,
    today: str = TODAY,
) -> Path:
    """A knowledge base with docs/, procedures/ and mkdocs.yml under `root`."""
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "docs" / "index.md").write_text("# Test KB\n\nWelcome.\n", encoding="utf-8")
    (root / "procedures").mkdir(exist_ok=True)
    if roster is not None:
        (root / "procedures" / "roster.yml").write_text(roster, encoding="utf-8")
    (root / "kbtool.toml").write_text("", encoding="utf-8")
    for rel, text in (PROCEDURES if procedures is None else procedures).items():
        path = root / "procedures" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(today=today), encoding="utf-8")
    return root


@dataclass
class Build:
    root: Path
    site: Path
    returncode: int
    log: str

    def html(self, url_path: str) -> str:
        """The HTML of the page at `url_path` (e.g. `procedures/email/x/`)."""
        path = self.site / url_path
        if url_path.endswith("/") or not url_path:
            path = path / "index.html"
        return path.read_text(encoding="utf-8")


def mkdocs_build(root: Path, *args: str, env: dict[str, str] | None = None) -> Build:
    """Run the real `mkdocs build` (with Material and the kbtool plugin) on `root`."""
    site = root / "site"
    environ = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    if "KBTOOL_TODAY" not in (env or {}):
        environ.pop("KBTOOL_TODAY", None)  # the date comes from mkdocs.yml unless a test says
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site), *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
    )
    return Build(root, site, done.returncode, done.stdout + done.stderr)


@pytest.fixture(scope="package")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The small knowledge base, built once for the tests that only read the output."""
    root = write_kb(tmp_path_factory.mktemp("kb"))
    result = mkdocs_build(root)
    assert result.returncode == 0, result.log
    return result


# --- a real headless Chromium, for the browser tests ------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 (any free port); yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def chromium(profile: Path, *, page_load_timeout: float = 20, browser_log: bool = False) -> Any:
    """Debian's headless Chromium through chromedriver, with a fresh profile in `profile`.
    Without them the tests fail (never skip): run `.ci/install-browser`."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not found: run .ci/install-browser "
            "(Debian packages chromium and chromium-driver) to run the browser tests"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    if browser_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(page_load_timeout)
    return driver


@pytest.fixture(scope="package")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    driver = chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()
