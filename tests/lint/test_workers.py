"""Forked workers: results in order, facts merged and shared, failures reported (never a hang),
and the engine's fall-back to one process when a worker fails."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from kbtool.lint import engine
from kbtool.lint.engine import lint
from kbtool.lint.selection import RuleSelection
from kbtool.lint.workers import (
    PARALLEL_MIN_FILES,
    Phases,
    WorkerFailed,
    default_workers,
    run_forked,
)
from kbtool.model.config import load_config
from kbtool.model.knowledge_base import load_knowledge_base
from tests.conftest import TODAY


def test_default_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KBTOOL_WORKERS", raising=False)
    assert default_workers(PARALLEL_MIN_FILES - 1) == 1
    monkeypatch.setenv("KBTOOL_WORKERS", "0")
    assert default_workers(10_000) == 1
    monkeypatch.setenv("KBTOOL_WORKERS", "3")
    assert default_workers(5) == 3
    monkeypatch.setenv("KBTOOL_WORKERS", "many")
    assert default_workers(5) == 1


def _gather(share: list[int]) -> tuple[int, list[int]]:
    return sum(share), share


def _finish(kept: list[int], total: int) -> tuple[int, list[int], int]:
    return os.getpid(), [n * total for n in kept], total


def test_each_share_in_its_own_process_sees_the_merged_facts() -> None:
    shares = [[1, 2], [3], [4, 5, 6]]
    results, merged = run_forked(shares, Phases(_gather, sum, _finish))
    assert merged == 21
    assert [numbers for _pid, numbers, _total in results] == [[21, 42], [63], [84, 105, 126]]
    pids = {pid for pid, _numbers, _total in results}
    assert len(pids) == 3 and os.getpid() not in pids


def _fails_on_three(share: list[int]) -> tuple[int, list[int]]:
    if 3 in share:
        raise ValueError("no threes here")
    return sum(share), share


def _ends_early(share: list[int]) -> tuple[int, list[int]]:
    os._exit(0)


@pytest.mark.parametrize(
    ("gather", "message"),
    [(_fails_on_three, "ValueError: no threes here"), (_ends_early, "ended early")],
)
def test_a_failing_worker_is_reported(gather: object, message: str) -> None:
    with pytest.raises(WorkerFailed, match=message):
        run_forked([[1, 2], [3]], Phases(gather, sum, _finish))  # type: ignore[arg-type]


def test_the_engine_lints_in_this_process_when_a_worker_fails(
    kb_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (kb_root / "procedures" / "email" / "second.md").write_text("---\nid: KB-0001\n---\n")
    config = load_config(cwd=kb_root)
    kb = load_knowledge_base(config, load=False)
    today = dt.date.fromisoformat(TODAY)
    expected = lint(kb, today, selection=RuleSelection.build(), workers=1)
    parent = os.getpid()
    real_load = engine.load_procedure

    def load_in_parent_only(*args: object, **kwargs: object) -> object:
        if os.getpid() != parent:
            raise MemoryError("a worker ran out of memory")
        return real_load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "load_procedure", load_in_parent_only)
    result = lint(kb, today, selection=RuleSelection.build(), workers=2)
    assert result.findings == expected.findings and result.files_checked == 2
    assert "FM010" in {f.code for f in result.findings}
