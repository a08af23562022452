"""Loading one procedure: bytes -> typed fields with lines, never raising for content."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kbtool.model.config import Config, load_config
from kbtool.model.procedure import Procedure, load_procedure, parse_date, parse_text

GOOD = (
    "---\nid: KB-0001\ntitle: Reset a password\nservice: Accounts\nowner: jdoe\n"
    "reviewed: 2026-10-01\ntags: [a, b]\n---\n\n# Reset\n\n## Resolution\n\n1. Do it.\n"
)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(cwd=tmp_path)


def parse(data: bytes | str, config: Config) -> Procedure:
    procedure = Procedure(path=Path("/kb/procedures/x.md"), rel_path="x.md")
    parse_text(procedure, data.encode("utf-8") if isinstance(data, str) else data, config)
    return procedure


def kinds(procedure: Procedure) -> list[tuple[str, int]]:
    return [(issue.kind, issue.line) for issue in procedure.issues]


def test_good_procedure(config: Config) -> None:
    p = parse(GOOD, config)
    assert p.issues == []
    assert (p.id, p.title, p.service) == ("KB-0001", "Reset a password", "Accounts")
    assert p.owner == "jdoe"
    assert p.reviewed == dt.date(2026, 10, 1) and p.tags == ["a", "b"]
    assert p.status == "published"  # the default
    assert p.line_of("owner") == 5 and p.line_of("tags") == 7
    assert p.front_matter_end_line == 8 and p.body_start_line == 9
    assert p.scan is not None and [h.line for h in p.scan.headings] == [10, 12]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"", [("empty", 1)], id="empty"),
        pytest.param(b" \n\t\n", [("empty", 1)], id="whitespace-only"),
        pytest.param(b"a\x00b", [("binary", 1)], id="nul"),
        pytest.param(b"---\ntitle: caf\xe9\n---\n", [("encoding", 2)], id="latin1"),
        pytest.param(b"\xef\xbb\xbf" + GOOD.encode(), [("bom", 1)], id="bom"),
        pytest.param(GOOD.replace("\n", "\r\n", 3).encode(), [("line-endings", 1)], id="mixed"),
        pytest.param("# Just a body\n", [("no-front-matter", 1)], id="missing"),
        pytest.param("---\nid: KB-0001\n", [("no-front-matter", 1)], id="unclosed"),
        pytest.param("---\n---\n", [("not-mapping", 1)], id="empty-front-matter"),
        pytest.param("---\n- a\n---\n", [("not-mapping", 2)], id="list"),
        pytest.param("---\nid: [x\n---\n", [("yaml", 2)], id="broken-yaml"),
        pytest.param("---\nid: a\n\tb: c\n---\n", [("yaml", 3)], id="tab"),
        pytest.param("---\nid: a\nid: b\n---\n", [("duplicate-key", 3)], id="duplicate"),
        pytest.param("---\nid: a\x1b\n---\n", [("control-chars", 2)], id="raw-control"),
        pytest.param('---\nid: "a\\u202eb"\n---\n', [("control-chars", 2)], id="escaped-bidi"),
        pytest.param("---\nid: a\u2066b\n---\n", [("control-chars", 2)], id="raw-isolate"),
        pytest.param("---\nreviewed: 2026-02-30\n---\n", [("bad-date", 2)], id="impossible"),
        pytest.param("---\nreviewed: 10/01/2026\n---\n", [("bad-date", 2)], id="us-date"),
        pytest.param("---\ntags: {a: 1}\n---\n", [("bad-type", 2)], id="tags-mapping"),
        pytest.param("---\ntitle: true\n---\n", [("bad-type", 2)], id="bool-title"),
        pytest.param("---\nstatus: Published\n---\n", [("bad-value", 2)], id="status-case"),
    ],
)
def test_problems_become_issues(
    data: bytes | str, expected: list[tuple[str, int]], config: Config
) -> None:
    assert kinds(parse(data, config)) == expected


def test_control_characters_are_removed_from_the_value(config: Config) -> None:
    p = parse('---\ntitle: "Reset \\u202egnp.exe"\ntags: ["a\\x07"]\n---\n', config)
    assert p.title == "Reset gnp.exe" and p.tags == ["a"]
    assert [i.kind for i in p.issues] == ["control-chars", "control-chars"]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(GOOD.replace("\n", "\r\n"), id="crlf"),
        pytest.param(GOOD.replace("\n", "\r"), id="cr"),
        pytest.param(GOOD.replace("---\n", "---  \n", 1), id="opener-with-spaces"),
        pytest.param(GOOD.replace("\n---\n\n#", "\n...\n\n#", 1), id="yaml-end-marker"),
    ],
)
def test_line_ending_variants_keep_lines(data: str, config: Config) -> None:
    p = parse(data, config)
    assert p.issues == [] and p.line_of("owner") == 5
    assert p.scan is not None and [h.line for h in p.scan.headings] == [10, 12]


def test_body_after_yaml_error_is_still_scanned(config: Config) -> None:
    p = parse("---\nid: [x\n---\n\n## Resolution\n", config)
    assert p.scan is not None and p.scan.sections[0].line == 5


@pytest.mark.parametrize("value", ["no", "on", "off", "yes", "NO"])
def test_yaml_11_booleans_stay_strings(value: str, config: Config) -> None:
    p = parse(f"---\nservice: {value}\ntags: [{value}]\n---\n", config)
    assert p.service == value and p.tags == [value] and p.issues == []


@pytest.mark.parametrize(
    ("value", "formats", "expected"),
    [
        (dt.date(2026, 1, 2), ("%Y-%m-%d",), dt.date(2026, 1, 2)),
        (dt.datetime(2026, 1, 2, 9, 30), ("%Y-%m-%d",), dt.date(2026, 1, 2)),
        ("2026-01-02", ("%m/%d/%Y",), dt.date(2026, 1, 2)),  # ISO always accepted
        ("01/02/2026", ("%m/%d/%Y",), dt.date(2026, 1, 2)),
        ("01/02/2026", ("%d/%m/%Y",), dt.date(2026, 2, 1)),
        (" 1/2/2026 ", ("%m/%d/%Y",), dt.date(2026, 1, 2)),
        ("March 4, 2026", ("%B %d, %Y",), dt.date(2026, 3, 4)),
    ],
)
def test_parse_date(value: object, formats: tuple[str, ...], expected: dt.date) -> None:
    assert parse_date(value, formats) == expected


@pytest.mark.parametrize("value", ["13/01/2026", "soon", 20261001, None, ["2026-01-01"]])
def test_parse_date_refuses_with_an_example(value: object) -> None:
    with pytest.raises(ValueError, match="expected e.g. 10/01/2026"):
        parse_date(value, ("%m/%d/%Y",))


def test_aliases_with_dotted_keys(tmp_path: Path) -> None:
    (tmp_path / "kbtool.toml").write_text(
        '[fields.aliases]\nowner = "ms.author"\nreviewed = "ms.date"\n'
        '[fields]\ndate_formats = ["%m/%d/%Y"]\n'
    )
    config = load_config(cwd=tmp_path)
    p = parse("---\ntitle: T\nms.author: jdoe\nms.date: 10/01/2026\n---\n", config)
    assert p.owner == "jdoe" and p.reviewed == dt.date(2026, 10, 1)
    assert p.line_of("owner") == 3 and p.field_sources["reviewed"] == "ms.date"
    own = parse("---\nowner: asmith\n---\n", config)  # our own key still works
    assert own.owner == "asmith"


def test_title_falls_back_to_h1_then_file_name(config: Config) -> None:
    assert parse("---\nid: KB-0001\n---\n# From H1\n", config).title == "From H1"
    assert parse("---\nid: KB-0001\n---\ntext\n", config).title == "x"


def test_load_procedure_records_size_and_unreadable(tmp_path: Path, config: Config) -> None:
    path = tmp_path / "p.md"
    path.write_text(GOOD)
    p = load_procedure(path, "p.md", config)
    assert p.size == len(GOOD) and p.mtime_ns > 0 and p.issues == []
    missing = load_procedure(tmp_path / "gone.md", "gone.md", config)
    assert [i.kind for i in missing.issues] == ["unreadable"]
    assert "No such file" in missing.issues[0].message


def test_huge_values_do_not_break_loading(config: Config) -> None:
    p = parse("---\ntitle: " + "x" * 100_000 + "\n---\n", config)
    assert len(p.title) == 100_000 and p.issues == []


def test_own_key_declared_extra_is_not_read_through_an_alias(tmp_path: Path) -> None:
    # A corpus whose `audience: ITPro` means something else maps our field elsewhere and
    # declares its own key in `fields.extra`: the value must not be read as our audience.
    (tmp_path / "kbtool.toml").write_text(
        '[fields]\naliases = { audience = "kb.audience" }\nextra = ["audience"]\n'
    )
    config = load_config(cwd=tmp_path)
    p = parse("---\ntitle: T\naudience: ITPro\n---\n", config)
    assert p.audience is None and not p.issues_of("bad-value")
