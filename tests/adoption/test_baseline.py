"""A baseline: `kbtool lint --baseline FILE [--update-baseline]` and `kbtool stale --baseline`,
so a knowledge base adopted with thousands of findings can turn CI on the same day."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import RunCli, procedure, write_procedure

LATE = "2027-06-01"  # every procedure reviewed 2026-10-01 (180 days) is overdue by then


@pytest.fixture
def adopted(kb_root: Path) -> Path:
    """Three procedures with day-one findings: no backup, overdue, a broken link."""
    write_procedure(kb_root, "email/no-backup.md", procedure({"id": "KB-0002", "backup": None}))
    write_procedure(
        kb_root,
        "net/vpn.md",
        procedure({"id": "KB-0003"}, body="# VPN\n\n[gone](missing.md)\n"),
    )
    return kb_root


def lint_json(run_cli: RunCli, *args: str) -> tuple[int, dict]:
    result = run_cli("--today", LATE, "lint", "--format", "json", *args)
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def test_update_writes_a_sorted_stable_baseline_and_then_nothing_is_new(
    adopted: Path, run_cli: RunCli
) -> None:
    code, before = lint_json(run_cli)
    assert code == 1 and len(before["findings"]) >= 5
    result = run_cli("--today", LATE, "lint", "--baseline", "base.json", "--update-baseline")
    assert result.exit_code == 0, result.output
    assert f"wrote base.json: {len(before['findings'])} findings" in result.stderr
    text = (adopted / "base.json").read_text("utf-8")
    data = json.loads(text)
    assert data["kbtool_baseline"] == 1
    keys = [(e["path"], e["code"], e["fingerprint"]) for e in data["findings"]]
    assert keys == sorted(keys) and len(set(keys)) == len(keys) == len(before["findings"])
    assert {e["path"] for e in data["findings"]} == {
        "procedures/email/no-backup.md",
        "procedures/net/vpn.md",
        "procedures/email/outlook-profile.md",
    }
    # a second update changes nothing: the file is stable
    run_cli("--today", LATE, "lint", "--baseline", "base.json", "--update-baseline")
    assert (adopted / "base.json").read_text("utf-8") == text
    code, after = lint_json(run_cli, "--baseline", "base.json")
    assert code == 0 and after["findings"] == []
    assert after["summary"]["baselined"] == len(before["findings"])
    result = run_cli("--today", LATE, "lint", "--baseline", "base.json")
    n = len(before["findings"])
    assert result.stdout == (
        f"3 files checked: 0 errors, 0 warnings, 0 info ({n} more in the baseline, not shown)."
        " Nothing new.\n"
    )


def test_lines_moving_and_days_passing_do_not_resurrect_a_finding(
    adopted: Path, run_cli: RunCli
) -> None:
    run_cli("--today", LATE, "lint", "--baseline", "base.json", "--update-baseline")
    path = adopted / "procedures" / "net" / "vpn.md"
    text = path.read_text("utf-8").replace("# VPN\n", "# VPN\n\nA new paragraph.\n\nAnother.\n")
    path.write_text(text, "utf-8")
    result = run_cli("--today", "2027-09-09", "lint", "--baseline", "base.json")
    assert result.exit_code == 0, result.output  # "overdue by N days" grew, the link moved
    # from another folder the baseline means the same (paths are from the root)
    import os

    os.chdir(adopted / "procedures")
    result = run_cli("--today", LATE, "lint", "--baseline", "../base.json")
    assert result.exit_code == 0, result.output


def test_a_new_finding_is_reported_and_fails(adopted: Path, run_cli: RunCli) -> None:
    run_cli("--today", LATE, "lint", "--baseline", "base.json", "--update-baseline")
    write_procedure(adopted, "new.md", procedure({"id": "KB-0009", "owner": "nobody"}))
    code, data = lint_json(run_cli, "--baseline", "base.json")
    assert code == 1
    assert {(f["path"], f["code"]) for f in data["findings"]} >= {("procedures/new.md", "OW002")}
    assert all(f["path"] == "procedures/new.md" for f in data["findings"])


def test_fixed_findings_are_dropped_on_update(adopted: Path, run_cli: RunCli) -> None:
    run_cli("--today", LATE, "lint", "--baseline", "base.json", "--update-baseline")
    write_procedure(adopted, "email/no-backup.md", procedure({"id": "KB-0002"}))
    result = run_cli("--today", LATE, "lint", "--baseline", "base.json")
    assert result.exit_code == 0
    assert "note: 1 baselined finding is fixed; run with --update-baseline" in result.stderr
    result = run_cli("--today", LATE, "lint", "--baseline", "base.json", "--update-baseline")
    assert "(0 added, 1 fixed and dropped)" in result.stderr
    codes = {(e["path"], e["code"]) for e in json.loads(Path("base.json").read_text())["findings"]}
    assert ("procedures/email/no-backup.md", "OW005") not in codes


def test_rules_not_run_keep_their_entries(adopted: Path, run_cli: RunCli) -> None:
    run_cli("--today", LATE, "lint", "--baseline", "base.json", "--update-baseline")
    before = json.loads(Path("base.json").read_text())["findings"]
    run_cli(
        "--today", LATE, "lint", "--select", "OW", "--baseline", "base.json", "--update-baseline"
    )
    assert json.loads(Path("base.json").read_text())["findings"] == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "base.json: baseline file not found; create it with --update-baseline"),
        ("{not json", "base.json:1: baseline is not valid JSON"),
        ('{"kbtool_baseline": ' + "1" * 5000 + "}", "base.json: baseline is not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "base.json: baseline is not valid JSON: arrays"),
        ('{"findings": []}', "not a kbtool baseline"),
        ('{"kbtool_baseline": 1, "findings": [{"path": "x"}]}', "finding 1 needs a path"),
    ],
)
def test_a_bad_baseline_is_a_clear_error(
    adopted: Path, run_cli: RunCli, content: str | None, message: str
) -> None:
    if content is not None:
        Path("base.json").write_text(content, "utf-8")
    result = run_cli("--today", LATE, "lint", "--baseline", "base.json")
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [("--update-baseline",), ("--baseline", "b.json", "--update-baseline", "procedures/net")],
)
def test_update_needs_a_file_and_the_whole_knowledge_base(
    adopted: Path, run_cli: RunCli, args: tuple[str, ...]
) -> None:
    result = run_cli("lint", *args)
    assert result.exit_code == 2 and "--update-baseline" in result.output


def test_stale_leaves_out_what_the_baseline_accepts(adopted: Path, run_cli: RunCli) -> None:
    result = run_cli("--today", LATE, "stale", "--fail")
    assert result.exit_code == 1 and "3 overdue" in result.stdout
    run_cli("--today", LATE, "lint", "--baseline", "base.json", "--update-baseline")
    result = run_cli("--today", LATE, "stale", "--fail", "--baseline", "base.json")
    assert result.exit_code == 0, result.output
    assert "0 overdue" in result.stdout and "3 more in the baseline, not listed" in result.stdout
    data = json.loads(
        run_cli("--today", LATE, "stale", "--format", "json", "--baseline", "base.json").stdout
    )
    assert data["groups"] == [] and data["summary"]["baselined"] == 3
    # a procedure that goes overdue after adoption is reported
    write_procedure(adopted, "late.md", procedure({"id": "KB-0010", "reviewed": "2026-01-02"}))
    result = run_cli("--today", LATE, "stale", "--fail", "--baseline", "base.json")
    assert result.exit_code == 1 and "KB-0010" in result.stdout


def test_the_site_builds_strictly_with_the_baseline_and_fails_on_a_new_finding(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.site.conftest import mkdocs_build, site_procedure, write_kb

    broken = site_procedure("KB-0001", "Printer jams").replace("backup: asmith\n", "")
    root = write_kb(tmp_path, {"printing/jam.md": broken})
    monkeypatch.chdir(root)
    assert mkdocs_build(root, "--strict").returncode != 0  # OW005: no backup
    run_cli("--today", "2026-11-01", "lint", "--baseline", "base.json", "--update-baseline")
    yml = root / "mkdocs.yml"
    yml.write_text(
        yml.read_text("utf-8").replace("      today:", "      baseline: base.json\n      today:")
    )
    build = mkdocs_build(root, "--strict")
    assert build.returncode == 0, build.log
    (root / "procedures" / "printing" / "new.md").write_text(
        site_procedure("KB-0002", "Scanner", owner="nobody"), "utf-8"
    )
    build = mkdocs_build(root, "--strict")
    assert build.returncode != 0 and "OW002" in build.log
