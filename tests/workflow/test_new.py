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
    # No error; warnings only for the template's text still to replace (ST005).
    assert "0 errors," in lint.output
    assert {line.split()[1] for line in lint.output.splitlines() if ".md:" in line} == {"ST005"}


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
            "y",  # a new service: yes, add it
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


@pytest.mark.parametrize("folder", ["../outside", "../../outside", "/ABS/outside", "out-link"])
def test_a_folder_outside_the_procedures_is_refused(
    kb_root: Path, run_cli: Callable[..., Any], folder: str
) -> None:
    """`--folder` is a sub-folder of the procedures: a file outside is one nothing finds."""
    (kb_root / "elsewhere").mkdir()
    (kb_root / "procedures" / "out-link").symlink_to(kb_root / "elsewhere")
    folder = folder.replace("/ABS", str(kb_root))
    result = run_cli("--today", TODAY, "new", *FLAGS, "--folder", folder)
    assert result.exit_code == 2, result.output
    assert "is not inside the procedures folder" in result.output
    assert not list(kb_root.rglob("vpn-drops-every-hour.md"))
    assert not (kb_root.parent / "outside").exists()


@pytest.mark.parametrize("name", ["notes.txt", "vpn.markdown", "vpn"])
def test_a_path_that_is_not_markdown_is_refused(
    kb_root: Path, run_cli: Callable[..., Any], name: str
) -> None:
    result = run_cli("--today", TODAY, "new", *FLAGS, "--path", f"procedures/{name}")
    assert result.exit_code == 2, result.output
    assert "a procedure is a Markdown file ending in .md" in result.output
    assert not (kb_root / "procedures" / name).exists()


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


def test_each_answer_is_checked_as_it_is_given(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    """A wrong answer is asked again at once: nothing typed before it is lost (issue 13)."""
    answers = "\n".join(
        [
            "Scanner shows offline",  # title
            "The scanner says offline.",  # summary
            "Emial",  # service: close to Email, asked again
            "Email",
            "nobody",  # owner: not in the roster
            "gone",  # owner: has left
            "jdoe",
            "jdoe",  # backup: the owner again
            "asmith",
            "",  # tags
            "wizard",  # escalate to: nobody of the roster
            "team-lead",
        ]
    )
    result = run_cli("--today", TODAY, "new", "--interactive", input=answers + "\n")
    assert result.exit_code == 0, result.output
    for said in (
        "Error: 'Emial' is not a service in use (did you mean 'Email'?)",
        "Error: 'nobody' is not in the roster",
        "Error: 'gone' has left (active: false in the roster); choose someone active",
        "Error: the backup must be someone other than the owner",
        "Error: 'wizard' is not a role, team or person of the roster",
    ):
        assert said in result.output, said
    text = (kb_root / "procedures/email/scanner-shows-offline.md").read_text()
    for line in ("service: Email", "owner: jdoe", "backup: asmith", "escalate_to: team-lead"):
        assert f"\n{line}\n" in text


@pytest.mark.parametrize(("confirm", "created"), [("y", True), ("n", False)])
def test_a_new_service_only_after_confirming(
    kb_root: Path, run_cli: Callable[..., Any], confirm: str, created: bool
) -> None:
    answers = ["Badge reader broken", "", "Facilities", confirm]
    if not created:
        answers += ["Email"]  # asked again, answered with one in use
    answers += ["jdoe", "asmith", "", ""]
    result = run_cli("--today", TODAY, "new", "--interactive", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "'Facilities' is a new service (in use: Email); add it?" in result.output
    folder = "facilities" if created else "email"
    assert (kb_root / f"procedures/{folder}/badge-reader-broken.md").is_file()


def test_a_fresh_draft_is_flagged_until_its_placeholders_are_replaced(
    kb_root: Path, run_cli: Callable[..., Any]
) -> None:
    result = run_cli("--today", TODAY, "new", *FLAGS)
    assert result.exit_code == 0, result.output
    path = kb_root / "procedures/network/vpn-drops-every-hour.md"
    lint = run_cli("--today", TODAY, "lint", str(path), "--select", "ST005")
    assert lint.exit_code == 0  # a warning: the draft is still written
    lines = [line for line in lint.output.splitlines() if "ST005" in line]
    assert len(lines) == 8, lint.output  # the note, three comments, four placeholders
    text = path.read_text()
    body = text.split("\n# ", 1)[1]
    import re

    real = re.sub(r"<!--.*?-->\n", "", body, flags=re.S)
    real = real.replace("*First step.*", "Restart the VPN client.")
    real = real.replace("*Second step.*", "Reconnect.")
    real = re.sub(r"^- \*.*\*$|^\*.*\*$", "Real text.", real, flags=re.M)
    path.write_text(text.split("\n# ", 1)[0] + "\n# " + real)
    clean = run_cli("--today", TODAY, "lint", str(path), "--select", "ST005")
    assert "ST005" not in clean.output, clean.output


def test_comments_are_not_searched_nor_shown(kb_root: Path, run_cli: Callable[..., Any]) -> None:
    result = run_cli("--today", TODAY, "new", *FLAGS)
    assert result.exit_code == 0, result.output
    # "italics" is only in the template's note to the author, a comment of four lines.
    found = run_cli("search", "italics", "--json")
    assert found.exit_code == 1, found.output
    snippet = run_cli("search", "vpn", "drops", "--json")
    hits = __import__("json").loads(snippet.stdout)["results"]
    assert hits and all("<!--" not in hit["snippet"] for hit in hits)
    assert all("Numbered steps" not in hit["snippet"] for hit in hits)
