"""Absurd values through the real command line (and the real `mkdocs build`): one bad date or
number is a finding on its key naming file and line (or a configuration error naming the key),
and every other procedure is still linted, searched, shown, reported and published."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BODY, TODAY, procedure, write_procedure
from tests.site.conftest import mkdocs_build, write_kb

ABSURD = "procedures/email/absurd.md"
WITNESS = "procedures/printing/paper-jam.md"

#: Another procedure beside the absurd one, overdue on TODAY: its FR001 proves that lint still
#: checks the rest of the knowledge base, its title that search and the site still have it.
WITNESS_TEXT = procedure(
    {
        "id": "KB-0003",
        "title": "Printer shows a paper jam",
        "summary": "The printer reports a jam but the tray is empty.",
        "service": "Printing",
        "tags": "[printer, jam]",
        "reviewed": "2026-01-01",
        "error_codes": '["E-1234"]',
    },
    body=BODY.replace('Outlook is stuck on "Loading profile"', "Printer shows a paper jam"),
)

NINES = "9" * 4301  # one digit over Python's limit for reading a number
TOO_LONG = "holds a number of over 4,300 digits, too long to read"


def absurd(changes: dict[str, str]) -> str:
    """The clean procedure as KB-0002, titled for search, with `changes` (raw YAML values)."""
    fields = {"id": "KB-0002", "title": "Calendar invites vanish", **changes}
    return procedure(fields)


def run(
    run_cli: Callable[..., Any], *args: str, today: str = TODAY, input: str | None = None
) -> tuple[int, str]:
    result = run_cli("--today", today, *args, input=input)
    output: str = result.output
    assert "Traceback" not in output and "Error: date value" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    return result.exit_code, output


# --- item 1: one absurd date or number -------------------------------------------------------

# (front-matter changes of KB-0002, --today, (line, rule, words of the message) expected on its
# file, or None when the file must lint clean of errors). Lines: title 3, tags 6, reviewed 11,
# review_every 12, a new key 16.
ABSURD_VALUES = [
    pytest.param(
        {"reviewed": "9999-12-31"}, TODAY, (11, "FR003", "never expires"), id="reviewed-9999-12-31"
    ),
    pytest.param(
        {"reviewed": '"9999-12-31"'}, TODAY, (11, "FR003", "in the future"), id="reviewed-quoted"
    ),
    pytest.param(
        {"reviewed": "9999-12-31", "review_every": "36500"},
        TODAY,
        (11, "FR003", "in the future"),
        id="reviewed-9999-longest-interval",
    ),
    pytest.param(
        {"review_every": "999999999"},
        TODAY,
        (12, "FM007", "at most 36500"),
        id="review_every-999999999",
    ),
    pytest.param(
        {"review_every": str(2**63)}, TODAY, (12, "FM007", "at most 36500"), id="review_every-2**63"
    ),
    pytest.param(
        {"review_every": "36501"},
        TODAY,
        (12, "FM007", "at most 36500"),
        id="review_every-over-100y",
    ),
    pytest.param(
        {"review_every": NINES}, TODAY, (12, "FM006", TOO_LONG), id="review_every-4301-digits"
    ),
    pytest.param({"title": NINES}, TODAY, (3, "FM006", TOO_LONG), id="title-4301-digits"),
    pytest.param(
        {"tags": f"[calendar, {NINES}]"}, TODAY, (6, "FM006", TOO_LONG), id="tag-4301-digits"
    ),
    pytest.param(
        {"legacy_ref": NINES}, TODAY, (16, "FM006", TOO_LONG), id="unknown-key-4301-digits"
    ),
    pytest.param(
        {"title": "0x" + "f" * 4000}, TODAY, (3, "FM006", TOO_LONG), id="hex-over-4300-digits"
    ),
    pytest.param(
        {"reviewed": "0001-01-01", "review_every": "36500"},
        TODAY,
        (11, "FR001", "overdue"),
        id="reviewed-year-1",
    ),
    pytest.param({"reviewed": "9999-12-01"}, "9999-12-30", None, id="due-after-the-calendar"),
]


@pytest.mark.parametrize(("changes", "today", "expected"), ABSURD_VALUES)
def test_one_absurd_value_is_a_finding_and_the_rest_still_works(
    kb_root: Path,
    run_cli: Callable[..., Any],
    changes: dict[str, str],
    today: str,
    expected: tuple[int, str, str] | None,
) -> None:
    write_procedure(kb_root, "email/absurd.md", absurd(changes))
    write_procedure(kb_root, "printing/paper-jam.md", WITNESS_TEXT)

    code, output = run(run_cli, "lint", "--format", "json", today=today)
    assert code == 1, output
    findings = json.loads(output)["findings"]
    if expected is None:
        assert [f for f in findings if f["path"] == ABSURD and f["severity"] == "error"] == []
    else:
        line, rule, words = expected
        assert any(
            (f["path"], f["line"], f["code"]) == (ABSURD, line, rule) and words in f["message"]
            for f in findings
        ), findings
    assert any(f["path"] == WITNESS and f["code"] == "FR001" for f in findings), findings
    assert all(len(f["message"]) < 500 for f in findings)  # the number is not echoed whole

    code, output = run(run_cli, "search", "printer paper jam", "--json", today=today)
    assert code == 0, output
    assert json.loads(output)["results"][0]["id"] == "KB-0003"
    code, output = run(run_cli, "search", "KB-0002", "--json", today=today)
    assert code == 0, output
    assert json.loads(output)["results"][0]["path"] == "email/absurd.md"

    code, output = run(run_cli, "show", "KB-0002", today=today)
    assert code == 0 and output.startswith("KB-0002  "), output
    if changes.get("reviewed", "").strip('"') == "9999-12-31":
        assert "Review: future, reviewed 9999-12-31, never due" in output
    code, output = run(run_cli, "show", "KB-0003", today=today)
    assert code == 0 and "Printer shows a paper jam" in output, output

    code, output = run(run_cli, "stale", "--format", "json", today=today)
    assert code == 0, output
    groups = json.loads(output)["groups"]
    overdue = [p["id"] for g in groups for p in g["procedures"] if "overdue" in p["categories"]]
    assert "KB-0003" in overdue

    code, output = run(run_cli, "report", "--format", "json", today=today)
    assert code == 0, output
    assert json.loads(output)["procedures"]["total"] == 3


def test_the_site_publishes_everything_beside_absurd_values(tmp_path: Path) -> None:
    """The real `mkdocs build` of a knowledge base holding every absurd value at once."""
    files = {"printing/paper-jam.md": WITNESS_TEXT}
    for number, param in enumerate(ABSURD_VALUES[:-1], start=10):
        changes = dict(param.values[0])  # type: ignore[arg-type]
        text = absurd(changes).replace("KB-0002", f"KB-00{number}")
        files[f"absurd/{param.id}.md"] = text
    root = write_kb(tmp_path, files)
    build = mkdocs_build(root)
    assert build.returncode == 0, build.log
    assert "Traceback" not in build.log and "OverflowError" not in build.log
    for rel in files:
        page = build.site / "procedures" / rel.removesuffix(".md") / "index.html"
        assert page.is_file(), rel
    # Each absurd key is a build warning naming the file and the line.
    for param in ABSURD_VALUES[:-1]:
        line, _code, _words = param.values[2]  # type: ignore[misc]
        assert f"procedures/absurd/{param.id}.md:{line}:" in build.log, (param.id, build.log)
    index = (build.site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "Printer shows a paper jam" in index and "Calendar invites vanish" in index
    witness = build.html("procedures/printing/paper-jam/")
    assert "kbtool-banner--overdue" in witness


# (kbtool.toml, the key the error must name)
ABSURD_CONFIG = [
    pytest.param("[review]\nevery = 9223372036854775807\n", "'review.every'", id="every-2**63"),
    pytest.param("[review]\nevery = 999999999\n", "'review.every'", id="every-999999999"),
    pytest.param(f"[review]\nevery = {NINES}\n", "review.every", id="every-4301-digits"),
    pytest.param("[review]\nevery = 0x" + "f" * 5000 + "\n", "'review.every'", id="every-hex"),
    pytest.param(
        "[review]\nby_service = { Email = 9223372036854775807 }\n",
        "'review.by_service.Email'",
        id="by_service-2**63",
    ),
    pytest.param(
        "[review]\ndue_soon = 9223372036854775807\n", "'review.due_soon'", id="due_soon-2**63"
    ),
]


@pytest.mark.parametrize(("toml", "key"), ABSURD_CONFIG)
@pytest.mark.parametrize(
    "command",
    [["lint"], ["stale"], ["report"], ["search", "outlook"], ["show", "KB-0001"]],
    ids=lambda c: c[0],
)
def test_absurd_interval_in_config_is_an_error_naming_the_key(
    kb_root: Path, run_cli: Callable[..., Any], toml: str, key: str, command: list[str]
) -> None:
    # Without `review_every` the procedure takes the configured interval.
    write_procedure(kb_root, "email/outlook-profile.md", procedure({"review_every": None}))
    (kb_root / "kbtool.toml").write_text(toml, encoding="utf-8")
    code, output = run(run_cli, *command)
    assert code == 2, output
    assert "kbtool.toml" in output and key in output, output
    assert len(output) < 1000


# Dates and day counts given on the command line, at the ends of the calendar.
EXTREME_OPTIONS = [
    pytest.param(["--today", "9999-12-31", "lint"], 1, id="today-date-max-lint"),
    pytest.param(["--today", "0001-01-01", "lint"], 1, id="today-date-min-lint"),
    pytest.param(["--today", "9999-12-31", "stale", "--fail"], 1, id="today-date-max-stale"),
    pytest.param(["--today", "9999-12-31", "report"], 0, id="today-date-max-report"),
    pytest.param(["--today", "9999-12-31", "search", "outlook"], 0, id="today-date-max-search"),
    pytest.param(["--today", "0001-01-01", "show", "KB-0001"], 0, id="today-date-min-show"),
    pytest.param(["stale", "--within", str(2**70)], 0, id="stale-within-2**70"),
    pytest.param(["stale", "--drafts-older-than", str(2**70)], 0, id="stale-drafts-2**70"),
    pytest.param(
        ["report", "--oldest", str(2**70), "--top-misses", str(2**70)], 0, id="report-2**70"
    ),
    pytest.param(["report", "--since", "9999-12-31"], 0, id="report-since-date-max"),
    pytest.param(["search", "outlook", "--limit", str(2**70)], 2, id="search-limit-2**70"),
    pytest.param(["review", "KB-0001", "--date", "0001-01-01"], 0, id="review-date-min"),
]


@pytest.mark.parametrize(("args", "exit_code"), EXTREME_OPTIONS)
def test_extreme_dates_and_counts_on_the_command_line(
    kb_root: Path, run_cli: Callable[..., Any], args: list[str], exit_code: int
) -> None:
    write_procedure(kb_root, "email/absurd.md", absurd({"reviewed": "9999-12-31"}))
    result = run_cli(*args)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == exit_code, result.output


def test_a_huge_number_in_the_roster_is_not_a_crash(
    kb_root: Path, run_cli: Callable[..., Any]
) -> None:
    roster = kb_root / "procedures" / "roster.yml"
    roster.write_text(
        roster.read_text(encoding="utf-8").replace(
            "team: desk, email: jane@example.com", f"team: desk, phone: {NINES}", 1
        ),
        encoding="utf-8",
    )
    code, output = run(run_cli, "lint")
    assert code == 0, output


# --- item 13: date formats that cannot write a date -------------------------------------------

NEW_FLAGS = (
    "new",
    "--title",
    "VPN drops every hour",
    "--service",
    "Network",
    "--owner",
    "jdoe",
    "--backup",
    "asmith",
)

BAD_DATE_FORMATS = [
    pytest.param('["%Q%"]', "'%Q%' cannot write and read back a date", id="bad-directive"),
    pytest.param('["%"]', "'%' cannot write and read back a date", id="stray-percent"),
    pytest.param('["%Y"]', "'%Y' does not read back the date it writes", id="year-only"),
    pytest.param('["%d/%m"]', "'%d/%m' does not read back the date it writes", id="no-year"),
    pytest.param('["%m/%d/%Y", "%s"]', "'%s' cannot write and read back", id="second-bad"),
    pytest.param('["%Y-%m-%d\\n"]', "must be one line", id="line-break"),
]


@pytest.mark.parametrize(("formats", "message"), BAD_DATE_FORMATS)
@pytest.mark.parametrize(
    "command", [["lint"], ["review", "KB-0001"], [*NEW_FLAGS]], ids=["lint", "review", "new"]
)
def test_date_formats_that_do_not_round_trip_are_a_config_error(
    kb_root: Path, run_cli: Callable[..., Any], formats: str, message: str, command: list[str]
) -> None:
    (kb_root / "kbtool.toml").write_text(f"[fields]\ndate_formats = {formats}\n", encoding="utf-8")
    before = (kb_root / "procedures/email/outlook-profile.md").read_bytes()
    code, output = run(run_cli, *command)
    assert code == 2, output
    assert "kbtool.toml: 'fields.date_formats'" in output and message in output, output
    assert (kb_root / "procedures/email/outlook-profile.md").read_bytes() == before
    assert not (kb_root / "procedures/network").exists()


@pytest.mark.parametrize(
    ("formats", "written"),
    [
        ('["%d.%m.%Y"]', "01.11.2026"),
        ('["%d %B %Y"]', "01 November 2026"),
        ('["%m/%d/%y"]', "11/01/26"),
    ],
)
def test_date_formats_that_round_trip_are_used(
    kb_root: Path, run_cli: Callable[..., Any], formats: str, written: str
) -> None:
    (kb_root / "kbtool.toml").write_text(f"[fields]\ndate_formats = {formats}\n", encoding="utf-8")
    code, output = run(run_cli, "review", "KB-0001")
    assert code == 0, output
    text = (kb_root / "procedures/email/outlook-profile.md").read_text(encoding="utf-8")
    assert f"\nreviewed: {written}\n" in text or f'\nreviewed: "{written}"\n' in text, text
    code, output = run(run_cli, "lint")
    assert code == 0, output


# --- item 14 (part): nesting deep enough to exhaust the recursion limit -----------------------

DEEP_CONFIG = [
    pytest.param("kbtool.toml", "x = " + "[" * 10_000 + "]" * 10_000 + "\n", id="deep-array"),
    pytest.param("kbtool.toml", "x = " + "[" * 100_000 + "\n", id="unclosed-arrays"),
    pytest.param(
        "kbtool.toml", "x = " + "{a = " * 10_000 + "1" + "}" * 10_000 + "\n", id="deep-inline-table"
    ),
    pytest.param(
        "pyproject.toml",
        "[tool.kbtool]\nx = " + "[" * 10_000 + "]" * 10_000 + "\n",
        id="deep-array-in-pyproject",
    ),
]


@pytest.mark.parametrize(("name", "toml"), DEEP_CONFIG)
def test_deeply_nested_config_is_a_config_error(
    kb_root: Path, run_cli: Callable[..., Any], name: str, toml: str
) -> None:
    (kb_root / "kbtool.toml").unlink()
    (kb_root / name).write_text(toml, encoding="utf-8")
    code, output = run(run_cli, "--config", name, "lint")
    assert code == 2, output
    assert f"{name}: invalid TOML" in output, output
    assert len(output) < 1000


def test_deeply_nested_pyproject_above_the_kb_is_not_a_crash(
    kb_root: Path, run_cli: Callable[..., Any]
) -> None:
    """Discovery reads every pyproject.toml on the way up: one it cannot read is not ours."""
    (kb_root / "kbtool.toml").unlink()
    (kb_root / "pyproject.toml").write_text(
        "x = " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8"
    )
    code, output = run(run_cli, "lint")
    assert code == 0, output


@pytest.mark.parametrize(
    ("lines", "line"),
    [
        pytest.param(["[" * 100_000], 1, id="100000-brackets"),
        pytest.param(
            ['{"query": "outlook", "target": "KB-0001"}', "[" * 100_000 + "]" * 100_000],
            2,
            id="deep-array-on-line-2",
        ),
        pytest.param(['{"a": ' * 100_000 + "1" + "}" * 100_000], 1, id="deep-object"),
    ],
)
def test_deeply_nested_eval_file_names_file_and_line(
    kb_root: Path, run_cli: Callable[..., Any], lines: list[str], line: int
) -> None:
    (kb_root / "cases.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, output = run(run_cli, "eval", "cases.jsonl")
    assert code == 2, output
    assert f"cases.jsonl:{line}: " in output and "nested too deeply" in output, output
    assert len(output) < 1000


# --- item 15: ids that differ only in case ----------------------------------------------------

TWIN = "procedures/email/twin.md"


def twins(kb_root: Path, twin_id: str = "kb-0001", pattern: str = "(?i)KB-\\\\d{4}") -> None:
    (kb_root / "kbtool.toml").write_text(f'[fields]\nid_pattern = "{pattern}"\n', encoding="utf-8")
    write_procedure(
        kb_root, "email/twin.md", procedure({"id": twin_id, "title": "Twin of the first"})
    )


@pytest.mark.parametrize("twin_id", ["kb-0001", "Kb-0001", "KB-0001"])
def test_ids_differing_only_in_case_are_duplicates(
    kb_root: Path, run_cli: Callable[..., Any], twin_id: str
) -> None:
    twins(kb_root, twin_id)
    code, output = run(run_cli, "lint")
    assert code == 1, output
    assert f"{TWIN}:2:1: FM010" in output and "procedures/email/outlook-profile.md" in output
    assert "procedures/email/outlook-profile.md:2:1: FM010" in output and "twin.md" in output
    if twin_id != "KB-0001":
        assert "differs only in case" in output, output


@pytest.mark.parametrize(
    ("command", "typed", "expected"),
    [
        pytest.param("show", "kb-0001", "Twin of the first", id="show-twin-exact"),
        pytest.param(
            "show", "KB-0001", 'Outlook is stuck on "Loading profile"', id="show-first-exact"
        ),
        pytest.param("show", "kB-0001", "differ only in case", id="show-neither-exact"),
        pytest.param("review", "kb-0001", "email/twin.md", id="review-twin-exact"),
        pytest.param("review", "KB-0001", "email/outlook-profile.md", id="review-first-exact"),
        pytest.param("review", "kB-0001", "differ only in case", id="review-neither-exact"),
    ],
)
def test_lookup_of_case_twins_takes_the_exact_id(
    kb_root: Path, run_cli: Callable[..., Any], command: str, typed: str, expected: str
) -> None:
    twins(kb_root)
    first = kb_root / "procedures/email/outlook-profile.md"
    twin = kb_root / TWIN
    before = {first: first.read_bytes(), twin: twin.read_bytes()}
    code, output = run(run_cli, command, typed)
    assert expected in output, output
    if "differ only in case" in expected:
        assert code == 2, output
        assert "KB-0001" in output and "kb-0001" in output
    else:
        assert code == 0, output
    if command == "review":
        changed = [path.name for path, data in before.items() if path.read_bytes() != data]
        assert changed == ([] if code else [Path(expected).name]), output


def test_new_refuses_an_id_differing_only_in_case(
    kb_root: Path, run_cli: Callable[..., Any]
) -> None:
    (kb_root / "kbtool.toml").write_text(
        '[fields]\nid_pattern = "(?i)KB-\\\\d{4}"\n', encoding="utf-8"
    )
    code, output = run(run_cli, *NEW_FLAGS, "--id", "kb-0001")
    assert code == 2, output
    assert "'kb-0001'" in output and "KB-0001" in output, output
    assert not (kb_root / "procedures/network").exists()


# --- item 16: `kbtool new` checks its input with lint's rules ---------------------------------

BASE_NEW = ("new", "--title", "VPN drops every hour", "--service", "Network", "--owner", "jdoe")
RLO, ESC = "\u202e", "\x1b"

# (extra options, whether the roster is removed, the option the message names, what it says)
BAD_NEW_INPUT = [
    pytest.param(
        ("--title", f"Printer {RLO}smaj"), False, "--title", "bidirectional", id="title-rlo"
    ),
    pytest.param(
        ("--title", f"Printer {ESC}[2J jams"), False, "--title", "control", id="title-escape"
    ),
    pytest.param(
        ("--title", "Printer jams\nreally"), False, "--title", "one line", id="title-line-break"
    ),
    pytest.param(
        ("--summary", f"The caller sees {RLO}gnorw"),
        False,
        "--summary",
        "bidirectional",
        id="summary-rlo",
    ),
    pytest.param(
        ("--service", f"Net{RLO}work"), False, "--service", "bidirectional", id="service-rlo"
    ),
    pytest.param(("--tag", f"vpn,re{RLO}mote"), False, "--tag", "bidirectional", id="tag-rlo"),
    pytest.param(
        ("--error-code", f"0x80{ESC}04"), False, "--error-code", "control", id="error-code-escape"
    ),
    pytest.param(
        ("--backup", f"as{RLO}mith"), True, "--backup", "bidirectional", id="backup-rlo-no-roster"
    ),
    pytest.param(
        ("--escalate-to", f"team{RLO}-lead"),
        True,
        "--escalate-to",
        "bidirectional",
        id="escalate-to-rlo-no-roster",
    ),
    pytest.param(
        ("--reviewed", "2027-01-01"),
        False,
        "--reviewed",
        "in the future",
        id="reviewed-in-the-future",
    ),
    pytest.param(
        ("--status", "published", "--summary", "It drops."),
        False,
        "the new procedure",
        "no backup",
        id="published-without-backup",
    ),
]


@pytest.mark.parametrize(("extra", "no_roster", "option", "message"), BAD_NEW_INPUT)
def test_new_refuses_what_lint_would_reject(
    kb_root: Path,
    run_cli: Callable[..., Any],
    extra: tuple[str, ...],
    no_roster: bool,
    option: str,
    message: str,
) -> None:
    if no_roster:
        (kb_root / "procedures/roster.yml").unlink()
    before = sorted(p.relative_to(kb_root) for p in kb_root.rglob("*"))
    code, output = run(run_cli, *BASE_NEW, *extra)
    assert code == 2, output
    assert f"{option}: " in output and message in output and "nothing was written" in output
    assert RLO not in output and ESC not in output  # shown, never acted on
    assert sorted(p.relative_to(kb_root) for p in kb_root.rglob("*")) == before


@pytest.mark.parametrize(
    ("bad", "good", "field"),
    [
        pytest.param(f"Scanner {RLO}enilffo", "Scanner shows offline", 0, id="title"),
        pytest.param(f"The scanner {ESC}[31m says", "The scanner says offline.", 1, id="summary"),
        pytest.param(f"scan{RLO}ner", "scanner, offline", 6, id="tags"),
    ],
)
def test_new_asks_again_for_an_answer_lint_would_reject(
    kb_root: Path, run_cli: Callable[..., Any], bad: str, good: str, field: int
) -> None:
    answers = [
        "Scanner shows offline",
        "The scanner says offline.",
        "Printing",
        "y",  # a service no procedure has yet: confirmed
        "jdoe",
        "asmith",
        "scanner, offline",
        "",
    ]
    answers[field : field + 1] = [bad, good]
    code, output = run(run_cli, "new", "--interactive", input="\n".join(answers) + "\n")
    assert code == 0, output
    assert "Error: " in output and ("bidirectional" in output or "control" in output), output
    assert RLO not in output.replace(bad, "") and ESC not in output.replace(bad, "")
    path = kb_root / "procedures/printing/scanner-shows-offline.md"
    text = path.read_text(encoding="utf-8")
    assert RLO not in text and ESC not in text
    code, output = run(run_cli, "lint", str(path))
    assert code == 0, output


@pytest.mark.parametrize(
    "damaged",
    [
        pytest.param("[" * 100_000, id="deep"),
        pytest.param(
            '{"time": "2026-10-30T10:00:00", "query": "x", "n": ' + "9" * 5000 + "}", id="digits"
        ),
    ],
)
def test_a_damaged_line_in_the_search_log_is_skipped(
    kb_root: Path, run_cli: Callable[..., Any], damaged: str
) -> None:
    log = kb_root / ".kbtool" / "search-misses.jsonl"
    log.parent.mkdir()
    log.write_text(
        damaged
        + "\n"
        + json.dumps({"time": "2026-10-30T10:00:00", "query": "printer on fire"})
        + "\n",
        encoding="utf-8",
    )
    code, output = run(run_cli, "report", "--format", "json")
    assert code == 0, output
    assert [m["query"] for m in json.loads(output)["search_misses"]["top"]] == ["printer on fire"]
