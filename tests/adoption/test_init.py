"""`kbtool init`: an existing folder of Markdown adopted without rewriting it; and the
did-you-mean of unknown keys at that scale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbtool.model.config import load_config
from kbtool.model.keys import typo_of
from kbtool.model.roster import load_roster
from kbtool.workflow.adopt import detect_date_format
from tests.conftest import RunCli

ARTICLE = """\
---
title: {title}
description: {title} and what to do about it.
ms.author: {author}
author: gh-{author}
ms.date: {date}
ms.reviewer: {reviewer}
audience: ITPro
ms.topic: troubleshooting
---

# {title}

Some text.
"""


@pytest.fixture
def articles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """30 articles in two folders, the Learn way: ms.author, US dates, their own audience."""
    for number in range(30):
        folder = "exchange" if number < 20 else "sharepoint"
        author = "meerak" if number % 3 else "v-lanac"
        text = ARTICLE.format(
            title=f"Problem {number}",
            author=author,
            date=f"{1 + number % 12:02d}/{13 + number % 15:02d}/2023",
            reviewer="someone",
        )
        if number == 7:
            text = text.replace("ms.reviewer:", "ms.reviwer:")  # a typo in one file
        if number < 3:
            text = text.replace("ms.topic:", "ms.service: exchange-online\nms.topic:")
        path = tmp_path / "articles" / folder / f"a{number:02d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for number in range(3):  # snippets for inclusion, without front matter
        snippet = tmp_path / "articles" / "exchange" / "includes" / f"note-{number}.md"
        snippet.parent.mkdir(parents=True, exist_ok=True)
        snippet.write_text("> Note: a shared paragraph.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_dry_run_reports_the_keys_and_writes_nothing(articles: Path, run_cli: RunCli) -> None:
    result = run_cli("init", "--from", "articles", "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "33 Markdown files in" in out and "30 with front matter" in out
    assert "No front matter in exchange/includes/ (3 files)" in out
    assert '# exclude = ["exchange/includes/*.md"]' in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert lines["ms.author"].split()[1:3] == ["30", "owner"]
    assert lines["ms.reviewer"].split()[1:3] == ["29", "extra"]
    assert "likely a typo of 'ms.reviewer'" in lines["ms.reviwer"]
    assert "  owner <- ms.author" in out and "  reviewed <- ms.date" in out
    assert "  summary <- description" in out
    assert "30 of 30 dates read as %m/%d/%Y" in out
    # on 3 files of 30, ms.service is no service catalogue: folders get one from [[defaults]]
    assert (
        "on too few files to be the service: give folders one with [[defaults]]"
        in (lines["ms.service"])
    )
    assert "service <-" not in out
    assert '# [[defaults]]  # 23 files\n# path = "exchange/**"\n# service = "..."' in out
    assert "--- kbtool.toml (not written: --dry-run) ---" in out
    assert not (articles / "kbtool.toml").exists() and not (articles / "roster.yml").exists()


def test_init_writes_a_configuration_that_loads_and_a_roster_of_the_authors(
    articles: Path, run_cli: RunCli
) -> None:
    result = run_cli("init", "--from", "articles")
    assert result.exit_code == 0, result.output
    assert "wrote kbtool.toml and roster.yml" in result.stdout
    config = load_config(cwd=articles)
    assert config.procedures_dir == articles / "articles"
    assert config.aliases == {
        "owner": "ms.author",
        "reviewed": "ms.date",
        "summary": "description",
        "audience": "kbtool.audience",
    }
    assert config.date_formats == ("%m/%d/%Y",)
    assert {"ms.reviewer", "author", "audience", "ms.topic"} <= set(config.extra_fields)
    assert "ms.reviwer" not in config.extra_fields  # left for lint to report
    assert config.required_fields == ("title", "owner") and config.id_pattern == ".+"
    assert config.required_sections == () and config.exclude == ()  # proposed, commented
    roster = load_roster(config.roster_path)
    assert list(roster.people) == ["meerak", "v-lanac"]  # busiest first
    # the files read through the aliases: the owner is ms.author, the date a US date
    lint = run_cli("--today", "2024-01-01", "lint", "--format", "json")
    findings = json.loads(lint.stdout)["findings"]
    codes = {f["code"] for f in findings}
    assert "OW001" not in codes and "FR004" not in codes and "FM013" not in codes, codes
    unknown = [f for f in findings if f["code"] == "FM008"]
    assert [f["message"] for f in unknown] == [
        "unknown key 'ms.reviwer'; did you mean 'ms.reviewer'?"
    ]
    # the whole path of adoption: a baseline, then CI is green
    assert run_cli("lint", "--baseline", "b.json", "--update-baseline").exit_code == 0
    assert run_cli("lint", "--baseline", "b.json").exit_code == 0


HOSTILE_ARTICLE = """\
---
"ms.author": "jd\\u202eoe\\x9b2J"
"ms.date": "2024-01-01"
"k\\x9bey": 1
"a = 1\\n[evil]\\nb": 2
---

# Hostile
"""


def test_init_writes_no_character_lint_refuses_and_prints_keys_on_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: RunCli
) -> None:
    """Owners and keys with C1 controls, bidirectional overrides or line breaks (escaped in
    the front matter): the roster and kbtool.toml hold their escapes, never the characters."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.md").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_cli("init", "--from", "articles")
    assert result.exit_code == 0, result.output
    assert '  "a = 1\\n[evil]\\nb"  ' in result.stdout and "\n[evil]" not in result.stdout
    for name in ("roster.yml", "kbtool.toml"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "\x9b" not in text and "\u202e" not in text, text
    assert '"jd\\u202eoe\\u009b2J":' in (tmp_path / "roster.yml").read_text(encoding="utf-8")
    assert list(load_roster(tmp_path / "roster.yml").people) == ["jd\u202eoe\x9b2J"]
    assert "k\x9bey" in load_config(cwd=tmp_path).extra_fields
    lint = run_cli("lint")
    assert lint.exit_code == 1, lint.output  # findings, not a roster that cannot be read
    assert "FM012" in lint.output


def test_files_whose_front_matter_cannot_be_read_are_named_with_their_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: RunCli
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.md").write_text("---\ntitle: Good\nowner: jdoe\n---\n# Good\n", "utf-8")
    (folder / "broken.md").write_text("---\ntitle: [oops\nowner: x\n---\n# B\n", "utf-8")
    for number in range(12):
        (folder / f"dup-{number:02d}.md").write_text("---\na: 1\na: 2\n---\n# D\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_cli("init", "--from", "articles", "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "1 with front matter, 13 whose front matter cannot be read" in lines[0]
    assert lines[1].startswith("  broken.md:2: invalid YAML")
    assert lines[2].startswith("  dup-00.md:3: ") and "a" in lines[2]
    assert lines[10].startswith("  dup-08.md:")
    assert lines[11] == "  ... and 3 more (kbtool lint)"


def test_a_folder_without_markdown_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: RunCli
) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    result = run_cli("init", "--from", "empty")
    assert result.exit_code == 2 and "no Markdown files in empty: nothing to adopt" in result.output
    assert not (tmp_path / "kbtool.toml").exists() and not (tmp_path / "roster.yml").exists()


def test_init_never_overwrites(articles: Path, run_cli: RunCli) -> None:
    (articles / "kbtool.toml").write_text("# mine\n", encoding="utf-8")
    result = run_cli("init", "--from", "articles")
    assert result.exit_code == 0
    assert "kbtool.toml exists: left as it is" in result.stdout
    assert (articles / "kbtool.toml").read_text("utf-8") == "# mine\n"
    assert (articles / "roster.yml").exists()
    again = run_cli("init", "--from", "articles")
    assert again.exit_code == 2 and "nothing written" in again.output


@pytest.mark.parametrize(
    ("values", "fmt", "note"),
    [
        (["12/17/2023", "01/02/2024"], "%m/%d/%Y", "2 of 2 dates read as %m/%d/%Y"),
        (["17/12/2023", "01/02/2024"], "%d/%m/%Y", "2 of 2"),
        (["01/02/2024"], "%m/%d/%Y", "month-first assumed"),
        (["2024-01-02"], "%Y-%m-%d", "1 of 1"),
        (["17.12.2023"], "%d.%m.%Y", "1 of 1"),
        (["March 3, 2024"], "%B %d, %Y", "1 of 1"),
        (["soon"], None, "no known date format fits"),
    ],
)
def test_the_date_format_is_read_from_the_values(
    values: list[str], fmt: str | None, note: str
) -> None:
    found, said = detect_date_format(values)
    assert found == fmt and note in said


@pytest.mark.parametrize(
    ("key", "known", "expected"),
    [
        ("onwer", ["owner", "title"], "owner"),
        ("reviewd", ["reviewed"], "reviewed"),
        ("ms.reviwer", ["ms.reviewer", "reviewed"], "ms.reviewer"),
        ("ms.reviewer", ["reviewed", "review_every"], None),  # another namespace
        ("author", ["ms.author"], None),
        ("keyword", ["f1_keywords"], None),  # four letters away is no typo
        ("appiesto", ["appliesto"], "appliesto"),
        ("Title", ["title"], "title"),
    ],
)
def test_typos_at_scale(key: str, known: list[str], expected: str | None) -> None:
    assert typo_of(key, known) == expected


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("description", 'if it is the summary, map it: aliases = { summary = "description" }'),
        ("ms.reviewer", "unknown key 'ms.reviewer'; allow it with fields.extra"),
        ("author", "unknown key 'author'; if it is the owner, map it"),
    ],
)
def test_unknown_key_advice(kb_root: Path, run_cli: RunCli, key: str, message: str) -> None:
    from tests.conftest import procedure, write_procedure

    write_procedure(kb_root, "x.md", procedure({"id": "KB-0002", key: "something"}))
    result = run_cli("lint", "--select", "FM008")
    assert message in result.output, result.output


def test_a_foreign_audience_hints_aliasing(kb_root: Path, run_cli: RunCli) -> None:
    from tests.conftest import procedure, write_procedure

    write_procedure(kb_root, "x.md", procedure({"id": "KB-0002", "audience": "ITPro"}))
    result = run_cli("lint", "--select", "FM007")
    assert (
        "'audience' is 'ITPro'; use one of L1, L2, L3; if this knowledge base's 'audience' means "
        'something else, keep it with fields.extra = ["audience"] and read ours from another '
        'key: aliases = { audience = "kbtool.audience" }'
    ) in result.output


def test_init_adopts_the_learn_shaped_corpus_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: RunCli
) -> None:
    """What `kbtool init` proposes for tests/corpora/learn is enough for a green CI: the
    dialects it uses turned on, the snippets folder reported, lint green with a baseline."""
    import shutil

    corpus = Path(__file__).resolve().parents[1] / "corpora" / "learn"
    shutil.copytree(corpus, tmp_path / "articles")
    monkeypatch.chdir(tmp_path)
    result = run_cli("init", "--from", "articles")
    assert result.exit_code == 0, result.output
    assert "No front matter in includes/ (3 files)" in result.stdout
    assert "Dialects in use: alerts (" in result.stdout
    text = (tmp_path / "kbtool.toml").read_text("utf-8")
    assert "[dialect]\nalerts = true\nincludes = true\nimages = true\nno_loc = true\n" in text
    assert '# exclude = ["includes/*.md"]' in text and '# base_url = "https://..."' in text
    assert 'path = "includes/**"' not in text  # snippets get no [[defaults]] suggestion
    config = load_config(cwd=tmp_path)
    assert config.dialect.alerts and config.dialect.includes and config.dialect.images
    assert config.required_sections == ("Symptoms", "Resolution")
    before = run_cli("--today", "2025-07-01", "lint", "--format", "json")
    findings = json.loads(before.stdout)["findings"]
    codes = {f["code"] for f in findings}
    assert "OW001" not in codes and "FM013" not in codes and "LN009" not in codes, codes
    update = ["--today", "2025-07-01", "lint", "--baseline", "b.json", "--update-baseline"]
    assert run_cli(*update).exit_code == 0
    assert run_cli("--today", "2025-07-01", "lint", "--baseline", "b.json").exit_code == 0
