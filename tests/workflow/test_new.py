"""`kbtool new`: the next free id, the owner from git, the template, never overwriting."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kbtool.core.errors import UsageError
from kbtool.workflow.scaffold import file_slug, next_free_id
from tests.conftest import TODAY, write_procedure

FLAGS = (
    "--title",
    "VPN drops every hour",
    "--service",
    "Network",
    "--owner",
    "jdoe",
    "--backup",
    "asmith",
    "--summary",
    "The VPN disconnects every hour.",
)


@pytest.mark.parametrize(
    ("ids", "pattern", "expected"),
    [
        (["KB-0001", "KB-0002"], r"KB-\d{4}", "KB-0003"),
        (["KB-0001", "KB-0042", "KB-0007"], r"KB-\d{4}", "KB-0043"),  # gaps are not refilled
        ([], r"KB-\d{4}", "KB-0001"),
        ([], r"^HR\d{3}$", "HR001"),
        (["KB-07", "KB-10"], r"KB-\d+", "KB-11"),
        (["KB-0009", "junk", "KB-12345"], r"KB-\d{4}", "KB-0010"),  # non-matching ids ignored
        (["A-9", "B-1", "B-2"], r"[AB]-\d", "B-3"),  # the most used prefix
    ],
)
def test_next_free_id(ids: list[str], pattern: str, expected: str) -> None:
    assert next_free_id(ids, pattern) == expected


@pytest.mark.parametrize(("ids", "pattern"), [(["KB-9999"], r"KB-\d{4}"), ([], r"[A-Z]{2,}-\w+")])
def test_next_free_id_refuses(ids: list[str], pattern: str) -> None:
    with pytest.raises(UsageError, match="pass --id"):
        next_free_id(ids, pattern)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ('Outlook is stuck on "Loading profile"', "outlook-is-stuck-on-loading-profile"),
        ("Café Wi-Fi: no IP!", "cafe-wi-fi-no-ip"),
        ("???", "procedure"),
    ],
)
def test_file_slug(title: str, slug: str) -> None:
    assert file_slug(title) == slug


def test_retired_and_broken_ids_are_never_reissued(
    kb_root: Path, run_cli: Callable[..., Any]
) -> None:
    write_procedure(kb_root, "old/retired.md", "---\nid: KB-0040\nstatus: retired\n---\n# Old\n")
    write_procedure(kb_root, "old/broken.md", "---\nid: KB-0041\ntitle: [unclosed\n---\n# X\n")
    result = run_cli("--today", TODAY, "new", *FLAGS)
    assert result.exit_code == 0, result.output
    assert "KB-0042" in result.output
    text = (kb_root / "procedures/network/vpn-drops-every-hour.md").read_text()
    assert "\nid: KB-0042\n" in text


def test_created_file_lints_clean(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli(
        "--today",
        TODAY,
        "new",
        *FLAGS,
        "--tag",
        "vpn,remote",
        "--error-code",
        "809",
        "--related",
        "KB-0001",
    )
    assert result.exit_code == 0, result.output
    path = kb_root / "procedures/network/vpn-drops-every-hour.md"
    text = path.read_text()
    for line in (
        "id: KB-0002",
        "title: VPN drops every hour",
        "service: Network",
        "tags: [vpn, remote]",
        "status: draft",
        "owner: jdoe",
        "backup: asmith",
        f"reviewed: {TODAY}",
        "escalate_to: team-lead",
        'error_codes: ["809"]',
        "related: [KB-0001]",
        "## Symptoms",
        "## Resolution",
        "## Escalation",
    ):
        assert f"\n{line}\n" in text
    lint = run_cli("--today", TODAY, "lint", str(path))
    assert lint.exit_code == 0, lint.output
    assert "0 errors, 0 warnings" in lint.output


def test_published_procedure_lints_clean(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli("--today", TODAY, "new", *FLAGS, "--status", "published")
    assert result.exit_code == 0, result.output
    lint = run_cli("--today", TODAY, "lint")
    assert lint.exit_code == 0, lint.output


def test_quoting_of_awkward_titles(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    title = 'Error: "access denied" # on share'
    result = run_cli(
        "--today", TODAY, "new", *FLAGS[2:], "--title", title, "--path", "procedures/odd.md"
    )
    assert result.exit_code == 0, result.output
    from kbtool.model.config import load_config
    from kbtool.model.procedure import load_procedure

    procedure = load_procedure(kb_root / "procedures/odd.md", "odd.md", load_config())
    assert procedure.title == title and not procedure.issues


def test_owner_from_git_email(
    kb_root: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(kb_root / "no-global-gitconfig"))
    subprocess.run(["git", "init", "-q", str(kb_root)], check=True)
    subprocess.run(
        ["git", "-C", str(kb_root), "config", "user.email", "ALAN@example.com"], check=True
    )
    result = run_cli(
        "--today",
        TODAY,
        "new",
        "--title",
        "Printer jams",
        "--service",
        "Printing",
        "--backup",
        "jdoe",
    )
    assert result.exit_code == 0, result.output
    assert "owner asmith" in result.output
    assert "\nowner: asmith\n" in (kb_root / "procedures/printing/printer-jams.md").read_text()


def test_owner_required_when_git_email_unknown(
    kb_root: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(kb_root / "no-global-gitconfig"))
    subprocess.run(["git", "init", "-q", str(kb_root)], check=True)
    subprocess.run(["git", "-C", str(kb_root), "config", "user.email", "who@else.org"], check=True)
    result = run_cli("--today", TODAY, "new", "--title", "Printer jams", "--service", "Printing")
    assert result.exit_code == 2
    assert "--owner is required: your git email (who@else.org) is not in the roster" in (
        result.output
    )


def test_prompts_for_missing_fields(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    answers = "\n".join(
        [
            "Scanner shows offline",  # title
            "The scanner says offline.",  # summary
            "Printing",  # service
            "jdoe",  # owner
            "asmith",  # backup
            "scanner, offline",  # tags
            "",  # escalate to: the default
        ]
    )
    result = run_cli("--today", TODAY, "new", "--interactive", input=answers + "\n")
    assert result.exit_code == 0, result.output
    assert "Title" in result.output and "Backup" in result.output
    text = (kb_root / "procedures/printing/scanner-shows-offline.md").read_text()
    assert "\ntags: [scanner, offline]\n" in text
    assert "\nsummary: The scanner says offline.\n" in text
    assert "\nescalate_to: team-lead\n" in text


def test_prompt_offers_only_catalogue_services(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    (kb_root / "kbtool.toml").write_text('[fields]\nservices = ["Email", "Printing"]\n')
    answers = "Printer jams\n\nPrinters\nPrinting\n\n\n\n"
    result = run_cli("--today", TODAY, "new", "--interactive", "--owner", "jdoe", input=answers)
    assert result.exit_code == 0, result.output
    assert "is not one of 'Email', 'Printing'" in result.output
    assert (kb_root / "procedures/printing/printer-jams.md").is_file()


def test_missing_title_without_terminal(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli("--today", TODAY, "new", "--service", "Email", "--owner", "jdoe")
    assert result.exit_code == 2
    assert "--title is required (no terminal to ask on" in result.output


def test_never_overwrites(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    target = kb_root / "procedures/network/vpn-drops-every-hour.md"
    target.parent.mkdir(parents=True)
    target.write_text("precious\n")
    result = run_cli("--today", TODAY, "new", *FLAGS)
    assert result.exit_code == 2
    assert "file already exists" in result.output and str(target) in result.output
    assert target.read_text() == "precious\n"
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary left


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--owner", "jdo"), "owner 'jdo' is not in the roster (did you mean 'jdoe'?)"),
        (("--backup", "jdoe"), "the backup must be someone other than the owner"),
        (("--id", "KB-0001"), "id 'KB-0001' is already taken"),
        (("--id", "XX-1"), "does not match id_pattern"),
        (("--related", "KB-0999"), "related id 'KB-0999' does not exist"),
        (("--escalate-to", "wizard"), "escalate_to 'wizard' is not a role, team or person"),
    ],
)
def test_bad_fields_refused(
    kb_root: Path, run_cli: Callable[..., Any], extra: tuple[str, ...], message: str
) -> None:
    result = run_cli("--today", TODAY, "new", *FLAGS, *extra)
    assert result.exit_code == 2
    assert message in result.output
    assert not (kb_root / "procedures/network").exists()


def test_dry_run_prints_and_writes_nothing(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli("--today", TODAY, "new", *FLAGS, "--dry-run")
    assert result.exit_code == 0
    assert result.output.startswith("---\nid: KB-0002\n")
    assert not (kb_root / "procedures/network").exists()


def test_aliases_and_date_format_used(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    (kb_root / "kbtool.toml").write_text(
        '[fields]\naliases = { owner = "ms.author", reviewed = "ms.date" }\n'
        'date_formats = ["%m/%d/%Y"]\n'
    )
    result = run_cli("--today", TODAY, "new", *FLAGS, "--dry-run")
    assert result.exit_code == 0
    assert "\nms.author: jdoe\n" in result.output
    assert "\nms.date: 11/01/2026\n" in result.output


def test_without_roster_the_owner_is_taken_at_its_word(
    kb_root: Path, run_cli: Callable[..., Any]
) -> None:
    (kb_root / "procedures/roster.yml").unlink()
    result = run_cli("--today", TODAY, "new", *FLAGS[:-2], "--owner", "someone", "--dry-run")
    assert result.exit_code == 0
    assert "\nowner: someone\n" in result.output
