"""Bad input through the real command line: a finding or a clear error naming the file (and
line), exit code 1 or 2, and never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BODY, TODAY, RunCli, procedure, write_procedure

KBTOOL = Path(sys.executable).parent / "kbtool"
MAIN = "procedures/email/outlook-profile.md"


def lint(run_cli: RunCli, *args: str) -> tuple[int, str]:
    result = run_cli("--today", TODAY, "lint", *args)
    output = result.output  # stdout and stderr, as a user sees
    assert "Traceback" not in output
    return result.exit_code, output


# (content written over the clean procedure, expected `path:line:col: CODE` prefix, exit code:
# 1 for error findings, 0 when the finding is a warning)
BAD_FILES = [
    pytest.param(procedure({"owner": "[jdoe"}), ":9:8: FM002", 1, id="broken-yaml"),
    pytest.param(
        procedure({"tags": "{a: b}", "review_every": "[1]"}), ":6:1: FM006", 1, id="wrong-types"
    ),
    pytest.param(
        procedure({"owner": "jdoe\nowner: asmith"}), ":10:1: FM003", 1, id="duplicate-keys"
    ),
    pytest.param(
        procedure().encode().replace(b"Loading", b"Lo\xffding", 1), ":3:31: FI001", 1, id="non-utf8"
    ),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ":1:1: FI004", 1, id="binary"),
    pytest.param(b"", ":1:1: FI002", 1, id="empty"),
    pytest.param(
        procedure({"title": '"<script>alert(1)</script>"', "onclick": "x"}),
        ":16:1: FM008",
        0,
        id="html-in-front-matter",
    ),
    pytest.param(procedure({"title": "A\x1b[2J\x07 title"}), ":3:9: FM012", 1, id="control-chars"),
    pytest.param(procedure({"summary": '"abc \u202edcba"'}), ":4:1: FM012", 1, id="bidi-override"),
    pytest.param(procedure({"summary": "x" * 100_000}), ":4:1: FM014", 0, id="100kb-value"),
    pytest.param(
        procedure(body=BODY + "\n[pw](../../../etc/passwd)\n"),
        ":33:1: LN003",
        1,
        id="link-outside-the-tree",
    ),
    pytest.param(b"a" * 10_000_000, ":1:1: FI003", 1, id="10mb-file"),
    pytest.param("---\n" + "key: value\n" * 3, ":1:1: FM001", 1, id="unclosed-front-matter"),
]


@pytest.mark.parametrize(("content", "expected", "exit_code"), BAD_FILES)
def test_bad_file_gives_a_finding(
    kb_root: Path,
    run_cli: RunCli,
    content: str | bytes,
    expected: str,
    exit_code: int,
) -> None:
    write_procedure(kb_root, "email/outlook-profile.md", content)
    code, output = lint(run_cli)
    assert code == exit_code, output
    assert MAIN + expected in output, output
    assert all(len(line) < 2_000 for line in output.splitlines())  # values are not echoed whole


@pytest.mark.parametrize(
    "title",
    ['"<script>alert(1)</script>"', "'<img src=x onerror=alert(1)>'", "x" * 100_000],
    ids=["script", "img-onerror", "100kb"],
)
def test_hostile_but_valid_titles_are_plain_text(
    kb_root: Path, run_cli: RunCli, title: str
) -> None:
    write_procedure(kb_root, "email/outlook-profile.md", procedure({"title": title}))
    code, output = lint(run_cli, "--format", "json")
    assert code == 0, output
    assert json.loads(output)["findings"] == []


def test_hostile_text_is_not_echoed_raw(kb_root: Path, run_cli: RunCli) -> None:
    write_procedure(
        kb_root, "x.md", procedure({"id": "KB-0002", "title": '"\\e[2J\\u202e"', "onwer\x1b": "x"})
    )
    code, output = lint(run_cli)
    assert code == 1 and "\x1b" not in output and "\u202e" not in output, repr(output)


def test_symlink_to_itself(kb_root: Path, run_cli: RunCli) -> None:
    os.symlink("a.md", kb_root / "procedures" / "a.md")
    code, output = lint(run_cli)
    assert code == 1
    assert "procedures/a.md:1:1: FI005 cannot read file: Too many levels of symbolic" in output


def test_folder_symlink_loop_is_walked_once(kb_root: Path, run_cli: RunCli) -> None:
    (kb_root / "procedures" / "sub").mkdir()
    os.symlink("..", kb_root / "procedures" / "sub" / "loop")
    code, output = lint(run_cli)
    assert code == 0, output
    assert "1 file checked" in output


def test_missing_procedures_folder(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = lint(run_cli)
    assert code == 2
    assert f"procedures folder not found: {tmp_path / 'procedures'}" in output


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[review\nevery = 3\n", "kbtool.toml:1: invalid TOML"),
        ("[review]\nevery = 'often'\n", "kbtool.toml: 'review.every' must be a positive"),
        ("colour = 'red'\n", "kbtool.toml: unknown key 'colour'"),
        ("[lint]\nselect = ['XX']\n", "kbtool.toml: 'lint.select' names unknown rule code(s) XX"),
    ],
)
def test_broken_config(kb_root: Path, run_cli: RunCli, toml: str, expected: str) -> None:
    (kb_root / "kbtool.toml").write_text(toml)
    code, output = lint(run_cli)
    assert code == 2 and expected in output, output


@pytest.mark.parametrize(
    "command",
    [
        ["lint"],
        ["lint", "--select", "FR"],  # the command line's selection does not hide it
        ["stale"],
        ["search", "outlook"],
        ["show", "KB-0001"],
        ["report"],
        ["codeowners", "--check"],
    ],
    ids=" ".join,
)
def test_every_command_refuses_an_unknown_rule_code_in_the_configuration(
    kb_root: Path, run_cli: RunCli, command: list[str]
) -> None:
    """The codes are checked by the lint layer, which knows the rules (the configuration's
    loader, in the model below it, cannot); every command still refuses them, naming the key."""
    (kb_root / "kbtool.toml").write_text("[lint]\nper_file_ignores = {'a/*' = ['ST', 'XY999']}\n")
    result = run_cli("--today", TODAY, *command)
    output = result.output
    assert result.exit_code == 2, output
    expected = "kbtool.toml: 'lint.per_file_ignores' names unknown rule code(s) XY999"
    assert expected in output and "Traceback" not in output


@pytest.mark.parametrize(
    ("roster", "expected"),
    [
        ("people:\n  jdoe: {name: J\n", "roster.yml:2: invalid YAML"),
        ("people:\n  jdoe: {name: J, role: boss}\n", "roster.yml:2: person 'jdoe': unknown role"),
        ("people:\n  jdoe: {}\n  jdoe: {}\n", "roster.yml:3: duplicate key 'jdoe'"),
        (
            "people:\n  jdoe:\n    away_until: 2026-02-31\n",
            "roster.yml:3: person 'jdoe': 'away_until' must be a date",
        ),
    ],
)
def test_broken_roster(kb_root: Path, run_cli: RunCli, roster: str, expected: str) -> None:
    (kb_root / "procedures" / "roster.yml").write_text(roster)
    code, output = lint(run_cli)
    assert code == 2 and expected in output, output


def test_unreadable_file(kb_root: Path, run_cli: RunCli) -> None:
    path = kb_root / "procedures" / "email" / "outlook-profile.md"
    path.chmod(0)
    try:
        code, output = lint(run_cli)
    finally:
        path.chmod(0o644)
    if os.geteuid() == 0:
        # root reads files whatever their mode: the honest expectation is a normal lint.
        assert code == 0, output
    else:
        assert code == 1 and f"{MAIN}:1:1: FI005 cannot read file: Permission denied" in output


def test_unwalkable_folder(kb_root: Path, run_cli: RunCli) -> None:
    folder = kb_root / "procedures" / "locked"
    folder.mkdir()
    write_procedure(kb_root, "locked/x.md", procedure({"id": "KB-0002"}))
    folder.chmod(0)
    try:
        code, output = lint(run_cli)
    finally:
        folder.chmod(0o755)
    if os.geteuid() == 0:
        assert code == 0 and "2 files checked" in output, output  # root may list it anyway
    else:
        assert code == 1 and "FI005" in output and "locked" in output, output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--today", "2026-13-01", "lint"], "'2026-13-01' is not a date in YYYY-MM-DD form"),
        (["--today", "tomorrow", "lint"], "'tomorrow' is not a date"),
        (["lint", "--select", "FX001"], "--select: unknown rule code(s) FX001"),
        (["lint", "--ignore", "ST,QQ"], "--ignore: unknown rule code(s) QQ"),
        (["lint", "procedures/nope.md"], "no such file or folder: procedures/nope.md"),
        (["--config", "missing.toml", "lint"], "missing.toml: configuration file not found"),
        (["lint", "--format", "pdf"], "Invalid value for '--format'"),
    ],
)
def test_usage_errors(kb_root: Path, run_cli: RunCli, args: list[str], expected: str) -> None:
    result = run_cli(*args)
    output = result.output
    assert result.exit_code == 2 and expected in output, output
    assert "Traceback" not in output


def test_real_executable_on_a_bad_knowledge_base(kb_root: Path) -> None:
    write_procedure(kb_root, "bad.md", b"---\ntitle: caf\xe9\n---\n")
    write_procedure(kb_root, "broken.md", "---\nid: [x\n---\n")
    (kb_root / "procedures" / "sub").mkdir()
    os.symlink("..", kb_root / "procedures" / "sub" / "loop")
    os.symlink("self.md", kb_root / "procedures" / "self.md")
    done = subprocess.run(
        [str(KBTOOL), "--today", TODAY, "lint"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=kb_root,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert "procedures/bad.md:2:11: FI001" in done.stdout
    assert "procedures/broken.md:2:5: FM002" in done.stdout
    assert "procedures/self.md:1:1: FI005" in done.stdout
    assert "\x1b[" not in done.stdout  # no colour when not a terminal


def test_real_executable_usage_error(kb_root: Path) -> None:
    done = subprocess.run(
        [str(KBTOOL), "lint", "--select", "NOPE"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=kb_root,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "--select: unknown rule code(s) NOPE" in done.stderr
    assert "Traceback" not in done.stderr


def test_output_to_a_folder_is_a_clear_error(kb_root: Path, run_cli: RunCli) -> None:
    (kb_root / "reports").mkdir()
    result = run_cli("--today", "2026-11-01", "lint", "-o", "reports")
    assert result.exit_code == 2
    assert "reports" in result.output and "is a directory" in result.output
    assert "Traceback" not in result.output


def test_output_below_a_file_is_an_environment_error(kb_root: Path, run_cli: RunCli) -> None:
    # The output's folder cannot be made (a file stands in the way): exit 2, no traceback.
    result = run_cli("--today", "2026-11-01", "lint", "-o", "kbtool.toml/report.txt")
    assert result.exit_code == 2
    assert "kbtool.toml" in result.output
    assert "Traceback" not in result.output


def _limit_memory() -> None:  # reading /dev/zero to the end must not take the machine down
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


@pytest.mark.parametrize("special", ["device", "fifo"])
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--config", "{}", "lint"], "cannot read configuration: not a regular file"),
        (["lint", "--baseline", "{}"], "cannot read the baseline: not a regular file"),
        (["stale", "--baseline", "{}"], "cannot read the baseline: not a regular file"),
        (["eval", "{}"], "cannot read the evaluation file: not a regular file"),
        (["codeowners", "-o", "{}"], "cannot read: not a regular file"),
        (["codeowners", "--check", "-o", "{}"], "cannot read: not a regular file"),
    ],
)
def test_a_file_option_naming_a_device_or_a_pipe_is_refused_unread(
    kb_root: Path, special: str, args: list[str], message: str
) -> None:
    """`/dev/zero` was read until memory ran out; opening a named pipe waited for ever."""
    if special == "fifo":
        path = str(kb_root / "pipe")
        os.mkfifo(path)
    else:
        path = "/dev/zero"
    done = subprocess.run(
        [str(KBTOOL), "--today", TODAY, *(a.replace("{}", path) for a in args)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=kb_root,
        preexec_fn=_limit_memory,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"Error: {path}: {message}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
