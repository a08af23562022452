"""The scheduled job's feedback issues: one per procedure with open feedback, updated in
place, never duplicated, closed once reviewed; agents' text inert in the issue."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from kbtool.events import Event, open_store
from kbtool.model.config import load_config
from tests.conftest import TODAY
from tests.workflow.test_feedback import EVENTS, at

REPO = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    path = REPO / ".github/scripts/kb_feedback_issues.py"
    spec = importlib.util.spec_from_file_location("kb_feedback_issues", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _feedback_json(root: Path) -> dict[str, Any]:
    """The job's own command, run for real."""
    subprocess.run(
        [sys.executable, "-m", "kbtool", "--today", TODAY, "feedback", "--format", "json",
         "-o", "feedback.json"],
        cwd=root,
        check=True,
    )  # fmt: skip
    return json.loads((root / "feedback.json").read_text())


def _add(root: Path, events: list[Event]) -> None:
    store = open_store(load_config(cwd=root))
    store.add(events)
    store.close()


def test_feedback_issues_are_created_updated_and_closed(mixed_kb: Path) -> None:
    script = _script()
    _add(mixed_kb, EVENTS)
    first = script.plan(_feedback_json(mixed_kb), [])
    assert [(a.kind, a.procedure_id) for a in first] == [
        ("create", "KB-0001"),
        ("create", "KB-0003"),
        ("create", "KB-0006"),
    ]  # not the unknown KB-9999, which has nobody to file it for
    one = first[0]
    assert one.title == "kb-feedback: KB-0001 All fine"
    assert one.assignees == ["janedoe", "alansmith"]
    assert "- 2026-10-20, problem: wrong step: Step 2" in one.body
    assert "`kbtool review KB-0001`" in one.body

    issues = [{"number": n, "title": a.title, "body": a.body} for n, a in enumerate(first, 1)]
    issues.append({"number": 9, "title": "kb-feedback: KB-0001 a duplicate", "body": ""})
    assert script.plan(_feedback_json(mixed_kb), issues) == []

    hostile = "@everyone <img src=x onerror=alert(1)> [click](http://evil) **now**"
    _add(mixed_kb, [Event("problem_report", "site", time=at(30), procedure="KB-0003",
                          category="unclear", text=hostile)])  # fmt: skip
    later = script.plan(_feedback_json(mixed_kb), issues)
    assert [(a.kind, a.procedure_id, a.number) for a in later] == [("update", "KB-0003", 2)]
    body = later[0].body
    assert "\\@everyone \\<img src=x onerror=alert\\(1\\)\\>" in body
    import re

    assert not re.search(r"(?<!\\)[<\[*@]", body.split("\n")[2])  # each one escaped

    path = mixed_kb / "procedures/email/fine.md"
    path.write_text(path.read_text().replace("reviewed: 2026-10-01", "reviewed: 2026-10-31"))
    after = script.plan(_feedback_json(mixed_kb), issues)
    assert ("close", "KB-0001", 1) in [(a.kind, a.procedure_id, a.number) for a in after]


def test_the_freshness_workflow_files_feedback_before_failing() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/kb-freshness.yml").read_text())
    steps = next(iter(workflow["jobs"].values()))["steps"]
    runs = [s.get("run", "") for s in steps]
    step = next(s for s in steps if "kb_feedback_issues.py feedback.json" in s.get("run", ""))
    assert "kbtool feedback --format json -o feedback.json" in step["run"]
    assert step["if"] == "env.KBTOOL_EVENTS_URL != ''"
    assert workflow["env"]["KBTOOL_EVENTS_URL"] == "${{ secrets.KBTOOL_EVENTS_URL }}"
    assert "kbtool stale" in runs[-1] and "--fail" in runs[-1]  # last: issues filed first
