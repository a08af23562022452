"""`kbtool report`: health figures on a crafted knowledge base, with searches that missed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kbtool.events import record, search_event
from kbtool.model.config import load_config
from tests.conftest import TODAY, write_procedure


def _log_misses(root: Path) -> None:
    config = load_config(cwd=root)
    queries = ["vpn token", "VPN   Token", "printer | jam", "vpn token", "<b>wifi</b>"]
    found = [search_event("cli", "outlook", 2)]
    assert (
        record(
            config,
            [search_event("cli", q, 0, filters={"service": "Network"}) for q in queries] + found,
        )
        is None
    )


def test_json_figures(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    _log_misses(mixed_kb)
    result = run_cli("--today", TODAY, "report", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["procedures"] == {
        "total": 8,
        "unreadable": 0,
        "by_status": {"published": 6, "draft": 1, "retired": 1},
        "by_service": {"Email": 4, "Hardware": 1, "Network": 2},
    }
    # Published: fine, late (124 days), orphan, nobody (4 days), soon, unreviewed.
    assert data["review"] == {
        "published": 6,
        "overdue": 2,
        "overdue_share": round(2 / 6, 4),
        "never_reviewed": 1,
        "due_soon": 1,
        "debt_days": 128,
        "median_days_overdue": 64,
        "longest_days_overdue": 124,
    }
    # nobody.md's backup has left: 5 of 6 covered.
    assert data["backup_coverage"] == {"published": 6, "with_backup": 5, "share": round(5 / 6, 4)}
    owners = {o["owner"]: o for o in data["owners"]}
    assert [o["owner"] for o in data["owners"]] == ["jdoe", "away", "asmith", "gone", "lead"]
    assert owners["jdoe"] == {
        "owner": "jdoe",
        "name": "Jane Doe",
        "procedures": 2,
        "overdue": 1,
        "never_reviewed": 0,
        "debt_days": 124,
        "median_days_overdue": 124,
        "orphaned": 0,
        "acting_for": 1,
    }
    assert owners["gone"]["orphaned"] == 1 and owners["away"]["orphaned"] == 1
    assert [r["id"] for r in data["oldest_reviews"]] == [
        "KB-0002",
        "KB-0004",
        "KB-0006",
        "KB-0001",
        "KB-0003",
    ]
    assert data["oldest_reviews"][0]["days_ago"] == 304
    misses = data["search_misses"]
    assert misses["logged"] is True and misses["total"] == 5
    assert [(m["query"], m["count"]) for m in misses["top"]] == [
        ("vpn token", 3),
        ("<b>wifi</b>", 1),
        ("printer | jam", 1),
    ]
    assert misses["top"][0]["filters"] == {"service": "Network"}
    assert data["usage"]["searches"]["total"] == 6
    assert data["usage"]["knowledge_gaps"][0] == {
        "query": "vpn token",
        "filters": {"service": "Network"},
        "count": 3,
        "last": misses["top"][0]["last"],
    }


def test_text_report(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    _log_misses(mixed_kb)
    result = run_cli("--today", TODAY, "report")
    assert result.exit_code == 0
    out = result.output
    assert out.startswith("Knowledge base health, 2026-11-01\n=================================\n")
    assert "8 procedures: 6 published, 1 draft, 1 retired." in out
    assert (
        "- Overdue for review: 2 of 6 published (33%); the median is 64 days overdue, the longest "
        "124; review debt 128 days in all (the sum over the 2 overdue procedures)"
    ) in out
    assert "- Backup coverage: 5 of 6 published have an active backup (83%)" in out
    assert (
        "  jdoe    Jane Doe     2           1        0               124        124             0"
        in out
    )
    assert "6 searches, 5 found nothing." in out
    assert "  vpn token      service=Network  3" in out


def test_markdown_report_escapes(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    _log_misses(mixed_kb)
    result = run_cli("--today", TODAY, "report", "--format", "markdown")
    out = result.output
    assert out.startswith("## Knowledge base health, 2026-11-01\n")
    assert "### Searches that found nothing" in out
    assert "| printer \\| jam | service=Network | 1 |" in out
    assert "| &lt;b&gt;wifi&lt;/b&gt; | service=Network | 1 |" in out and "<b>" not in out
    assert "| jdoe | Jane Doe | 2 | 1 | 0 | 124 | 124 | 0 | 1 |" in out


def test_since_filters_misses(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    _log_misses(mixed_kb)
    tomorrow = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    data = json.loads(run_cli("report", "--format", "json", "--since", tomorrow).output)
    assert data["search_misses"]["total"] == 0 and data["search_misses"]["top"] == []
    text = run_cli("report", "--since", tomorrow).output
    assert f"None recorded since {tomorrow}." in text


def test_without_search_log(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli("--today", TODAY, "report")
    assert "No searches recorded yet." in result.output
    data = json.loads(run_cli("--today", TODAY, "report", "--format", "json").output)
    assert data["search_misses"] == {"logged": False, "since": None, "total": 0, "top": []}


@pytest.mark.parametrize(("option", "count"), [("--top-misses", 1), ("--oldest", 2)])
def test_limits(mixed_kb: Path, run_cli: Callable[..., Any], option: str, count: int) -> None:
    _log_misses(mixed_kb)
    data = json.loads(
        run_cli("--today", TODAY, "report", "--format", "json", option, str(count)).output
    )
    key = "top" if option == "--top-misses" else None
    listed = data["search_misses"][key] if key else data["oldest_reviews"]
    assert len(listed) == count


def test_unreadable_files_are_counted_apart(mixed_kb: Path, run_cli: Callable[..., Any]) -> None:
    write_procedure(mixed_kb, "broken.md", "---\nid: [\n---\n# x\n")
    data = json.loads(run_cli("--today", TODAY, "report", "--format", "json").output)
    assert data["procedures"]["unreadable"] == 1 and data["procedures"]["total"] == 8
    assert "1 files could not be read" in run_cli("--today", TODAY, "report").output


def test_empty_knowledge_base(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    (kb_root / "procedures/email/outlook-profile.md").unlink()
    result = run_cli("--today", TODAY, "report")
    assert result.exit_code == 0
    assert "0 procedures" in result.output and "No procedures." in result.output


def test_text_table_stays_aligned_with_invisible_and_wide_characters(
    mixed_kb: Path, run_cli: Callable[..., Any]
) -> None:
    """A zero-width space typed into a query takes no column on a terminal, a CJK character
    two: the columns after such a query still line up."""
    config = load_config(cwd=mixed_kb)
    queries = ["out\u200blook", "outlook", "打印机 jam", "e\u0301mail"]
    record(config, [search_event("cli", q, 0, filters={"service": "Network"}) for q in queries])
    result = run_cli("--today", TODAY, "report")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "service=Network" in line]
    assert len(lines) == 4, result.output
    import unicodedata

    def columns_of(text: str) -> int:  # the terminal's count, independently of kbtool's
        return sum(
            0
            if unicodedata.category(c) in ("Mn", "Cf")
            else 2
            if unicodedata.east_asian_width(c) == "W"
            else 1
            for c in text
        )

    columns = {columns_of(line[: line.index("service=Network")]) for line in lines}
    assert len(columns) == 1, lines
