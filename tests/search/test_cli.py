"""The search commands as a user runs them: output, JSON shapes, exit codes, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kbtool.events import Event, open_store
from kbtool.model.config import load_config
from tests.conftest import TODAY, RunCli, procedure, procedure_body, write_procedure

#: PRODUCT.md's keys, first and unchanged; then what was added for scripts and the web API.
HIT_KEYS = ["id", "path", "title", "summary", "score", "snippet", "owner", "overdue"]
ADDED_HIT_KEYS = [
    "url",
    "status",
    "service",
    "exact",
    "owner_name",
    "recorded_owner",
    "backup",
    "acting_owner",
    "owner_away",
    "orphan_reason",
    "review_status",
]


def test_index_command(search_kb: Path, run_cli: RunCli) -> None:
    first = run_cli("index")
    assert first.exit_code == 0 and first.output.startswith("indexed 6 procedures")
    again = run_cli("index")
    assert again.output == "index up to date (6 procedures)\n"
    rebuilt = run_cli("index", "--rebuild")
    assert rebuilt.exit_code == 0 and "indexed 6 procedures" in rebuilt.output
    assert (search_kb / ".kbtool" / "index").is_dir()


def test_search_json_shape(search_kb: Path, run_cli: RunCli) -> None:
    result = run_cli("--today", TODAY, "search", "two-factor", "approval", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert list(data) == [
        "query",
        "corrected_query",
        "did_you_mean",
        "filters",
        "total",
        "notes",
        "results",
    ]
    assert data["query"] == "two-factor approval"
    assert data["corrected_query"] is None and data["did_you_mean"] == []
    first = data["results"][0]
    assert list(first) == HIT_KEYS + ADDED_HIT_KEYS
    assert first["recorded_owner"] == "away" and first["owner_away"] is True
    assert first["acting_owner"] == "asmith" and first["backup"] == "asmith"
    assert first["url"] is None  # no site known to the command line
    assert first["id"] == "KB-0003"
    assert first["path"] == "accounts/two-factor.md"
    assert first["owner"] == "asmith"  # acting owner: the owner is away
    assert first["overdue"] is True
    assert isinstance(first["score"], float)
    assert "**" in first["snippet"]


def test_search_json_says_the_query_was_corrected(search_kb: Path, run_cli: RunCli) -> None:
    result = run_cli("search", "outlok", "profle", "--json")
    data = json.loads(result.stdout)
    assert data["query"] == "outlok profle"
    assert data["corrected_query"] == "outlook profile"
    assert data["results"][0]["id"] == "KB-0001"
    as_typed = json.loads(run_cli("search", "outlok", "profle", "--json", "--as-typed").stdout)
    assert as_typed["corrected_query"] is None


def test_search_json_did_you_mean(search_kb: Path, run_cli: RunCli) -> None:
    result = run_cli("search", "xassword", "--json", "--as-typed")
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and data["results"] == []
    assert data["did_you_mean"] == ["password"]


def test_search_text_output(search_kb: Path, run_cli: RunCli) -> None:
    result = run_cli("--today", TODAY, "search", "0x8004010F")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == '1. KB-0001  Outlook is stuck on "Loading profile"  [exact match]'
    assert lines[1] == "   Outlook opens but never gets past the Loading profile screen."
    assert "owner: jdoe · service: Email · email/outlook-profile.md" in result.stdout


def test_search_overdue_and_acting_owner_shown(search_kb: Path, run_cli: RunCli) -> None:
    result = run_cli("--today", TODAY, "search", "two-factor")
    assert "OVERDUE for review" in result.stdout
    assert "acting owner: asmith" in result.stdout


def test_search_correction_is_said(search_kb: Path, run_cli: RunCli) -> None:
    result = run_cli("search", "outlok")
    assert result.stdout.startswith("showing results for outlook (no procedure has 'outlok')")


def test_search_miss_exits_1_is_logged_and_suggests(search_kb: Path, run_cli: RunCli) -> None:
    result = run_cli("search", "xassword", "--service", "Accounts")
    assert result.exit_code == 1
    assert "no procedure matches 'xassword'" in result.stdout
    assert "did you mean: password?" in result.stdout
    [event] = _recorded(search_kb)
    assert (event.query, event.filters) == ("xassword", {"service": "Accounts"})
    assert (event.kind, event.channel, event.results) == ("search", "cli", 0)


def test_search_miss_not_logged_when_turned_off(search_kb: Path, run_cli: RunCli) -> None:
    (search_kb / "kbtool.toml").write_text("[search]\nlog_misses = false\n")
    assert run_cli("search", "zzqqxx").exit_code == 1
    assert run_cli("search", "outlok").exit_code == 0
    [event] = _recorded(search_kb)  # what found something still is
    assert (event.query, event.corrected, event.results) == ("outlok", "outlook", 1)


def test_no_search_is_recorded_when_events_are_off(search_kb: Path, run_cli: RunCli) -> None:
    (search_kb / "kbtool.toml").write_text("[events]\nenabled = false\n")
    assert run_cli("search", "zzqqxx").exit_code == 1
    assert run_cli("search", "outlook").exit_code == 0
    assert not (search_kb / ".kbtool" / "events.sqlite3").exists()


def test_a_store_that_cannot_be_written_never_fails_a_search(
    search_kb: Path, run_cli: RunCli
) -> None:
    (search_kb / ".kbtool").mkdir(exist_ok=True)
    (search_kb / ".kbtool" / "events.sqlite3").write_bytes(b"not a database" * 100)
    result = run_cli("search", "outlook")
    assert result.exit_code == 0
    assert "Outlook" in result.stdout and "Traceback" not in result.output


def _recorded(root: Path) -> list[Event]:
    store = open_store(load_config(cwd=root))
    try:
        return store.events()
    finally:
        store.close()


def test_search_filters_hint_when_all_filtered_out(search_kb: Path, run_cli: RunCli) -> None:
    result = run_cli("search", "password", "--service", "Printing")
    assert result.exit_code == 1
    assert "matches without the filters: try without them" in result.stdout


def test_retired_hidden_unless_asked(search_kb: Path, run_cli: RunCli) -> None:
    hidden = json.loads(run_cli("search", "legacy", "printer", "--json").stdout)
    assert all(r["id"] != "KB-0005" for r in hidden["results"])
    shown = json.loads(run_cli("search", "legacy", "printer", "--retired", "--json").stdout)
    assert shown["results"][0]["id"] == "KB-0005"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ((), 2, "empty query"),
        (("   ",), 2, "empty query"),
        (("the", "of", "and"), 1, "only very common words"),
        (("x" * 10_000,), 1, "no procedure matches"),
        (('"outlook* AND (profile:~',), 0, "KB-0001"),
        (("パスワード",), 1, "no procedure matches"),
        (("--limit", "0", "outlook"), 2, "0"),
    ],
)
def test_search_bad_input(search_kb: Path, run_cli: RunCli, args, code: int, message: str) -> None:
    result = run_cli("search", *args)
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


def test_search_without_index_builds_it_and_with_vanished_folder_says_so(
    search_kb: Path,
    run_cli: RunCli,
) -> None:
    assert run_cli("search", "password").exit_code == 0  # no index yet: built on the way
    import shutil

    shutil.rmtree(search_kb / "procedures")
    result = run_cli("search", "password")
    assert result.exit_code == 2
    assert "procedures folder not found" in result.output
    assert "Traceback" not in result.output


def test_search_with_corrupt_index(search_kb: Path, run_cli: RunCli) -> None:
    run_cli("index")
    for path in (search_kb / ".kbtool" / "index").glob("g-*/*.seg"):
        path.write_bytes(b"not an index")
    result = run_cli("search", "password")
    assert result.exit_code == 0
    assert "unreadable" in result.stderr and "rebuil" in result.stderr
    assert "KB-0002" in result.stdout


def test_show_text(search_kb: Path, run_cli: RunCli) -> None:
    result = run_cli("--today", TODAY, "show", "kb-0003")
    assert result.exit_code == 0
    assert result.stdout == (
        "KB-0003  Two-factor approval never arrives\n"
        "Accounts · L1 · published · accounts/two-factor.md\n"
        "The authenticator app never shows the two-factor approval request.\n"
        "\n"
        "Acting owner: Alan Smith (asmith) · alan@example.com (the owner away is away until"
        " 2026-12-31)\n"
        "Owner:  Away Person (away)\n"
        "Backup: Alan Smith (asmith) · alan@example.com\n"
        "Review: overdue, reviewed 2025-01-01, due 2025-06-30 (OVERDUE by 489 days)\n"
        "\n"
        "Symptoms\n"
        "  The sign-in page waits for an approval that never arrives on the phone.\n"
        "\n"
        "Resolution\n"
        "  1. Open the authenticator app and pull down to refresh.\n"
        "  2. Check that it works again with the caller.\n"
        "\n"
        "Escalation\n"
        "  Escalate to the team lead when the steps above do not help.\n"
    )


def test_show_json(search_kb: Path, run_cli: RunCli) -> None:
    result = run_cli("--today", TODAY, "show", "accounts/password-reset.md", "--json")
    data = json.loads(result.stdout)
    assert data["id"] == "KB-0002"
    assert data["steps"][0].startswith("Verify the caller's identity")
    assert (data["owner"], data["backup"], data["acting_owner"]) == ("jdoe", "asmith", "jdoe")
    assert (data["owner_name"], data["backup_name"]) == ("Jane Doe", "Alan Smith")
    assert data["review"]["status"] == "ok" and data["review"]["due"] == "2027-03-30"


def test_show_unknown_id(search_kb: Path, run_cli: RunCli) -> None:
    result = run_cli("show", "KB-9999")
    assert result.exit_code == 2
    assert "no procedure with id or path 'KB-9999'" in result.output


def test_show_a_procedure_whose_file_went_away(search_kb: Path) -> None:
    """Deleted after the last index update (a server does not refresh the index itself): a
    clear error, not a traceback. Through the library: the CLI would update the index first."""
    from kbtool.core.errors import NotFoundError
    from kbtool.model.config import load_config
    from kbtool.search import build_index, open_searcher
    from kbtool.search.card import find_card

    config = load_config(cwd=search_kb)
    build_index(config)
    (search_kb / "procedures" / "accounts" / "password-reset.md").unlink()
    with open_searcher(config, refresh=False) as searcher, pytest.raises(NotFoundError) as err:
        find_card(searcher, "KB-0002")
    assert "its file is gone" in str(err.value)


EVAL_CASES = [
    {"query": "0x8004010F", "target": "KB-0001"},
    {"query": "forgotten password", "target": "accounts/password-reset.md"},
    {"query": "crash looping", "target": "KB-0001"},  # cannot be found: MRR 2/3
]


def write_cases(root: Path, cases: list[dict]) -> Path:
    path = root / "regression.jsonl"
    path.write_text("".join(json.dumps(case) + "\n" for case in cases))
    return path


def test_eval_metrics(search_kb: Path, run_cli: RunCli) -> None:
    path = write_cases(search_kb, EVAL_CASES)
    result = run_cli("eval", str(path), "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["queries"] == 3
    assert data["mrr@10"] == pytest.approx(2 / 3, abs=1e-4)
    assert (data["recall@1"], data["recall@10"]) == (pytest.approx(2 / 3, abs=1e-4),) * 2
    assert [m["line"] for m in data["misses"]] == [3]
    text = run_cli("eval", str(path))
    assert text.stdout.startswith("3 queries  MRR@10 0.667  recall@1 0.667")
    assert "regression.jsonl:3: 'crash looping' -> expected KB-0001, got KB-0004" in text.stdout


@pytest.mark.parametrize(("minimum", "code"), [("0.6", 0), ("0.7", 1)])
def test_eval_min_mrr(search_kb: Path, run_cli: RunCli, minimum: str, code: int) -> None:
    path = write_cases(search_kb, EVAL_CASES)
    result = run_cli("eval", str(path), "--min-mrr", minimum)
    assert result.exit_code == code
    if code:
        assert "below the minimum 0.700" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"query": "x", "target": "KB-0001"}\nnot json\n', "regression.jsonl:2: not valid JSON"),
        ('{"query": "", "target": "KB-0001"}\n', 'regression.jsonl:1: "query" must be'),
        ('{"query": ' + "9" * 5000 + "}\n", "regression.jsonl:1: not valid JSON: a number"),
        ('{"query": "vpn \\ud800", "target": "KB-0001"}\n', "regression.jsonl:1: not valid"),
        ("\n", "has no cases"),
    ],
)
def test_eval_bad_file(search_kb: Path, run_cli: RunCli, content: str, message: str) -> None:
    path = search_kb / "regression.jsonl"
    path.write_text(content)
    result = run_cli("eval", str(path))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_eval_missing_file(search_kb: Path, run_cli: RunCli) -> None:
    result = run_cli("eval", "nope.jsonl")
    assert result.exit_code == 2 and "not found" in result.output


def _process(cwd: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    def kbtool(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", "from kbtool.cli import main; main()", *args]
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60)

    return kbtool


def test_search_as_a_process_sees_an_edit_made_after_indexing(search_kb: Path) -> None:
    """The real command (its freshness walk runs in a forked child while it searches the
    index as it is): edit, search, found; the answer of the stale index is not shown."""
    kbtool = _process(search_kb)
    assert kbtool("index").returncode == 0
    assert kbtool("search", "zebracorn").returncode == 1
    target = search_kb / "procedures" / "accounts" / "password-reset.md"
    target.write_text(
        target.read_text(encoding="utf-8").replace("self-service", "zebracorn self-service"),
        encoding="utf-8",
    )
    found = kbtool("search", "zebracorn", "--json")
    assert found.returncode == 0, found.stderr
    assert "index updated: 0 added, 1 changed, 0 removed" in found.stderr
    assert [hit["path"] for hit in json.loads(found.stdout)["results"]] == [
        "accounts/password-reset.md"
    ]
    again = kbtool("search", "zebracorn")
    assert again.returncode == 0 and "index updated" not in again.stderr


def test_search_as_a_process_with_a_kept_folder_listing_sees_edits_and_new_files(
    search_kb: Path,
) -> None:
    """Once the folders are old enough to be trusted (the real clock: a few seconds), a search
    keeps the walk's listing and the next ones list no folder; an edit in place (the file's
    own time) and a new file (its folder's) are both still found."""
    from kbtool.model.folder_listing import FILENAME, RACY_NS

    kbtool = _process(search_kb)
    assert kbtool("index").returncode == 0
    kept = search_kb / ".kbtool" / FILENAME
    assert not kept.exists()  # the folders were made a moment ago
    time.sleep(RACY_NS / 1e9 + 0.2)
    assert kbtool("search", "zebracorn").returncode == 1
    assert kept.is_file()
    target = search_kb / "procedures" / "accounts" / "password-reset.md"
    with open(target, "a", encoding="utf-8") as handle:  # in place: no folder changes
        handle.write("\nzebracorn: the badge reader's word for a locked account.\n")
    found = kbtool("search", "zebracorn", "--json")
    assert "index updated: 0 added, 1 changed, 0 removed" in found.stderr
    assert [hit["path"] for hit in json.loads(found.stdout)["results"]] == [
        "accounts/password-reset.md"
    ]
    badge = procedure_body(
        "Unicorn badge reader refuses a badge",
        symptoms="The unicorn reader beeps twice.",
        steps=["Re-enrol the badge."],
        escalation="Facilities.",
    )
    write_procedure(search_kb, "accounts/unicorn-badge.md", procedure({"id": "KB-0777"}, badge))
    added = kbtool("search", "unicorn", "--json")
    assert "index updated: 1 added, 0 changed, 0 removed" in added.stderr, added.stderr


def test_a_stale_index_is_found_stale_once_then_updated(
    search_kb: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search's own check found the index stale: opening it to update does not compare
    the files with the index again (at 25,000 procedures each comparison is a walk and a
    3 MB manifest); the update itself still lists them, under its lock."""
    import kbtool.search.indexer as indexer

    assert run_cli("index").exit_code == 0
    target = search_kb / "procedures" / "accounts" / "password-reset.md"
    with open(target, "a", encoding="utf-8") as handle:
        handle.write("\nzebracorn\n")
    scans: list[str] = []
    real = indexer.scan_files

    def counted(config):  # noqa: ANN001, ANN202
        scans.append("scan")
        return real(config)

    monkeypatch.setattr(indexer, "scan_files", counted)
    found = run_cli("search", "zebracorn", "--json")
    assert "index updated: 0 added, 1 changed, 0 removed" in found.stderr
    assert [hit["path"] for hit in json.loads(found.stdout)["results"]] == [
        "accounts/password-reset.md"
    ]
    assert scans == ["scan", "scan"]  # the check, then the update: not a second check


def test_search_as_a_process_drops_a_procedure_removed_after_indexing(search_kb: Path) -> None:
    kbtool = _process(search_kb)
    assert kbtool("index").returncode == 0
    before = kbtool("search", "self-service", "--json")
    paths = [hit["path"] for hit in json.loads(before.stdout)["results"]]
    assert "accounts/password-reset.md" in paths
    (search_kb / "procedures" / "accounts" / "password-reset.md").unlink()
    after = kbtool("search", "self-service", "--json")
    assert "index updated: 0 added, 0 changed, 1 removed" in after.stderr
    assert after.stderr.count("index updated") == 1  # said once: no note of the stale answer
    paths = [hit["path"] for hit in json.loads(after.stdout)["results"]]
    assert "accounts/password-reset.md" not in paths


class _Terminal:
    """A stand-in stream that says it is a terminal and keeps what is written to it."""

    def __init__(self) -> None:
        self.written: list[str] = []

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize(("terminal", "total", "shown"), [(True, 500, True), (True, 50, False)])
def test_index_progress_bar_only_on_a_terminal_for_large_builds(
    terminal: bool, total: int, shown: bool
) -> None:
    from kbtool.cli.search_cmd import _index_progress

    stream = _Terminal()
    with _index_progress(stream) as progress:
        for done in range(0, total + 1, 100):
            progress(min(done, total), total)
    assert ("indexing" in "".join(stream.written)) is shown


def test_index_progress_is_quiet_in_a_pipe() -> None:
    import io

    from kbtool.cli.search_cmd import _index_progress

    stream = io.StringIO()
    with _index_progress(stream) as progress:
        progress(500, 500)
    assert stream.getvalue() == ""


def test_search_that_builds_a_large_index_shows_progress_on_a_terminal(search_kb: Path) -> None:
    """The real command in a pseudo-terminal: the first search over 300 procedures builds the
    index, with a bar on stderr; the same search in a pipe (CI) shows none."""
    import os
    import pty
    import subprocess
    import sys

    for number in range(300):
        path = search_kb / "procedures" / "bulk" / f"p{number:03d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# Printer queue {number}\n\nThe queue stalls.\n", encoding="utf-8")
    command = [sys.executable, "-c", "from kbtool.cli import main; main()", "search", "queue"]
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            command, cwd=search_kb, stdout=subprocess.PIPE, stderr=follower, timeout=120
        )
        os.close(follower)
        follower = -1
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: everything was read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    assert done.returncode == 0
    assert b"indexing" in seen
    rebuilt = subprocess.run(
        [*command[:-2], "index", "--rebuild"], cwd=search_kb, capture_output=True, timeout=120
    )
    assert rebuilt.returncode == 0 and b"indexing" not in rebuilt.stderr


def test_search_and_index_when_the_knowledge_base_folder_cannot_hold_the_index(
    search_kb: Path,
    tmp_path: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    """Something in the way of `.kbtool/` (here a file; a read-only share alike): the index
    goes to the user's cache, search works, `kbtool index` says where the index is."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (search_kb / ".kbtool").write_text("not a folder", encoding="utf-8")
    found = run_cli("search", "password", "--json")
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["results"][0]["path"] == "accounts/password-reset.md"
    assert list((tmp_path / "cache" / "kbtool").glob("*/index/CURRENT"))
    indexed = run_cli("index")
    assert indexed.exit_code == 0
    assert "cannot be written: the index is kept in" in indexed.stderr
    assert (search_kb / ".kbtool").read_text(encoding="utf-8") == "not a folder"


# --- answers that confused a new user (issue 13) -------------------------------------------


def add(root: Path, rel: str, **changes: str) -> None:
    from tests.search.conftest import PROCEDURES, search_procedure

    values = {**PROCEDURES["accounts/password-reset.md"], **changes}
    (root / "procedures" / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / "procedures" / rel).write_text(search_procedure(values), encoding="utf-8")


def test_a_correction_names_only_the_words_it_corrected(search_kb: Path, run_cli: RunCli) -> None:
    result = run_cli("search", "outlook", "profle")
    first = result.stdout.splitlines()[0]
    assert first == "showing results for outlook profile (no procedure has 'profle')"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ["outlook", "--owner", "nobody"],
            [
                "no procedure matches 'outlook' with --owner nobody",
                "--owner nobody: not a person in the roster",
                "1 procedure matches without the filters: try without them",
            ],
            id="owner-not-in-roster",
        ),
        pytest.param(
            ["outlook", "--owner", "jdeo"],
            [
                "no procedure matches 'outlook' with --owner jdeo",
                "--owner jdeo: not a person in the roster (did you mean jdoe?)",
                "1 procedure matches without the filters: try without them",
            ],
            id="owner-misspelt",
        ),
        pytest.param(
            # One reason only: no did-you-mean for words that match without the filters.
            ["password", "--service", "Printing"],
            [
                "no procedure matches 'password' with --service Printing",
                "1 procedure matches without the filters: try without them",
            ],
            id="filtered-out",
        ),
        pytest.param(
            ["outlook", "--service", "Emial"],
            [
                "no procedure matches 'outlook' with --service Emial",
                "--service Emial: no procedure has it (did you mean email?)",
                "1 procedure matches without the filters: try without them",
            ],
            id="service-misspelt",
        ),
    ],
)
def test_a_filtered_miss_says_why_and_nothing_else(
    search_kb: Path,
    run_cli,  # noqa: ANN001
    args: list[str],
    expected: list[str],
) -> None:
    result = run_cli("search", *args)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == expected


def test_the_count_outside_the_filters_is_not_capped(search_kb: Path, run_cli: RunCli) -> None:
    for number in range(60):
        add(search_kb, f"bulk/widget-{number}.md", id=f"KB-{100 + number:04d}", title="Widget")
    result = run_cli("search", "widget", "--service", "Printing")
    assert "60 procedures match without the filters" in result.stdout


def test_a_synonym_of_several_words_needs_them_all(search_kb: Path, run_cli: RunCli) -> None:
    (search_kb / "procedures" / "synonyms.yml").write_text("vpn: [remote access]\n")
    add(search_kb, "email/access.md", id="KB-0010", title="Mailbox access", service="Email")
    add(search_kb, "network/vpn.md", id="KB-0011", title="Remote access fails", service="Network")
    only_access = run_cli("search", "vpn", "--service", "Email")
    assert only_access.exit_code == 1, only_access.stdout
    both = run_cli("search", "vpn", "--json")
    assert [hit["id"] for hit in json.loads(both.stdout)["results"]] == ["KB-0011"]


def test_a_suggestion_is_a_word_some_procedure_writes(search_kb: Path, run_cli: RunCli) -> None:
    # `outlook.exe` is indexed as `outlookex` too: a piece of an identifier, never a suggestion.
    result = run_cli("search", "outlookez")
    assert "outlookex" not in result.stdout
    assert result.stdout.startswith("showing results for outlook (no procedure has 'outlookez')")
    # A word that is in the knowledge base is never "corrected" in a did-you-mean.
    filtered = run_cli("search", "outlook", "--service", "Accounts")
    assert "did you mean" not in filtered.stdout


def test_a_weak_best_result_is_called_the_nearest(search_kb: Path, run_cli: RunCli) -> None:
    weak = run_cli("search", "projector", "lamp", "flickers", "queue")
    assert weak.exit_code == 0
    assert weak.stdout.splitlines()[0] == (
        "no close match for 'projector lamp flickers queue'; nearest:"
    )
    good = run_cli("search", "outlook", "loading", "profile")
    assert "no close match" not in good.stdout


def test_only_retired_matches_are_said_with_the_replacement(
    search_kb: Path, run_cli: RunCli
) -> None:
    old = search_kb / "procedures" / "printing" / "old-printer.md"
    text = old.read_text().replace("status: retired", "status: retired\nsuperseded_by: KB-0006")
    old.write_text(text)
    result = run_cli("search", "legacy")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "only retired procedures match 'legacy':",
        "  KB-0005  Legacy printer queue jammed — replaced by KB-0006 Printer shows as offline",
        "open the replacement: kbtool show KB-0006",
        "to see the retired ones: kbtool search --retired legacy",
    ]
    shown = run_cli("search", "legacy", "--retired")
    assert shown.exit_code == 0 and "KB-0005" in shown.stdout
