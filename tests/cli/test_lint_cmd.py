"""`kbtool lint` through the real command line (CliRunner), and in a real git repository."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BODY, TODAY, RunCli, procedure, write_procedure

BULLETS = BODY.replace("1. ", "- ").replace("2. ", "- ")
LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]{2}\d{3}) .+$")


def lint(run_cli: RunCli, *args: str, today: str = TODAY) -> tuple[int, str]:
    result = run_cli("--today", today, "lint", *args)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def finding_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if LINE.match(line)]


def test_text_format_exactly(kb_root: Path, run_cli: RunCli) -> None:
    write_procedure(
        kb_root,
        "net/vpn.md",
        procedure(
            {"id": "KB-0002", "owner": "jdeo", "onwer": "x"}, body=BODY + "\n[a](missing.md)\n"
        ),
    )
    code, output = lint(run_cli)
    assert code == 1
    assert output.splitlines() == [
        "procedures/net/vpn.md:9:1: OW002 owner 'jdeo' is not in the roster; did you mean 'jdoe'?",
        "procedures/net/vpn.md:16:1: FM008 unknown key 'onwer'; did you mean 'owner'?",
        "procedures/net/vpn.md:34:1: LN001 link target 'missing.md' does not exist",
        "2 files checked: 2 errors, 1 warning, 0 info",
    ]


@pytest.mark.parametrize(
    ("changes", "exit_code"),
    [
        ({}, 0),
        ({"onwer": "x"}, 0),  # warnings alone pass
        ({"owner": "nobody"}, 1),
    ],
)
def test_exit_codes(
    kb_root: Path, run_cli: RunCli, changes: dict[str, str], exit_code: int
) -> None:
    write_procedure(kb_root, "email/outlook-profile.md", procedure(changes))
    assert lint(run_cli)[0] == exit_code


def test_exit_code_2_for_usage(kb_root: Path, run_cli: RunCli) -> None:
    assert lint(run_cli, "--select", "NOPE")[0] == 2


def many_problems(kb_root: Path) -> None:
    write_procedure(
        kb_root,
        "email/outlook-profile.md",
        procedure({"owner": "gone", "reviewed": "2026-01-01", "colour": "x"}, body=BULLETS),
    )


@pytest.mark.parametrize(
    ("args", "codes"),
    [
        ([], ["FM008", "FR001", "OW003", "ST002"]),
        (["--select", "FR"], ["FR001"]),
        (["--select", "FR,OW"], ["FR001", "OW003"]),
        (["--select", "FR", "--select", "ST002"], ["FR001", "ST002"]),
        (["--ignore", "F"], ["OW003", "ST002"]),
        (["--ignore", "fm008,st"], ["FR001", "OW003"]),
        (["--select", "ALL", "--ignore", "OW003"], ["FM008", "FR001", "ST002"]),
    ],
)
def test_select_and_ignore_by_prefix(
    kb_root: Path, run_cli: RunCli, args: list[str], codes: list[str]
) -> None:
    many_problems(kb_root)
    _, output = lint(run_cli, *args)
    assert sorted(LINE.match(x).group("code") for x in finding_lines(output)) == codes  # type: ignore[union-attr]


def test_configuration_select_ignore_and_severity(kb_root: Path, run_cli: RunCli) -> None:
    many_problems(kb_root)
    (kb_root / "kbtool.toml").write_text(
        '[lint]\nignore = ["FM008"]\n[lint.severity]\nFR = "warning"\nOW003 = "info"\n'
        'ST002 = "warning"\n'
    )
    code, output = lint(run_cli, "--format", "json")
    assert code == 0  # everything was downgraded
    data = json.loads(output)
    got = {(f["code"], f["severity"]) for f in data["findings"]}
    assert got == {("FR001", "warning"), ("OW003", "info"), ("ST002", "warning")}
    assert data["summary"]["errors"] == 0


def test_command_line_select_replaces_configured_select(kb_root: Path, run_cli: RunCli) -> None:
    many_problems(kb_root)
    (kb_root / "kbtool.toml").write_text('[lint]\nselect = ["FR"]\n')
    assert [x.split()[1] for x in finding_lines(lint(run_cli)[1])] == ["FR001"]
    assert [x.split()[1] for x in finding_lines(lint(run_cli, "--select", "OW")[1])] == ["OW003"]


def test_per_file_ignores(kb_root: Path, run_cli: RunCli) -> None:
    many_problems(kb_root)
    write_procedure(kb_root, "legacy/old.md", procedure({"id": "KB-0002"}, body=BULLETS))
    (kb_root / "kbtool.toml").write_text('[lint.per_file_ignores]\n"legacy/*" = ["ST", "FR"]\n')
    _, output = lint(run_cli)
    assert "legacy/old.md" not in output
    assert "outlook-profile.md:25:1: ST002" in output


def test_in_file_disable_comment(kb_root: Path, run_cli: RunCli) -> None:
    body = BULLETS + "\n<!-- kbtool: disable ST002, FR -->\n"
    write_procedure(
        kb_root, "email/outlook-profile.md", procedure({"reviewed": "2026-01-01"}, body=body)
    )
    code, output = lint(run_cli)
    assert code == 0 and finding_lines(output) == [], output
    write_procedure(
        kb_root, "email/outlook-profile.md", procedure({"reviewed": "2026-01-01"}, body=BULLETS)
    )
    assert lint(run_cli)[0] == 1


def test_statistics(kb_root: Path, run_cli: RunCli) -> None:
    many_problems(kb_root)
    write_procedure(kb_root, "b.md", procedure({"id": "KB-0002", "colour": "y", "shade": "z"}))
    _, output = lint(run_cli, "--statistics")
    stats = [x.split() for x in output.splitlines() if re.match(r"^\s+\d+\s+[A-Z]{2}\d", x)]
    assert stats == [
        ["3", "FM008", "unknown-key"],
        ["1", "FR001", "overdue"],
        ["1", "OW003", "owner-inactive"],
        ["1", "ST002", "no-numbered-steps"],
    ]


def test_lint_one_file_and_one_folder(kb_root: Path, run_cli: RunCli) -> None:
    write_procedure(kb_root, "net/vpn.md", procedure({"id": "KB-0002", "owner": "nobody"}))
    write_procedure(kb_root, "net/wifi.md", procedure({"id": "KB-0003", "owner": "nobody"}))
    _, one = lint(run_cli, "procedures/net/vpn.md")
    assert [x.split(":")[0] for x in finding_lines(one)] == ["procedures/net/vpn.md"]
    assert "1 file checked" in one
    _, folder = lint(run_cli, "procedures/net")
    assert "2 files checked" in folder and "outlook-profile" not in folder
    code, clean = lint(run_cli, "procedures/email")
    assert code == 0 and "1 file checked" in clean


def test_relative_paths_from_a_sub_folder(
    kb_root: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_procedure(kb_root, "net/vpn.md", procedure({"id": "KB-0002", "owner": "nobody"}))
    monkeypatch.chdir(kb_root / "procedures" / "net")
    _, output = lint(run_cli)
    assert output.startswith("vpn.md:9:1: OW002")


def test_file_outside_the_knowledge_base_sees_its_ids(
    kb_root: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    outside = kb_root / "draft.md"
    outside.write_text(procedure({"id": "KB-0001", "related": "[KB-0001]"}))
    _, output = lint(run_cli, "draft.md")
    assert "draft.md:2:1: FM010 id 'KB-0001' is also used by email/outlook-profile.md" in output


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_changed_since_in_a_real_repository(kb_root: Path, run_cli: RunCli) -> None:
    write_procedure(kb_root, "net/vpn.md", procedure({"id": "KB-0002"}))
    write_procedure(kb_root, "net/wifi.md", procedure({"id": "KB-0003"}))
    git(kb_root, "init", "-q", "-b", "main")
    git(kb_root, "-c", "user.name=T", "-c", "user.email=t@example.com", "add", ".")
    git(kb_root, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "x")
    write_procedure(kb_root, "net/vpn.md", procedure({"id": "KB-0002", "owner": "nobody"}))
    code, output = lint(run_cli, "--changed-since", "HEAD")
    assert code == 1
    assert "1 file checked" in output
    assert [x.split(":")[0] for x in finding_lines(output)] == ["procedures/net/vpn.md"]
    code, output = lint(run_cli, "--changed-since", "HEAD", "procedures/email")
    assert code == 0 and "0 files checked" in output
    code, output = lint(run_cli, "--changed-since", "no-such-ref")
    assert code == 2 and "no-such-ref" in output


def test_no_colour_when_not_a_terminal(kb_root: Path) -> None:
    write_procedure(kb_root, "email/outlook-profile.md", procedure({"owner": "nobody"}))
    kbtool = Path(sys.executable).parent / "kbtool"

    def run(*args: str) -> str:
        done = subprocess.run(
            [str(kbtool), "--today", TODAY, "lint", *args],
            cwd=kb_root,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1
        return done.stdout

    assert "\x1b[" not in run()  # a pipe is not a terminal
    assert "\x1b[31mOW002\x1b[0m" in run("--color")


def test_output_file(kb_root: Path, run_cli: RunCli) -> None:
    write_procedure(kb_root, "email/outlook-profile.md", procedure({"owner": "nobody"}))
    code, output = lint(run_cli, "-o", "report.txt")
    assert code == 1 and "OW002" not in output
    assert "OW002" in (kb_root / "report.txt").read_text()


def test_note_when_there_is_no_roster(kb_root: Path, run_cli: RunCli) -> None:
    (kb_root / "procedures" / "roster.yml").unlink()
    result = run_cli("--today", TODAY, "lint")
    assert result.exit_code == 0
    assert "note: no roster at" in result.stderr
