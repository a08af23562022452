"""The repository's own search regression set: caller phrasings for the starter procedures.

`tests/search-regression.jsonl` is what `kbtool eval` runs in the pull-request workflow; here
it runs against a copy of the repository's procedures, so a change to the analysis, the
ranking or the synonyms that loses one of these phrasings fails the tests.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import RunCli

REPO = Path(__file__).resolve().parents[2]
REGRESSION = REPO / "tests" / "search-regression.jsonl"


@pytest.fixture
def repository_kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(REPO / "procedures", tmp_path / "procedures")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_phrasing_finds_its_procedure_first(repository_kb: Path, run_cli: RunCli) -> None:
    result = run_cli("eval", str(REGRESSION), "--min-mrr", "0.95", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["queries"] >= 30
    assert report["misses"] == [], report["misses"]
    assert report["recall@1"] == 1.0


def test_every_target_is_a_published_procedure_and_each_one_is_covered(repository_kb: Path) -> None:
    from kbtool.model.config import load_config
    from kbtool.model.knowledge_base import load_knowledge_base

    kb = load_knowledge_base(load_config(cwd=repository_kb))
    published = {p.id for p in kb.procedures if p.status == "published"}
    targets = [json.loads(line)["target"] for line in REGRESSION.read_text().splitlines()]
    assert set(targets) <= published
    # A new published procedure comes with at least one phrasing a caller would use.
    assert published <= set(targets), sorted(published - set(targets))


def test_no_right_first_result_is_called_a_weak_match(repository_kb: Path) -> None:
    """`kbtool search` says "no close match; nearest:" over a weak best result; measured here
    on the regression set, where every first result is the right one, none may be so marked."""
    from kbtool.model.config import load_config
    from kbtool.search import open_searcher

    cases = [json.loads(line) for line in REGRESSION.read_text().splitlines()]
    with open_searcher(load_config(cwd=repository_kb)) as searcher:
        marked = [
            case["query"]
            for case in cases
            if searcher.search(case["query"], include_retired=True).weak
        ]
    assert marked == []
