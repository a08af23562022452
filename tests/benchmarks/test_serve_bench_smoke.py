"""Smoke test of the serve benchmark: its load generator against the real server, its synthetic
queries, its report and target checks. Never the real corpora, never the browser part."""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import serve_bench  # noqa: E402

from tests.web.conftest import server, web_kb  # noqa: E402, F401 - the real server


def test_load_generator_counts_answers_and_errors(server) -> None:  # noqa: ANN001, F811
    ok = serve_bench.run_load(server.url, ["outlook", "vpn tunnel"], 4, "short", 40, 30)
    summary = ok.summary()
    assert (summary["answers"], summary["errors"]) == (40, 0)
    assert summary["p95_ms"] >= summary["median_ms"] > 0 and summary["per_second"] > 0
    # An empty query is a 400: counted as an error, not an answer.
    bad = serve_bench.run_load(server.url, [" "], 2, "short", 6, 30).summary()
    assert (bad["answers"], bad["errors"]) == (0, 6)
    assert bad["error_samples"][0].startswith("400")


def test_synthetic_queries(tmp_path: Path) -> None:
    from synth import generate

    procedures = generate(tmp_path / "kb", 30, seed=1)
    queries = serve_bench.synthetic_queries(procedures, 12)
    assert len(queries["short"]) == len(queries["sentence"]) == 12
    assert all(1 <= len(q.split()) <= 3 for q in queries["short"])


def run(clients: int, p95: float, rate: float, kind: str = "short") -> dict:
    return {
        "clients": clients,
        "queries": kind,
        "answers": 100,
        "errors": 0,
        "p95_ms": p95,
        "median_ms": p95 / 2,
        "per_second": rate,
    }


def test_targets_and_report(capsys) -> None:  # noqa: ANN001
    big = {
        "corpus": "scaled-25000",
        "procedures": 25_000,
        "runs": [run(1, 20, 90), run(8, 45, 210), run(32, 90, 230), run(8, 60, 150, "sentence")],
        "rebuild": {**run(8, 70, 100), "errors": 0, "generation_switched": True},
    }
    result = {
        "http": [big],
        "browser": [
            {
                "procedures": 5000,
                "search_index_bytes": 22_000_000,
                "kbtool serve": {"median_s": 0.4},
                "Material (static)": {"median_s": 8.0},
            }
        ],
    }
    result["targets"] = serve_bench.targets(result)
    met = {check["target"]: check["met"] for check in result["targets"]}
    assert met == {
        "p95 < 50 ms at 8 clients, short queries, 25,000 procedures": True,
        "p95 < 50 ms at 8 clients, sentence queries, 25,000 procedures": False,
        ">= 200 answers/s, short queries, 25,000": True,
        "no error during a rebuild (scaled-25000)": True,
        "first result < 0.5 s at 5,000 (kbtool serve)": True,
    }
    serve_bench.print_report(result)
    printed = capsys.readouterr().out
    assert "[MISSED] p95 < 50 ms at 8 clients, sentence queries" in printed
    assert "5000 procedures: kbtool serve 0.4 s, Material's search 8.0 s" in printed
