"""Search reads the dialects of `[dialect]` as the site shows them: an include's words are
found in the procedures that include it, and no directive syntax is indexed or shown."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from kbtool.model.config import load_config
from kbtool.model.knowledge_base import load_knowledge_base
from kbtool.search.schema import TEXT_FIELD, document
from tests.conftest import BODY, TODAY, RunCli, procedure, write_procedure

DIALECTS = 'exclude = ["includes/*"]\n[dialect]\nalerts = true\nincludes = true\nimages = true\n'

LEARN_BODY = BODY.replace(
    "## Escalation",
    "> [!IMPORTANT]\n> Back up the quarantine mailbox first.\n\n"
    "[!INCLUDE [Disclaimer](../includes/zebra.md)]\n\n"
    ':::image type="content" source="media/shot.png" alt-text="Screenshot of the gizmo pane.":::'
    "\n\n## Escalation",
)


@pytest.fixture
def learn_kb(kb_root: Path) -> Path:
    write_procedure(kb_root, "email/learn.md", procedure({"id": "KB-0100"}, body=LEARN_BODY))
    write_procedure(
        kb_root, "includes/zebra.md", "Zebracorn appliances are supported by their vendor.\n"
    )
    (kb_root / "kbtool.toml").write_text(DIALECTS, encoding="utf-8")
    return kb_root


def test_the_index_holds_included_words_and_no_directive_syntax(learn_kb: Path) -> None:
    kb = load_knowledge_base(load_config(cwd=learn_kb))
    learn = next(p for p in kb.procedures if p.rel_path == "email/learn.md")
    text = document(learn, kb.config)[TEXT_FIELD]
    assert "Zebracorn appliances" in text
    assert "Screenshot of the gizmo pane" in text
    for syntax in ("[!INCLUDE", "[!IMPORTANT]", ":::image", "alt-text", "zebra.md", "IMPORTANT"):
        assert syntax not in text
    # Without the configuration (as before dialects), the syntax is what it was: text.
    assert "zebra.md" not in document(learn)[TEXT_FIELD]  # link targets are never indexed
    assert "Zebracorn" not in document(learn)[TEXT_FIELD]


def test_an_include_is_found_through_the_procedure(learn_kb: Path, run_cli: RunCli) -> None:
    result = run_cli("--today", TODAY, "search", "zebracorn", "appliances", "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["results"]
    assert [hit["path"] for hit in hits] == ["email/learn.md"]
    snippet = hits[0]["snippet"]
    assert "**Zebracorn**" in snippet and "[!INCLUDE" not in snippet


@pytest.mark.parametrize("words", [["quarantine", "mailbox"], ["gizmo", "pane"]])
def test_snippets_never_show_directive_syntax(
    learn_kb: Path, run_cli: RunCli, words: list[str]
) -> None:
    result = run_cli("--today", TODAY, "search", *words, "--json")
    assert result.exit_code == 0, result.output
    snippet = json.loads(result.stdout)["results"][0]["snippet"]
    assert f"**{words[0]}**" in snippet.lower()
    for syntax in ("[!", ":::", "alt-text", "source="):
        assert syntax not in snippet


def test_turning_a_dialect_on_rebuilds_the_index(learn_kb: Path, run_cli: RunCli) -> None:
    (learn_kb / "kbtool.toml").write_text('exclude = ["includes/*"]\n', encoding="utf-8")
    assert run_cli("index").exit_code == 0
    assert run_cli("--today", TODAY, "search", "zebracorn", "--as-typed").exit_code == 1
    (learn_kb / "kbtool.toml").write_text(DIALECTS, encoding="utf-8")
    again = run_cli("index")
    assert "configuration changed" in again.output
    assert run_cli("--today", TODAY, "search", "zebracorn", "--as-typed").exit_code == 0


def test_show_reads_the_dialects_too(learn_kb: Path, run_cli: RunCli) -> None:
    step_include = LEARN_BODY.replace(
        "2. Start it with", "2. [!INCLUDE [Restart](../includes/zebra.md)]\n3. Start it with"
    )
    write_procedure(learn_kb, "email/learn.md", procedure({"id": "KB-0100"}, body=step_include))
    result = run_cli("--today", TODAY, "show", "KB-0100", "--json")
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    assert card["steps"][1] == "Zebracorn appliances are supported by their vendor."
    assert "[!INCLUDE" not in result.stdout


def test_editing_an_include_reindexes_the_procedures_including_it(
    learn_kb: Path, run_cli: RunCli
) -> None:
    assert run_cli("index").exit_code == 0
    include = learn_kb / "procedures" / "includes" / "zebra.md"
    include.write_text("Quagganite appliances are supported by their vendor.\n", encoding="utf-8")
    os.utime(include, ns=(time.time_ns() + 5_000_000_000,) * 2)  # a later time, whatever the fs
    # The next search sees the change by itself, as for an edited procedure.
    result = run_cli("--today", TODAY, "search", "quagganite", "--as-typed", "--json")
    assert result.exit_code == 0, result.output
    assert [hit["path"] for hit in json.loads(result.stdout)["results"]] == ["email/learn.md"]
    assert run_cli("--today", TODAY, "search", "zebracorn", "--as-typed").exit_code == 1
    assert run_cli("index").output.startswith("index up to date")
