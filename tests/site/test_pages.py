"""The generated pages and the chart, from the library alone (no MkDocs)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kbtool.model.config import load_config
from kbtool.site.model import REVIEW_LABELS, Site, load_site
from kbtool.site.pages import (
    OWNERS,
    REVIEW,
    REVIEW_CHART,
    SERVICES_INDEX,
    generated_pages,
    person_loads,
    review_counts,
    service_uris,
)
from tests.site.conftest import TODAY, write_kb


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = write_kb(tmp_path_factory.mktemp("kb"))
    return load_site(load_config(cwd=root), dt.date.fromisoformat(TODAY))


@pytest.fixture(scope="module")
def pages(site: Site) -> dict[str, str]:
    return generated_pages(site)


def table_rows(markdown: str, heading: str | None = None) -> list[list[str]]:
    """The body rows of the first table (after `heading`), as lists of cells."""
    if heading is not None:
        markdown = markdown.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in markdown.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines[2:]]


def test_every_page_is_generated(pages: dict[str, str]) -> None:
    assert set(pages) == {
        SERVICES_INDEX,
        "services/email.md",
        "services/network.md",
        "services/printing.md",
        OWNERS,
        REVIEW,
        REVIEW_CHART,
    }
    for uri, text in pages.items():
        if uri.endswith(".md"):
            # The title is given (escaped) in the front matter, never taken from the H1.
            front = re.match(r'---\ntitle: "([^"\n]+)"\nsearch:\n  exclude: true\n---\n', text)
            assert front, uri
            assert f"\n# {front.group(1)}\n" in text, uri


def test_services_index_counts(pages: dict[str, str]) -> None:
    assert table_rows(pages[SERVICES_INDEX]) == [
        ["[Email](<email.md>)", "2", "2", "1", "0", "0", "0"],
        ["[Network](<network.md>)", "2", "2", "0", "0", "1", "1"],
        ["[Printing](<printing.md>)", "3", "1", "0", "0", "0", "0"],
    ]


def test_service_page_says_who_answers_today(pages: dict[str, str]) -> None:
    rows = table_rows(pages["services/network.md"])
    link = "[VPN drops every few minutes](<../procedures/network/vpn-drops.md>)"
    assert rows[0][:2] == ["KB-0003", link]
    assert rows[0][4] == "Jane Doe (jdoe), acting for away (away until 2026-12-31)"
    assert rows[1][4] == "nobody (gone is inactive)"


def test_owners_load_per_person(site: Site, pages: dict[str, str]) -> None:
    loads = {load.handle: load for load in person_loads(site)}
    jdoe = loads["jdoe"]
    assert [p.procedure.id for p in jdoe.owns] == ["KB-0001", "KB-0002", "KB-0006"]
    assert [p.procedure.id for p in jdoe.acting_for] == ["KB-0003"]
    assert jdoe.load == 4 and jdoe.overdue == 1
    assert loads["away"].load == 0  # away: their procedure is answered for by jdoe
    assert len(loads["asmith"].backs_up) == 4  # the retired one is not counted
    first = table_rows(pages[OWNERS], "Load per person")[0]
    assert first == [
        "[Jane Doe](#person-jdoe)",
        "Senior agent, desk",
        "available",
        "3",
        "1",
        "1",
        "4",
        "1",
    ]
    assert "| Gone Person (gone) | Away Person (away) | front matter | 1 |" in pages[OWNERS]
    unowned = pages[OWNERS].split("## Unowned procedures", 1)[1].split("## Who backs up", 1)[0]
    assert [line for line in unowned.splitlines() if line.startswith("- ")] == [
        "- [KB-0004 Proxy asks for a password](<procedures/network/nobody.md>): owner Gone Person"
        " (gone) is inactive; Away Person (away) cannot act"
    ]
    assert "| Team lead | Lee Lead |" in pages[OWNERS]


def test_review_dashboard_lists(pages: dict[str, str]) -> None:
    review = pages[REVIEW]
    overdue = table_rows(review, "Overdue")
    assert [row[0] for row in overdue] == ["KB-0002"]
    assert overdue[0][-2:] == ["2026-07-14", "overdue by 110 days"]
    assert [row[0] for row in table_rows(review, "Orphaned")] == ["KB-0003"]
    assert [row[0] for row in table_rows(review, "Unowned")] == ["KB-0004"]
    assert "Nothing falls due within 30 days." in review
    assert f"![Review state of published procedures per service]({REVIEW_CHART})" in review


def test_review_states_are_named_from_one_table(pages: dict[str, str]) -> None:
    """The dashboard's columns, the chart's legend and each procedure's state in a row all
    read REVIEW_LABELS."""
    labels = list(REVIEW_LABELS.values())
    assert labels == ["Reviewed", "Due soon", "Overdue", "Never reviewed", "Bad review date"]
    header = next(line for line in pages[REVIEW].splitlines() if line.startswith("| Service |"))
    assert header == "| Service | " + " | ".join(labels) + " | Total |"
    root = ET.fromstring(pages[REVIEW_CHART].split("?>", 1)[1])
    legend = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")][: len(labels)]
    assert legend == labels
    states = {row[0]: row[-1] for row in table_rows(pages["services/email.md"])}
    assert "overdue" in states.values() and "reviewed" in states.values()


def test_hostile_values_are_escaped_in_generated_markdown(pages: dict[str, str]) -> None:
    for uri, text in pages.items():
        if uri.endswith(".md"):
            assert "<script>" not in text, uri
    assert "&lt;script&gt;alert('roster')&lt;/script&gt; Eve" in pages[OWNERS]


def test_review_counts(site: Site) -> None:
    assert review_counts(site) == {
        "Email": {"ok": 1, "overdue": 1},
        "Network": {"ok": 2},
        "Printing": {"ok": 1},
    }


@pytest.mark.parametrize(
    ("services", "expected"),
    [
        (
            ["Email", "E-mail", "email"],
            ["services/email.md", "services/e-mail.md", "services/email-2.md"],
        ),
        (["Index", "???"], ["services/index-2.md", "services/service.md"]),
    ],
)
def test_service_uris_are_distinct(services: list[str], expected: list[str]) -> None:
    assert list(service_uris(services).values()) == expected


def test_pages_without_a_roster(tmp_path: Path) -> None:
    root = write_kb(tmp_path, roster=None)
    site = load_site(load_config(cwd=root), dt.date.fromisoformat(TODAY))
    assert site.roster is None
    assert re.search(r"roster\.yml: roster not found", site.messages[0].text)
    owners = generated_pages(site)[OWNERS]
    assert "No roster" in owners
