"""`kbtool eval --from-events`: a regression set from what agents searched, opened and solved."""

from __future__ import annotations

import json
from pathlib import Path

from kbtool.events import Event, open_store
from kbtool.model.config import load_config
from tests.conftest import RunCli


def _searched(query: str, search_id: str, target: str, *, solved: bool = True) -> list[Event]:
    return [
        Event("search", "site", query=query, results=3, search_id=search_id),
        Event("result_opened", "site", procedure=target, rank=2, search_id=search_id),
        Event("solved", "site", procedure=target, solved=solved, search_id=search_id),
    ]


def test_cases_need_opened_and_solved_in_enough_searches(
    search_kb: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    store = open_store(load_config(cwd=search_kb))
    store.add(
        [
            *_searched("forgot my password", "search-0001", "KB-0002"),
            *_searched("Forgot  my Password", "search-0002", "KB-0002"),
            *_searched("forgot my password", "search-0003", "KB-0002"),
            *_searched("forgot my password", "search-0004", "KB-0001"),  # outvoted
            *_searched("outlook keeps asking", "search-0005", "KB-0001"),  # one search only
            *_searched("vpn drops", "search-0006", "KB-0003", solved=False),
            *_searched("vpn drops", "search-0007", "KB-0003", solved=False),
        ]
    )
    store.close()
    out = tmp_path / "desk.jsonl"
    result = run_cli("eval", "--from-events", str(out), "--json")
    assert result.exit_code == 0, result.output
    cases = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert cases == [{"query": "forgot my password", "target": "KB-0002", "clicks": 3}]
    assert json.loads(result.stdout)["queries"] == 1
    assert f"wrote 1 cases from the events to {out}" in result.stderr

    result = run_cli("eval", "--from-events", "--min-clicks", "1", str(out))
    assert result.exit_code == 0, result.output
    assert [json.loads(x)["query"] for x in out.read_text("utf-8").splitlines()] == [
        "forgot my password",
        "outlook keeps asking",
    ]


def test_without_enough_events_nothing_is_written(
    search_kb: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    out = tmp_path / "desk.jsonl"
    result = run_cli("eval", "--from-events", str(out))
    assert result.exit_code == 1
    assert "no query was opened and marked solved in 2 searches yet" in result.output
    assert not out.exists()
