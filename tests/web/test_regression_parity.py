"""The repository's search regression set through the API ranks exactly as `kbtool eval` does.

One code path: the server's search is the CLI's. Each phrasing of tests/search-regression.jsonl
is sent to the real server and searched through `kbtool eval`'s own call
(`evaluate.evaluate`, on a searcher of the same index); the rankings must be identical, and so
must the MRR that `kbtool eval --json` reports.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from tests.web.conftest import index, start_server

REPO = Path(__file__).resolve().parents[2]
REGRESSION = REPO / "tests" / "search-regression.jsonl"


def test_api_and_eval_rank_the_regression_set_identically(tmp_path: Path) -> None:
    from kbtool.model.config import load_config
    from kbtool.search import open_searcher
    from kbtool.search.evaluate import DEPTH, evaluate, load_cases

    shutil.copytree(REPO / "procedures", tmp_path / "procedures")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<!doctype html><title>kb</title>", "utf-8")
    index(tmp_path)
    cases = load_cases(REGRESSION)
    config = load_config(cwd=tmp_path)
    with open_searcher(config, refresh=False) as searcher:
        eval_ranking = {
            case.query: [
                hit.id
                for hit in searcher.search(case.query, limit=DEPTH, include_retired=True).results
            ]
            for case in cases
        }
        report = evaluate(searcher, cases)
    running = start_server(tmp_path)
    api_ranking = {}
    try:
        with httpx.Client(base_url=running.url, timeout=30) as client:
            for case in cases:
                response = client.get(
                    "/api/search", params={"q": case.query, "limit": DEPTH, "retired": "true"}
                )
                assert response.status_code == 200, response.text
                api_ranking[case.query] = [hit["id"] for hit in response.json()["results"]]
    finally:
        running.stop()
    assert len(cases) >= 30
    assert api_ranking == eval_ranking
    ranks = [
        ranking.index(case.target) + 1 if case.target in ranking else None
        for case, ranking in ((c, api_ranking[c.query]) for c in cases)
    ]
    api_mrr = sum(1 / r for r in ranks if r) / len(cases)
    cli = subprocess.run(
        [sys.executable, "-m", "kbtool", "eval", str(REGRESSION), "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert round(api_mrr, 4) == json.loads(cli.stdout)["mrr@10"] == round(report.mrr, 4)
