"""Hostile files through the real command line, the real index and a real `mkdocs build`.

Content from outside the knowledge base (symbolic links out of it, pipes, devices) is never
read, nor indexed, nor published: lint names the file instead. Control characters in a
procedure never reach the terminal raw. A file name that is not UTF-8 does not stop
`codeowners`. A NUL byte anywhere makes a file binary; hidden temporary files left by a killed
write are no procedures.

Commands that could hang or exhaust memory (a pipe, `/dev/zero`, a link to `/`) run as
subprocesses with a timeout and a memory limit, so that a regression fails instead of hanging.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TODAY, RunCli, procedure
from tests.site.conftest import PROCEDURES, write_kb

KBTOOL = Path(sys.executable).parent / "kbtool"
TIMEOUT = 60
#: Seven procedures in `tests.site.conftest.PROCEDURES`: what lint checks when nothing else is.
REGULAR = len(PROCEDURES)
#: Acting characters, written independently of kbtool's own list: C0 controls but tab and line
#: feed, DEL, C1 controls, bidirectional overrides and isolates.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    two_gb = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (two_gb, two_gb))


def kbtool(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`kbtool --today TODAY ARGS...` in `root`, with a timeout and a 2 GB memory limit."""
    done = subprocess.run(
        [str(KBTOOL), "--today", TODAY, *args],
        cwd=root,
        capture_output=True,
        text=True,
        errors="backslashreplace",
        timeout=TIMEOUT,
        env={**os.environ, "NO_COLOR": "1"},
        preexec_fn=_limit_memory,
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


def mkdocs_build(root: Path) -> subprocess.CompletedProcess[str]:
    """The real `mkdocs build` (Material and the kbtool plugin) with a timeout."""
    environ = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    environ.pop("KBTOOL_TODAY", None)
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(root / "site")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=180,
        env=environ,
        preexec_fn=_limit_memory,
    )


# --- item 5: content from outside the knowledge base --------------------------------------


OUTSIDE_PROCEDURE = procedure(
    {"id": "KB-0900", "title": "Outside wombatsecret procedure"},
    body="# Outside\n\n## Symptoms\n\nwombatsecret lives outside.\n\n## Resolution\n\n"
    "1. Do it.\n\n## Escalation\n\nTeam lead.\n",
)


@dataclass(frozen=True)
class Hostile:
    """An entry planted under procedures/: `make(procedures, outside)` creates it."""

    rel: str  # the entry lint must name
    code: str  # the finding it gets
    marker: str | None  # a word of the outside content that must appear nowhere
    make: Callable[[Path, Path], None]


def _link(rel: str, target: Callable[[Path], str]) -> Callable[[Path, Path], None]:
    def make(procedures: Path, outside: Path) -> None:
        path = procedures / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target(outside), path)

    return make


def _fifo(rel: str) -> Callable[[Path, Path], None]:
    def make(procedures: Path, outside: Path) -> None:
        os.mkfifo(procedures / rel)

    return make


def _fifo_behind_a_link(procedures: Path, outside: Path) -> None:
    os.mkfifo(procedures / "email" / "pipe")
    os.symlink("pipe", procedures / "email" / "pipe-link.md")


def _hop_out(procedures: Path, outside: Path) -> None:
    os.symlink(str(outside / "passwd"), procedures / "email" / "hop.txt")
    os.symlink("hop.txt", procedures / "email" / "hop.md")


def _linked(rel: str, marker: str | None, target: Callable[[Path], str]) -> Hostile:
    return Hostile(rel, "FI008", marker, _link(rel, target))


HOSTILE = {
    "link-to-a-system-file": _linked("email/notes.md", "koalasecret", lambda o: str(o / "passwd")),
    "link-to-an-outside-procedure": _linked(
        "email/outside.md", "wombatsecret", lambda o: str(o / "proc.md")
    ),
    "link-to-an-outside-folder": _linked("shared", "wombatsecret", str),
    "link-leaving-through-a-second-link": Hostile("email/hop.md", "FI008", "koalasecret", _hop_out),
    "link-to-dev-zero": _linked("email/zero.md", None, lambda o: "/dev/zero"),
    "link-to-the-root-folder": _linked("email/root.md", None, lambda o: "/"),
    "fifo": Hostile("email/pipe.md", "FI009", None, _fifo("email/pipe.md")),
    "link-to-a-fifo-inside": Hostile("email/pipe-link.md", "FI009", None, _fifo_behind_a_link),
}


#: What the outside content holds besides its marker word (which the query itself echoes).
LEAKS = re.compile(r"root:x:0|/bin/bash|lives outside|Outside \w+ procedure")


def _outside(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "passwd").write_text(
        "root:x:0:0:koalasecret:/root:/bin/bash\ndaemon:x:1:1:koalasecret:/usr/sbin\n",
        encoding="utf-8",
    )
    (folder / "proc.md").write_text(OUTSIDE_PROCEDURE, encoding="utf-8")
    return folder


def _kb_with(tmp: Path, names: list[str], *, inside_docs: bool = False) -> Path:
    """The site tests' knowledge base plus the hostile entries `names`. With `inside_docs`,
    the procedures folder is docs/procedures, where MkDocs finds the files by itself."""
    root = write_kb(tmp / "kb")
    procedures = root / "procedures"
    if inside_docs:
        procedures = procedures.rename(root / "docs" / "procedures")
        (root / "kbtool.toml").write_text('procedures = "docs/procedures"\n', encoding="utf-8")
    outside = _outside(tmp / "outside")
    for name in names:
        HOSTILE[name].make(procedures, outside)
    if inside_docs and names:  # MkDocs would copy any file it finds: an "image" leaving too
        os.symlink(outside / "passwd", procedures / "email" / "screenshot.png")
    return root


def _finding(output: str, rel: str, code: str) -> bool:
    return f"procedures/{rel}:1:1: {code} " in output


@pytest.mark.parametrize("name", list(HOSTILE))
def test_lint_names_what_it_does_not_read(tmp_path: Path, name: str) -> None:
    hostile = HOSTILE[name]
    root = _kb_with(tmp_path, [name])
    done = kbtool(root, "lint")
    assert done.returncode == 1, done.stdout + done.stderr
    assert _finding(done.stdout, hostile.rel, hostile.code), done.stdout
    assert f"{REGULAR} files checked" in done.stdout, done.stdout
    if hostile.marker:
        assert hostile.marker not in done.stdout + done.stderr
    assert LEAKS.search(done.stdout + done.stderr) is None


@pytest.mark.parametrize("name", list(HOSTILE))
def test_search_never_reads_outside(tmp_path: Path, name: str) -> None:
    hostile = HOSTILE[name]
    root = _kb_with(tmp_path, [name])
    word = hostile.marker or "padlock"
    done = kbtool(root, "search", word, "--json")
    assert done.returncode in (0, 1), done.stderr
    results = json.loads(done.stdout)["results"]
    assert all(not hit["path"].startswith(hostile.rel) for hit in results), results
    text = kbtool(root, "search", word)
    for output in (done.stdout + done.stderr, text.stdout + text.stderr):
        assert LEAKS.search(output) is None, output  # the query is echoed, never the content
    indexed = kbtool(root, "index", "--rebuild")
    assert f"indexed {REGULAR} procedures" in indexed.stdout, indexed.stdout + indexed.stderr


@pytest.mark.parametrize(
    ("name", "argument"),
    [
        ("link-to-a-system-file", "procedures/email/notes.md"),
        ("link-to-an-outside-procedure", "procedures/email/outside.md"),
        ("fifo", "procedures/email/pipe.md"),
        ("link-to-dev-zero", "procedures/email/zero.md"),
    ],
)
def test_a_named_file_gets_the_same_finding(tmp_path: Path, name: str, argument: str) -> None:
    hostile = HOSTILE[name]
    root = _kb_with(tmp_path, [name])
    done = kbtool(root, "lint", argument)
    assert done.returncode == 1, done.stdout + done.stderr
    assert _finding(done.stdout, hostile.rel, hostile.code), done.stdout
    if hostile.marker:
        assert hostile.marker not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("argument", "code"), [("/dev/zero", "FI009"), ("/proc/self/maps", "FI003")]
)
def test_reads_are_bounded_whatever_the_size_says(tmp_path: Path, argument: str, code: str) -> None:
    """A device is refused after opening it without blocking; a file that says it is empty
    (procfs) is read no further than `max_file_bytes`."""
    if not os.path.exists(argument):
        pytest.skip(f"{argument} does not exist here")
    root = write_kb(tmp_path / "kb")
    (root / "kbtool.toml").write_text("max_file_bytes = 100\n", encoding="utf-8")
    done = kbtool(root, "lint", argument)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{os.path.basename(argument)}:1:1: {code} " in done.stdout, done.stdout


@pytest.fixture(scope="module", params=["beside-docs", "inside-docs"])
def hostile_site(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """One knowledge base with every hostile entry at once, built by the real MkDocs: with the
    procedures beside docs/ (the plugin adds them) and inside it (MkDocs finds them itself)."""
    inside = request.param == "inside-docs"
    names = [n for n in HOSTILE if not (inside and n in FOLDER_LINKS)]
    root = _kb_with(tmp_path_factory.mktemp("hostile"), names, inside_docs=inside)
    done = mkdocs_build(root)
    assert done.returncode == 0, done.stdout + done.stderr
    return root


def _site_files(root: Path) -> list[Path]:
    return [path for path in (root / "site").rglob("*") if path.is_file()]


#: Links to folders outside, which MkDocs itself would walk when procedures are inside docs_dir.
FOLDER_LINKS = ("link-to-an-outside-folder", "link-to-the-root-folder")


@pytest.mark.parametrize("name", FOLDER_LINKS)
def test_a_folder_link_inside_docs_dir_stops_the_build(tmp_path: Path, name: str) -> None:
    root = _kb_with(tmp_path, [name], inside_docs=True)
    done = mkdocs_build(root)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr, done.stderr
    assert f"docs/procedures/{HOSTILE[name].rel}: symbolic link to a folder outside" in (
        done.stderr
    )


@pytest.mark.parametrize("name", [n for n, h in HOSTILE.items() if h.marker])
def test_the_site_never_publishes_outside_content(hostile_site: Path, name: str) -> None:
    marker = HOSTILE[name].marker
    assert marker is not None
    leaking = [p for p in _site_files(hostile_site) if marker.encode() in p.read_bytes()]
    assert leaking == []
    index = json.loads((hostile_site / "site" / "search" / "search_index.json").read_text())
    assert all(marker not in json.dumps(doc) for doc in index["docs"])


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_site_has_no_page_for_a_refused_entry(hostile_site: Path, name: str) -> None:
    stem = HOSTILE[name].rel.removesuffix(".md")
    assert not (hostile_site / "site" / "procedures" / stem).exists()
    assert not (hostile_site / "site" / "procedures" / f"{stem}.md").exists()
    for rel in PROCEDURES:  # and every regular procedure is there
        assert (hostile_site / "site" / "procedures" / rel.removesuffix(".md")).is_dir(), rel


def test_the_index_walk_and_the_site_read_the_same_files(tmp_path: Path) -> None:
    from kbtool.model.config import load_config
    from kbtool.model.file_scan import scan_files
    from kbtool.model.knowledge_base import list_files

    root = _kb_with(tmp_path, list(HOSTILE))
    config = load_config(cwd=root)
    listed, issues = list_files(config)
    assert sorted(scan_files(config)) == [rel for _path, rel in listed] == sorted(PROCEDURES)
    refused = {Path(path).relative_to(root / "procedures").as_posix() for path, _ in issues}
    assert refused == {hostile.rel for hostile in HOSTILE.values()}


# A symbolic link to another procedure inside the knowledge base is read once, under the real
# file's name: the same file under two names would be two search hits and two pages with one
# id (and a duplicate-id error against itself), while `review` can only stamp the one file.
# Folders reached twice are walked once for the same reason.
INSIDE_LINKS = {
    "file": ("email/alias.md", "outlook-profile.md"),
    "folder": ("mail-alias", "email"),
    "file-first-in-order": ("a-first.md", "email/outlook-profile.md"),
}


@pytest.mark.parametrize("name", list(INSIDE_LINKS))
def test_a_link_to_a_procedure_inside_is_read_once(tmp_path: Path, name: str) -> None:
    link, target = INSIDE_LINKS[name]
    root = write_kb(tmp_path / "kb")
    os.symlink(target, root / "procedures" / link)
    done = kbtool(root, "lint", "--format", "json")
    findings = json.loads(done.stdout)["findings"]
    assert [f for f in findings if f["code"].startswith(("FI", "FM"))] == [], findings
    assert json.loads(done.stdout)["summary"]["files"] == REGULAR
    found = json.loads(kbtool(root, "search", "KB-0001", "--json").stdout)["results"]
    assert [hit["path"] for hit in found] == ["email/outlook-profile.md"]


# --- item 10: control characters never reach the terminal ---------------------------------


PAYLOADS = {
    "osc8-hyperlink": "\x1b]8;;https://evil.example/\x1b\\click here\x1b]8;;\x1b\\",
    "osc52-clipboard": "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07",
    "csi-clear-screen": "\x1b[2J\x1b[H",
    "c1-csi": "\x9b2J",
    "c1-osc": "\x9d52;c;eA==\x9c",
    "bidi-override": "\u202eevil\u202c",
}

HOSTILE_BODY = """\
# Zebracorn printer

## Symptoms

The zebracorn printer says {payload} and stops.

## Resolution

1. Press {payload} twice.
2. Start it again.

## Escalation

Escalate {payload} to the team lead.
"""

H1_BODY = """\
# Zebracorn heading {payload}

## Symptoms

Nothing to see.

## Resolution

1. Restart.

## Escalation

Team lead.
"""


def _yaml(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar, escapes and all


def _terminal_kb(root: Path, payload: str) -> tuple[Path, Path]:
    write_kb(root, {}, roster=ROSTER_WITH.format(name=_yaml(f"Eve {payload}")))
    name = "zebra" + payload.replace("/", "_") + ".md"
    hostile = root / "procedures" / "email" / name
    hostile.parent.mkdir(parents=True, exist_ok=True)
    hostile.write_text(
        procedure(
            {
                "id": "KB-0101",
                "title": _yaml(f"Zebracorn {payload} title"),
                "summary": _yaml(f"The printer {payload} jams."),
                "owner": "evil",
                "reviewed": "2020-01-01",
                "service": "Printing",
                "related": None,
            },
            body=HOSTILE_BODY.format(payload=payload),
        ),
        encoding="utf-8",
    )
    (root / "procedures" / "email" / "heading.md").write_text(
        procedure(
            {
                "id": "KB-0102",
                "title": None,
                "owner": "evil",
                "reviewed": "2020-01-02",
                "related": None,
            },
            body=H1_BODY.format(payload=payload),
        ),
        encoding="utf-8",
    )
    return root, hostile


ROSTER_WITH = """\
people:
  jdoe: {{name: Jane Doe, role: senior-agent, team: desk, github: janedoe}}
  asmith: {{name: Alan Smith, role: agent, team: desk, github: alansmith}}
  evil: {{name: {name}, role: agent, team: desk, github: evilgh}}
  lead: {{name: Lee Lead, role: team-lead, team: desk, github: leelead}}
teams:
  desk: {{name: Service Desk, lead: lead}}
"""

COMMANDS = {
    "search": ["search", "zebracorn"],
    "search-json": ["search", "zebracorn", "--json"],
    "show": ["show", "KB-0101"],
    "show-json": ["show", "KB-0101", "--json"],
    "show-h1-title": ["show", "KB-0102"],
    "stale": ["stale"],
    "stale-markdown": ["stale", "--format", "markdown"],
    "stale-json": ["stale", "--format", "json"],
    "report": ["report", "--oldest", "5"],
    "report-markdown": ["report", "--format", "markdown"],
    "codeowners-check": ["codeowners", "--check"],
    "lint": ["lint"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_no_control_character_reaches_the_terminal(
    tmp_path: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    payload: str,
    command: str,
) -> None:
    root, _ = _terminal_kb(tmp_path, PAYLOADS[payload])
    monkeypatch.chdir(root)
    if command == "search" or command.startswith("search-"):
        run_cli("index")
    if command == "codeowners-check":  # an outdated file: --check prints the whole diff
        (root / ".github").mkdir()
        (root / ".github" / "CODEOWNERS").write_text("# outdated\n", encoding="utf-8")
    result = run_cli("--today", TODAY, *COMMANDS[command])
    output = result.stdout + result.stderr
    assert result.exit_code in (0, 1), output
    assert RAW_CONTROL.search(output) is None, repr(output)
    if command.endswith("-json"):
        json.loads(result.stdout)  # still valid JSON
    elif command in ("search", "show"):
        assert "Zebracorn" in output and ("\\x" in output or "\\u" in output), output


def _expected_positions(text: str) -> set[tuple[int, int]]:
    """(line, col) of the first acting character of each body line, found independently."""
    lines = text.split("\n")
    closing = lines.index("---", 1)
    found = set()
    for number, line in enumerate(lines[closing + 1 :], start=closing + 2):
        match = RAW_CONTROL.search(line)
        if match:
            found.add((number, match.start() + 1))
    return found


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_lint_flags_control_characters_with_their_position(
    tmp_path: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    payload: str,
) -> None:
    root, hostile = _terminal_kb(tmp_path, PAYLOADS[payload])
    monkeypatch.chdir(root)
    result = run_cli("--today", TODAY, "lint", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    text = hostile.read_text(encoding="utf-8")
    body = {
        (f["line"], f["col"])
        for f in findings
        if f["code"] == "FI010" and f["path"].endswith(hostile.name)
    }
    assert body == _expected_positions(text), findings
    heading = (root / "procedures" / "email" / "heading.md").read_text(encoding="utf-8")
    assert {
        (f["line"], f["col"])
        for f in findings
        if f["code"] == "FI010" and f["path"].endswith("heading.md")
    } == (_expected_positions(heading))
    title_line = text.split("\n").index(next(x for x in text.split("\n") if x.startswith("title:")))
    assert any(
        f["code"] == "FM012" and f["line"] == title_line + 1 and f["path"].endswith(hostile.name)
        for f in findings
    ), findings
    assert result.exit_code == 1


# --- item 11: a file name that is not UTF-8 ------------------------------------------------


def _latin1_name(root: Path) -> bytes:
    path = os.fsencode(root / "procedures" / "email") + b"/caf\xe9.md"
    with open(path, "wb") as handle:
        handle.write(procedure({"id": "KB-0901"}).encode("utf-8"))
    return path


def test_codeowners_with_a_file_name_that_is_not_utf8(kb_root: Path, run_cli: RunCli) -> None:
    _latin1_name(kb_root)
    result = run_cli("codeowners")
    output = result.output
    assert result.exit_code == 0, output
    text = (kb_root / ".github" / "CODEOWNERS").read_bytes().decode("utf-8")  # strict
    lines = [line for line in text.splitlines() if "caf" in line]
    assert len(lines) == 1 and lines[0].startswith("# "), text  # a comment, not a rule
    assert "not valid UTF-8" in lines[0] and "rename" in lines[0]
    assert "/procedures/email/outlook-profile.md @janedoe @alansmith" in text
    check = run_cli("codeowners", "--check")
    assert check.exit_code == 0, check.output


def test_lint_with_a_file_name_that_is_not_utf8(kb_root: Path, run_cli: RunCli) -> None:
    _latin1_name(kb_root)
    result = run_cli("--today", TODAY, "lint")
    output = result.output
    assert result.exit_code == 0, output
    assert "2 files checked" in output, output


@pytest.mark.parametrize(
    "name",
    ["tab\there.md", "new\nline.md", "esc\x1b]52;c;eA==\x07.md", "bidi\u202ename.md"],
    ids=["tab", "newline", "osc52", "bidi"],
)
def test_codeowners_never_writes_a_control_character(
    kb_root: Path, run_cli: RunCli, name: str
) -> None:
    (kb_root / "procedures" / "email" / name).write_text(
        procedure({"id": "KB-0902"}), encoding="utf-8"
    )
    result = run_cli("codeowners")
    assert result.exit_code == 0, result.output
    text = (kb_root / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert RAW_CONTROL.search(text) is None and "\t" not in text, repr(text)
    for line in text.splitlines():  # every rule names a path that exists, as GitHub splits it
        if line.strip() and not line.startswith("#"):
            pattern = re.split(r"(?<!\\)\s+", line)[0].replace("\\ ", " ")
            assert (kb_root / pattern.lstrip("/")).exists(), repr(line)
    assert "/procedures/email/outlook-profile.md @janedoe @alansmith" in text
    assert "rename the file" in text


# --- item 17: NUL bytes anywhere, leftovers of a killed write -------------------------------


@pytest.mark.parametrize("offset", [10, 8191, 8192, 9000, 500_000])
def test_a_nul_byte_anywhere_is_binary(kb_root: Path, run_cli: RunCli, offset: int) -> None:
    text = procedure(body="# T\n\n" + "word " * (offset // 5) + "\n")
    data = text.encode("utf-8")
    position = min(offset, len(data) - 2)
    data = data[:position] + b"\x00" + data[position:]
    (kb_root / "procedures" / "email" / "outlook-profile.md").write_bytes(data)
    result = run_cli("--today", TODAY, "lint")
    output = result.output
    line = data.count(b"\n", 0, position) + 1
    col = position - (data.rfind(b"\n", 0, position) + 1) + 1
    if position < 8192:  # in the first bytes: the whole file is binary (an image, UTF-16)
        line, col = 1, 1
    assert f"procedures/email/outlook-profile.md:{line}:{col}: FI004 " in output, output
    assert result.exit_code == 1


def test_leftovers_of_a_killed_write_are_no_procedures(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb")
    leftover = root / "procedures" / "email" / ".outlook-profile.md.k3j2x9.tmp"
    leftover.write_text(
        procedure({"id": "KB-0001", "title": "Half written narwhalword"}), encoding="utf-8"
    )
    (root / "procedures" / "email" / ".x.md").write_text(procedure({"id": "KB-0001"}))
    lint = kbtool(root, "lint", "--format", "json")
    data = json.loads(lint.stdout)
    assert data["summary"]["files"] == REGULAR
    assert not any(".tmp" in f["path"] or "/.x.md" in f["path"] for f in data["findings"])
    found = kbtool(root, "search", "narwhalword", "--json")
    assert json.loads(found.stdout)["results"] == []
    done = mkdocs_build(root)
    assert done.returncode == 0, done.stderr
    assert not any(b"narwhalword" in p.read_bytes() for p in _site_files(root))
