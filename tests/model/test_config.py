"""Configuration: discovery upwards, --config, and validation that names the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.core.errors import ConfigError
from kbtool.model.config import CONFIG_FILENAME, find_config_file, load_config


def test_defaults_without_any_file(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path)
    assert config.source is None and config.root == tmp_path.resolve()
    assert config.procedures_dir == tmp_path.resolve() / "procedures"
    assert config.roster_path == config.procedures_dir / "roster.yml"
    assert config.review_interval(None) == 180 and config.state_dir == config.root / ".kbtool"
    assert not config.site.allow_raw_html  # procedure bodies are sanitised unless asked


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_kbtool_toml_is_found_upwards(tmp_path: Path, depth: int) -> None:
    (tmp_path / CONFIG_FILENAME).write_text('procedures = "kb"\n[review]\nevery = 90\n')
    start = tmp_path.joinpath(*["sub"] * depth)
    start.mkdir(parents=True, exist_ok=True)
    config = load_config(cwd=start)
    assert config.source == tmp_path / CONFIG_FILENAME
    assert config.procedures_dir == tmp_path / "kb" and config.review_every == 90


def test_pyproject_tool_table_is_found(tmp_path: Path) -> None:
    pyproject = '[project]\nname = "x"\n[tool.kbtool]\nexclude = ["a/*"]\n'
    (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / "docs").mkdir()
    config = load_config(cwd=tmp_path / "docs")
    assert config.source == tmp_path / "pyproject.toml" and config.exclude == ("a/*",)


def test_pyproject_without_tool_table_is_skipped(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILENAME).write_text("[review]\nevery = 30\n")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config_file(inner) == tmp_path / CONFIG_FILENAME


def test_nearest_file_wins(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILENAME).write_text("[review]\nevery = 30\n")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / CONFIG_FILENAME).write_text("[review]\nevery = 60\n")
    assert load_config(cwd=inner).review_every == 60


def test_explicit_config_file_wins_and_paths_are_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILENAME).write_text("[review]\nevery = 30\n")
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "custom.toml").write_text('procedures = "p"\nroster = "people.yml"\n')
    config = load_config(config_file=other / "custom.toml", cwd=tmp_path)
    assert config.review_every == 180
    assert config.procedures_dir == other / "p" and config.roster_path == other / "people.yml"
    assert config.roster_explicit


def test_procedures_option_is_relative_to_cwd(tmp_path: Path) -> None:
    config = load_config(procedures=Path("any/folder"), cwd=tmp_path)
    assert config.procedures_dir == tmp_path / "any" / "folder"
    assert config.roster_path == tmp_path / "any" / "folder" / "roster.yml"


def test_full_valid_configuration(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILENAME).write_text(
        """
procedures = "kb"
roster = "kb/people.yml"
exclude = ["drafts/*"]
max_file_bytes = 5000
[fields]
id_pattern = "DOC-\\\\d+"
required = ["id", "title"]
required_when_published = ["summary"]
extra = ["ms.topic"]
aliases = {owner = "ms.author", reviewed = "ms.date"}
services = ["Email", "Network"]
date_formats = ["%m/%d/%Y"]
[review]
every = 90
due_soon = 0
by_service = {Email = 30}
[structure]
required_sections = ["Symptoms"]
steps_section = "Steps"
[lint]
select = ["FM", "OW001"]
ignore = ["FM008"]
severity = {FR002 = "info", OW = "warning"}
per_file_ignores = {"legacy/**" = ["ST"]}
[search]
log_misses = false
synonyms = "syn.yml"
[site]
allow_raw_html = true
[events]
enabled = false
url = "postgresql://kb@db.example/kbtool"
keep_days = 30
"""
    )
    c = load_config(cwd=tmp_path)
    assert c.events.url == "postgresql://kb@db.example/kbtool"
    assert not c.events.enabled and c.events.keep_days == 30
    assert c.id_regex.fullmatch("DOC-12") and c.required_fields == ("id", "title")
    assert c.aliases == {"owner": "ms.author", "reviewed": "ms.date"}
    assert c.source_key("owner") == "ms.author" and c.source_key("title") == "title"
    assert c.review_interval("Email") == 30 and c.review_interval("Network") == 90
    assert c.due_soon_days == 0 and c.steps_section == "Steps"
    assert c.lint.select == ("FM", "OW001")
    assert c.lint.severity == {"FR002": "info", "OW": "warning"}
    assert c.lint.per_file_ignores == {"legacy/**": ("ST",)}
    assert not c.search.log_misses and c.search.synonyms == "syn.yml"
    assert c.site.allow_raw_html
    assert c.max_file_bytes == 5000 and c.exclude == ("drafts/*",)


# (TOML text, the key the error must name, another fragment)
BAD = [
    ("[events]\nurl = 'mysql://x/y'", "'events.url'", "postgresql:// URL"),
    ("[events]\nurl = 5", "'events.url'", "must be a string"),
    ("[events]\nkeep_days = 0", "'events.keep_days'", "positive whole number"),
    ("[events]\nkeep_days = 99999", "'events.keep_days'", "at most 36500"),
    ("[events]\nenabled = 'no'", "'events.enabled'", "true or false"),
    ("[events]\nkeepdays = 3", "'events.keepdays'", "did you mean 'keep_days'"),
    ("colour = 1", "'colour'", "unknown key"),
    ("procedure = 'x'", "'procedure'", "did you mean 'procedures'"),
    ("procedures = ''", "'procedures'", "non-empty string"),
    ("procedures = 3", "'procedures'", "non-empty string"),
    ("exclude = 'a/*'", "'exclude'", "list of non-empty strings"),
    ("max_file_bytes = 0", "'max_file_bytes'", "positive whole number"),
    ("max_file_bytes = true", "'max_file_bytes'", "positive whole number"),
    ("fields = 3", "[fields]", "must be a table"),
    ("[fields]\nid_patern = 'x'", "'fields.id_patern'", "did you mean 'id_pattern'"),
    ("[fields]\nid_pattern = '(unclosed'", "'fields.id_pattern'", "not a valid regular"),
    ("[fields]\nrequired = ['id', 'titel']", "'fields.required'", "did you mean 'title'"),
    ("[fields]\nrequired_when_published = 'summary'", "'fields.required_when_published'", "list"),
    ("[fields]\naliases = {onwer = 'ms.author'}", "'fields.aliases'", "did you mean 'owner'"),
    ("[fields]\naliases = {owner = 3}", "'fields.aliases'", "must map to a front-matter key"),
    ("[fields]\naliases = ['x']", "'fields.aliases'", "table"),
    ("[fields]\ndate_formats = ['MM/DD/YYYY']", "'fields.date_formats'", "strftime"),
    ("[review]\nevery = -1", "'review.every'", "positive"),
    ("[review]\nevery = 1.5", "'review.every'", "whole number"),
    ("[review]\ndue_soon = -1", "'review.due_soon'", "0 or more"),
    ("[review]\nby_service = {Email = 0}", "'review.by_service.Email'", "positive"),
    ("[review]\nby_service = 30", "'review.by_service'", "table of service = days"),
    ("[structure]\nsteps_section = ''", "'structure.steps_section'", "non-empty"),
    ("[lint]\nseverity = {FR001 = 'fatal'}", "'lint.severity'", "'fatal' is not one of"),
    ("[lint]\nper_file_ignores = {'a/*' = 'ST'}", "'lint.per_file_ignores.a/*'", "list"),
    ("[search]\nlog_misses = 'yes'", "'search.log_misses'", "true or false"),
    ("[site]\nallow_raw_html = 'yes'", "'site.allow_raw_html'", "true or false"),
    ("[site]\nallow_raw = true", "'site.allow_raw'", "did you mean 'allow_raw_html'"),
    ("site = true", "[site]", "must be a table"),
]


@pytest.mark.parametrize(("toml", "key", "fragment"), BAD, ids=[b[1] for b in BAD])
def test_bad_key_or_value_names_the_key(tmp_path: Path, toml: str, key: str, fragment: str) -> None:
    (tmp_path / CONFIG_FILENAME).write_text(toml + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(cwd=tmp_path)
    message = info.value.located()
    assert key in message and fragment in message, message
    assert message.startswith(str(tmp_path / CONFIG_FILENAME))


def test_rule_codes_are_read_not_judged(tmp_path: Path) -> None:
    """Which codes exist is for the lint layer to say (tests/lint/test_selection.py): the
    model, below it, cannot know the rules."""
    (tmp_path / CONFIG_FILENAME).write_text(
        "[lint]\nselect = ['XY999']\nseverity = {XY = 'info'}\n"
        "per_file_ignores = {'a/*' = ['QQ']}\n"
    )
    lint = load_config(cwd=tmp_path).lint
    assert lint.select == ("XY999",) and lint.severity == {"XY": "info"}
    assert lint.per_file_ignores == {"a/*": ("QQ",)} and lint.names_codes


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        (b"a = [\n", None, "invalid TOML"),
        (b"x = 1\ny = = 2\n", 2, "invalid TOML"),
        (b"\xff\xfe", None, "not valid UTF-8"),
    ],
)
def test_unparsable_file(tmp_path: Path, content: bytes, line: int | None, fragment: str) -> None:
    (tmp_path / CONFIG_FILENAME).write_bytes(content)
    with pytest.raises(ConfigError) as info:
        load_config(cwd=tmp_path)
    assert fragment in info.value.message and info.value.line == line
    assert info.value.path == str(tmp_path / CONFIG_FILENAME)


def test_missing_explicit_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(config_file=tmp_path / "nope.toml", cwd=tmp_path)


def test_tool_kbtool_must_be_a_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool]\nkbtool = 3\n")
    with pytest.raises(ConfigError, match=r"\[tool.kbtool\] must be a table"):
        load_config(config_file=tmp_path / "pyproject.toml", cwd=tmp_path)


def test_state_dir_falls_back_to_the_user_cache_when_the_root_cannot_be_written(
    kb_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import kbtool.model.config as config_module

    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    assert load_config(cwd=kb_root).state_dir == kb_root / ".kbtool"
    real_access = os.access

    def read_only_root(path, mode):  # noqa: ANN001, ANN202 - as on a read-only share
        if Path(path) == kb_root and mode & os.W_OK:
            return False
        return real_access(path, mode)

    monkeypatch.setattr(config_module.os, "access", read_only_root)
    fallback = load_config(cwd=kb_root).state_dir
    assert fallback.parent == cache / "kbtool" and fallback.name.startswith(kb_root.name + "-")
    other = tmp_path / "other"
    (other / "procedures").mkdir(parents=True)
    (other / "kbtool.toml").write_text("", encoding="utf-8")
    monkeypatch.setattr(config_module.os, "access", lambda path, mode: False)
    assert load_config(cwd=other).state_dir != fallback  # one folder per knowledge base
