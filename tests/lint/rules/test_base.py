"""The context rules see: its facts are read-only, its memo computes each value once."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from kbtool.lint.engine import check_procedures, kb_facts
from kbtool.lint.rules import LintContext
from kbtool.lint.selection import RuleSelection
from kbtool.model.config import load_config
from kbtool.model.knowledge_base import load_knowledge_base
from kbtool.model.procedure import Procedure
from tests.conftest import BODY, TODAY, procedure, write_procedure


def context_of(root: Path) -> tuple[LintContext, list[Procedure]]:
    kb = load_knowledge_base(load_config(cwd=root))
    facts = kb_facts(kb.procedures)
    return LintContext(kb.config, kb.roster, dt.date.fromisoformat(TODAY), *facts), list(
        kb.procedures
    )


def test_the_facts_cannot_be_replaced(kb_root: Path) -> None:
    context, _ = context_of(kb_root)
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.today = dt.date(2030, 1, 1)  # type: ignore[misc]


def test_every_rule_leaves_the_facts_as_they_were(kb_root: Path) -> None:
    """Rules only read the facts and write to the memo (links resolved, files read on demand,
    review states): the whole registry over procedures that exercise every family."""
    (kb_root / "procedures" / "notes.md").write_text("# Notes\n\n## Printers\n")
    links = "\nSee [notes](../notes.md#printers), [gone](gone.md), [me](#symptoms).\n"
    write_procedure(kb_root, "email/second.md", procedure({"id": "KB-0002"}, body=BODY + links))
    write_procedure(kb_root, "email/third.md", procedure({"id": "kb-0002", "owner": "gone"}))
    context, procedures = context_of(kb_root)
    before = (copy.deepcopy(dict(context.ids)), copy.deepcopy(dict(context.anchors)))
    findings = check_procedures(procedures, context, RuleSelection.build(), kb_root)
    assert {"LN001", "FM010", "OW003"} <= {f.code for f in findings}
    assert (dict(context.ids), dict(context.anchors)) == before


def test_memo_computes_once_per_procedure_and_name(kb_root: Path) -> None:
    context, procedures = context_of(kb_root)
    calls: list[str] = []

    def compute(p: Procedure, suffix: str) -> str:
        calls.append(p.rel_path)
        return p.rel_path + suffix

    first = procedures[0]
    other = Procedure(path=kb_root / "x.md", rel_path="x.md")
    assert context.memo("name", first, compute, "!") == "email/outlook-profile.md!"
    assert context.memo("name", first, compute, "?") == "email/outlook-profile.md!"  # memoised
    assert context.memo("other", first, compute, "?") == "email/outlook-profile.md?"
    assert context.memo("name", other, compute, "!") == "x.md!"
    assert calls == ["email/outlook-profile.md", "email/outlook-profile.md", "x.md"]
    read: list[str] = []
    for _ in range(3):
        assert context.memo_path("size", "/a", lambda p: read.append(p) or len(p)) == 2
    assert read == ["/a"]
