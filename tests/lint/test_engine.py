"""The lint engine: in-process and forked-worker paths give exactly the same findings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kbtool.core.errors import UsageError
from kbtool.lint.engine import display_path, lint, select_targets
from kbtool.lint.findings import Finding
from kbtool.lint.selection import RuleSelection
from kbtool.model.config import load_config
from kbtool.model.knowledge_base import load_knowledge_base
from tests.conftest import ROSTER, TODAY, RunCli, procedure

COUNT = 520  # the worker count is forced through KBTOOL_WORKERS in each test


def generated(index: int) -> tuple[str, str]:
    """A small procedure; some share ids, link across folders, or point at missing anchors."""
    ident = index - 1 if index % 50 == 49 else index  # every 50th repeats its neighbour's id
    following = (index + 1) % COUNT
    anchor = "nope" if index % 37 == 0 else "resolution"
    target = "gone.md" if index % 41 == 0 else f"g{following:04d}.md"
    related = f"KB-{following:04d}" if index % 43 else "KB-9999"
    owner = "gone" if index % 31 == 0 else "jdoe"
    rel = f"d{index % 5}/g{index:04d}.md"
    fields = {
        "id": f"KB-{ident:04d}",
        "title": f"Generated {index}",
        "summary": f"Procedure {index}.",
        "service": "Email",
        "owner": owner,
        "backup": "asmith",
        "reviewed": f"2026-0{1 + index % 9}-15",
        "related": f"[{related}]",
    }
    body = (
        f"## Symptoms\n\nSymptom {index}.\n\n## Resolution\n\n"
        f"1. See [next](../d{following % 5}/{target}#{anchor}).\n\n## Escalation\n\n"
        + ("" if index % 29 == 0 else "Escalate.\n")
    )
    text = procedure(fields, body, base={})
    return rel, text


@pytest.fixture
def big_kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    procedures = tmp_path / "procedures"
    procedures.mkdir()
    (procedures / "roster.yml").write_text(ROSTER)
    (tmp_path / "kbtool.toml").write_text("")
    for index in range(COUNT):
        rel, text = generated(index)
        path = procedures / rel
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def rows(findings: list[Finding]) -> list[tuple[object, ...]]:
    return [(f.path, f.line, f.col, f.code, f.severity, f.message) for f in findings]


def test_workers_and_single_process_agree(big_kb: Path) -> None:
    config = load_config(cwd=big_kb)
    kb = load_knowledge_base(config, load=False)
    today = dt.date.fromisoformat(TODAY)
    selection = RuleSelection.build()
    single = lint(kb, today, selection=selection, workers=1)
    forked = lint(kb, today, selection=selection, workers=3)
    assert single.files_checked == forked.files_checked == COUNT
    assert rows(single.findings) == rows(forked.findings)
    in_process = lint(load_knowledge_base(config), today, selection=selection, cwd=big_kb)
    assert rows(in_process.findings) == rows(single.findings)
    codes = single.by_code()
    # Every cross-file fact is exercised: ids, anchors, files, related ids, ownership.
    assert codes["FM010"] == 2 * (COUNT // 50)
    assert codes["LN002"] == len([i for i in range(COUNT) if i % 37 == 0 and i % 41])
    assert codes["LN001"] == len(range(0, COUNT, 41))
    # related ids that do not exist: KB-9999, and the ids given up by the repeated ones
    missing = [i for i in range(COUNT) if i % 43 == 0 or (i + 1) % COUNT % 50 == 49]
    assert codes["LN004"] == len(missing)
    assert codes["OW003"] == len(range(0, COUNT, 31)) and codes["ST003"] > 0


@pytest.mark.parametrize("workers", ["1", "2", "4"])
def test_cli_output_is_the_same_with_any_worker_count(
    big_kb: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    monkeypatch.setenv("KBTOOL_WORKERS", "1")
    expected = run_cli("--today", TODAY, "lint").output
    monkeypatch.setenv("KBTOOL_WORKERS", workers)
    result = run_cli("--today", TODAY, "lint")
    assert result.exit_code == 1
    assert result.output == expected
    assert f"{COUNT} files checked" in expected
    assert "FM010 id 'KB-0048' is also used by d4/g0049.md" in expected


def test_targets_in_workers_see_the_whole_knowledge_base(
    big_kb: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KBTOOL_WORKERS", "2")
    result = run_cli("--today", TODAY, "lint", "procedures/d4/g0049.md", "procedures/d1")
    output = result.output
    assert f"{COUNT // 5 + 1} files checked" in output
    assert "procedures/d4/g0049.md:2:1: FM010 id 'KB-0048' is also used by d3/g0048.md" in output
    assert all(
        line.startswith(("procedures/d4/g0049.md", "procedures/d1/"))
        for line in output.splitlines()[:-1]
    )


@pytest.mark.parametrize(
    ("path", "cwd", "expected"),
    [
        ("/kb/procedures/a.md", "/kb", "procedures/a.md"),
        ("/kb/procedures/a.md", "/kb/procedures", "a.md"),
        ("/kb/procedures/a.md", "/kb/other", "../procedures/a.md"),
        ("/kbx/a.md", "/kb", "../kbx/a.md"),
    ],
)
def test_display_path(path: str, cwd: str, expected: str) -> None:
    assert display_path(path, cwd) == expected


def test_select_targets(kb_root: Path) -> None:
    config = load_config(cwd=kb_root)
    kb = load_knowledge_base(config, load=False)
    main = kb_root / "procedures" / "email" / "outlook-profile.md"
    assert select_targets(kb.files, [Path("procedures/email")]) == {main}
    assert select_targets(kb.files, [Path("procedures")]) == {main}
    assert select_targets(kb.files, [main]) == {main}
    with pytest.raises(UsageError, match="no such file or folder: nope"):
        select_targets(kb.files, [Path("nope")])


def test_one_entry_point_reports_the_walk_as_asked(kb_root: Path, tmp_path_factory) -> None:
    """`lint` reports the entries the walk refused with the procedures' findings: all of them,
    those under the paths named, none when only changed files are asked for."""
    outside = tmp_path_factory.mktemp("elsewhere") / "secret.md"
    outside.write_text("---\nid: KB-0999\n---\n")
    procedures = kb_root / "procedures"
    (procedures / "network").mkdir()
    (procedures / "network" / "link.md").symlink_to(outside)
    config = load_config(cwd=kb_root)
    today = dt.date.fromisoformat(TODAY)
    selection = RuleSelection.build()
    link = "procedures/network/link.md"

    def codes(result: object) -> list[tuple[str, str]]:
        return [(f.path, f.code) for f in result.findings]  # type: ignore[attr-defined]

    for kb in (load_knowledge_base(config, load=False), load_knowledge_base(config)):
        everything = lint(kb, today, selection=selection)
        assert codes(everything) == [(link, "FI008")] and everything.files_checked == 1
        named = lint(kb, today, selection=selection, paths=[Path("procedures/network")])
        assert codes(named) == [(link, "FI008")] and named.files_checked == 0
        other = lint(kb, today, selection=selection, paths=[Path("procedures/email")])
        assert codes(other) == [] and other.files_checked == 1
        changed = lint(kb, today, selection=selection, only=set())
        assert codes(changed) == [] and changed.files_checked == 0
    quiet = lint(kb, today, selection=RuleSelection.build(ignore=["FI008"]))
    assert codes(quiet) == []
