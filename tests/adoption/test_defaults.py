"""Defaults by folder (`[[defaults]]` in kbtool.toml) and by person (a standing `backup:` in the
roster): the effective procedure that lint, stale, report, show, CODEOWNERS and the site read."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kbtool.core.errors import ConfigError, RosterError
from kbtool.model.config import load_config
from kbtool.model.knowledge_base import load_knowledge_base
from kbtool.model.roster import load_roster
from tests.conftest import TODAY, RunCli, procedure, write_procedure

ROSTER = """\
people:
  jdoe: {name: Jane Doe, role: senior-agent, team: desk, github: janedoe, backup: okim}
  okim: {name: Oh Kim, role: agent, team: desk, github: ohkim}
  asmith: {name: Alan Smith, role: agent, team: desk, github: alansmith}
  mail: {name: Mail Lead, role: team-lead, team: desk, github: maillead}
teams:
  desk: {name: Service Desk, lead: mail}
"""

CONFIG = """\
[[defaults]]
path = "**"
review_every = 90

[[defaults]]
path = "email/**"
service = "Email"
owner = "mail"
backup = "asmith"
escalate_to = "team-lead"
"""


@pytest.fixture
def kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Procedures naming neither service nor backup, with defaults to fill them."""
    (tmp_path / "procedures").mkdir()
    (tmp_path / "procedures" / "roster.yml").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "kbtool.toml").write_text(CONFIG, encoding="utf-8")
    bare = {"service": None, "owner": None, "backup": None, "review_every": None}
    write_procedure(tmp_path, "email/outlook.md", procedure({**bare, "escalate_to": None}))
    # jdoe owns this one and names no backup: the folder's backup (asmith) applies
    write_procedure(tmp_path, "email/own.md", procedure({**bare, "id": "KB-0002", "owner": "jdoe"}))
    # outside email/: no service default; jdoe's standing backup applies
    write_procedure(
        tmp_path,
        "network/vpn.md",
        procedure({**bare, "id": "KB-0003", "owner": "jdoe", "service": "Network"}),
    )
    # everything written in front matter wins over every default
    write_procedure(
        tmp_path,
        "email/written.md",
        procedure({"id": "KB-0004", "owner": "asmith", "backup": "jdoe", "review_every": "60"}),
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_effective_values_and_where_they_came_from(kb: Path) -> None:
    loaded = load_knowledge_base(load_config(cwd=kb))
    by_path = {p.rel_path: p for p in loaded.procedures}
    outlook = by_path["email/outlook.md"]
    assert (outlook.service, outlook.owner, outlook.backup) == ("Email", "mail", "asmith")
    assert outlook.review_every == 90 and outlook.escalate_to == "team-lead"
    assert outlook.origins == {
        "service": "default for email/**",
        "owner": "default for email/**",
        "backup": "default for email/**",
        "escalate_to": "default for email/**",
        "review_every": "default for **",
    }
    own = by_path["email/own.md"]
    assert (own.owner, own.backup) == ("jdoe", "asmith")
    vpn = by_path["network/vpn.md"]
    assert (vpn.service, vpn.backup) == ("Network", "okim")
    assert vpn.origins["backup"] == "standing backup of jdoe"
    assert "service" not in vpn.origins
    written = by_path["email/written.md"]
    assert (written.owner, written.backup, written.review_every) == ("asmith", "jdoe", 60)
    assert written.origins == {}


def test_a_folder_default_never_makes_the_owner_their_own_backup(kb: Path) -> None:
    write_procedure(
        kb, "email/mail-owns.md", procedure({"id": "KB-0005", "owner": "mail", "backup": None})
    )
    loaded = load_knowledge_base(load_config(cwd=kb))
    mine = next(p for p in loaded.procedures if p.rel_path == "email/mail-owns.md")
    assert mine.backup == "asmith"  # asmith is the folder's backup, mail the owner: kept
    (kb / "kbtool.toml").write_text(CONFIG.replace('backup = "asmith"', 'backup = "jdoe"'))
    write_procedure(
        kb, "email/jdoe-owns.md", procedure({"id": "KB-0006", "owner": "jdoe", "backup": None})
    )
    loaded = load_knowledge_base(load_config(cwd=kb))
    jdoe = next(p for p in loaded.procedures if p.rel_path == "email/jdoe-owns.md")
    assert (jdoe.backup, jdoe.origins["backup"]) == ("okim", "standing backup of jdoe")


def test_lint_sees_the_effective_values(kb: Path, run_cli: RunCli) -> None:
    result = run_cli("--today", TODAY, "lint", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    codes = sorted({f["code"] for f in findings})
    assert not {"OW001", "OW005", "FM005"} & set(codes), findings
    assert result.exit_code == 0, result.output


def test_a_default_naming_someone_unknown_is_reported_with_its_origin(
    kb: Path, run_cli: RunCli
) -> None:
    (kb / "kbtool.toml").write_text(CONFIG.replace('backup = "asmith"', 'backup = "asmiht"'))
    result = run_cli("--today", TODAY, "lint", "--select", "OW006")
    assert result.exit_code == 1
    assert (
        "procedures/email/outlook.md:1:1: OW006 backup 'asmiht' (default for email/**) is not "
        "in the roster; did you mean 'asmith'?"
    ) in result.output


def test_show_says_where_a_value_came_from(kb: Path, run_cli: RunCli) -> None:
    assert run_cli("index").exit_code == 0
    result = run_cli("--today", TODAY, "show", "KB-0003")
    assert result.exit_code == 0, result.output
    assert "Backup: Oh Kim (okim) (standing backup of jdoe)" in result.output
    result = run_cli("--today", TODAY, "show", "KB-0001")
    assert "Email (default for email/**)" in result.output
    assert "Owner:  Mail Lead (mail) (default for email/**)" in result.output
    shown = json.loads(run_cli("--today", TODAY, "show", "KB-0003", "--json").stdout)
    assert shown["backup"] == "okim" and shown["origins"] == {
        "backup": "standing backup of jdoe",
        "review_every": "default for **",
    }


def test_search_sees_the_defaults_and_the_standing_backup(kb: Path) -> None:
    from kbtool.search.response import hit_json
    from kbtool.search.searcher import open_searcher

    config = load_config(cwd=kb)
    with open_searcher(config, today=dt.date.fromisoformat(TODAY)) as searcher:
        vpn = searcher.search("KB-0003").results[0]
        mail = searcher.search("outlook", owner="mail").results
    assert (vpn.id, vpn.backup) == ("KB-0003", "okim")
    assert hit_json(vpn)["backup"] == "okim"
    assert {hit.path for hit in mail} == {"email/outlook.md"}  # the owner filter: the default


def test_stale_and_codeowners_see_the_defaults(kb: Path, run_cli: RunCli) -> None:
    # reviewed 2026-10-01 with the default 90 days: overdue on 2027-01-15, owner mail from email/
    result = run_cli("--today", "2027-01-15", "stale", "--format", "json")
    report = json.loads(result.stdout)
    entries = {e["path"]: e for group in report["groups"] for e in group["procedures"]}
    assert entries["email/outlook.md"]["owner"] == "mail", report
    assert entries["network/vpn.md"]["backup"] == "okim"
    assert run_cli("codeowners").exit_code == 0
    codeowners = (kb / ".github" / "CODEOWNERS").read_text("utf-8")
    assert "/procedures/email/outlook.md @maillead @alansmith" in codeowners
    assert "/procedures/network/vpn.md @janedoe @ohkim" in codeowners


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[defaults]]\nservice = "Email"\n', "'defaults[0].path' is missing"),
        ('[[defaults]]\npath = "/email/**"\nowner = "x"\n', "'defaults[0].path' '/email/**'"),
        ('[[defaults]]\npath = "../x/*"\nowner = "x"\n', "must stay inside"),
        ('[[defaults]]\npath = "email\\\\*"\nowner = "x"\n', "must use / between folders"),
        ('[[defaults]]\npath = "e[ma/*"\nowner = "x"\n', "unclosed [ ... ] set"),
        ('[[defaults]]\npath = ["a/*", 3]\nowner = "x"\n', "'defaults[0].path[1]'"),
        ('[[defaults]]\npath = "a/*"\nsevrice = "x"\n', "did you mean 'service'"),
        ('[[defaults]]\npath = "a/*"\ntitle = "x"\n', "'title' cannot be defaulted"),
        ('[[defaults]]\npath = "a/*"\n', "'defaults[0]' gives no field a default"),
        ('[[defaults]]\npath = "a"\naudience = "Beginner"\n', "use one of L1, L2, L3"),
        ('[[defaults]]\npath = "a"\nreview_every = 0\n', "'defaults[0].review_every'"),
        ('[[defaults]]\npath = "a"\nowner = "x"\nbackup = "x"\n', "'defaults[0].backup'"),
        ('defaults = {path = "a"}\n', "'defaults' must be [[defaults]] tables"),
        (
            '[fields]\nservices = ["Email"]\n[[defaults]]\npath = "a"\nservice = "Emial"\n',
            "'defaults[0].service' 'Emial' is not in fields.services (did you mean 'Email'?)",
        ),
    ],
)
def test_bad_defaults_name_the_key(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "kbtool.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(cwd=tmp_path)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("email/**", "email/a.md", True),
        ("email/**", "email/sub/a.md", True),
        ("email", "email/sub/a.md", True),
        ("email/", "email/a.md", True),
        ("email", "emailer/a.md", False),
        ("*.md", "top.md", True),
        ("email/*.md", "network/a.md", False),
        ("email/outlook.md", "email/outlook.md", True),
    ],
)
def test_globs_are_relative_to_the_procedures_folder(
    tmp_path: Path, glob: str, path: str, matches: bool
) -> None:
    (tmp_path / "kbtool.toml").write_text(f'[[defaults]]\npath = "{glob}"\nowner = "x"\n')
    (block,) = load_config(cwd=tmp_path).defaults
    assert (block.match(path) is not None) is matches


@pytest.mark.parametrize(
    ("person", "message"),
    [
        ("  jdoe: {name: J, backup: jdoe}\n", "person 'jdoe' is their own backup"),
        ("  jdoe: {name: J, backup: okmi}\n  okim: {name: O}\n", "did you mean 'okim'?"),
    ],
)
def test_a_bad_standing_backup_names_the_person(tmp_path: Path, person: str, message: str) -> None:
    path = tmp_path / "roster.yml"
    path.write_text("people:\n" + person, encoding="utf-8")
    with pytest.raises(RosterError) as caught:
        load_roster(path)
    assert message in str(caught.value) and caught.value.line == 2


def test_the_site_card_and_owners_page_show_the_effective_values(tmp_path: Path) -> None:
    from tests.site.conftest import mkdocs_build, site_procedure, write_kb

    vpn = site_procedure("KB-0003", "VPN drops", service="Network", owner="jdoe")
    vpn = vpn.replace("backup: asmith\n", "")
    root = write_kb(tmp_path, {"network/vpn.md": vpn}, roster=ROSTER)
    (root / "kbtool.toml").write_text('[[defaults]]\npath = "network"\naudience = "L2"\n')
    (root / "procedures" / "network" / "vpn.md").write_text(
        vpn.replace("audience: L1\n", ""), encoding="utf-8"
    )
    build = mkdocs_build(root, "--strict")
    assert build.returncode == 0, build.log
    page = build.html("procedures/network/vpn/")
    assert '<span class="kbtool-origin">(standing backup of jdoe)</span>' in page
    assert 'L2 <span class="kbtool-origin">(default for network)</span>' in page
    owners = build.html("owners/")
    assert (
        '<td data-label="Owner">Jane Doe (jdoe)</td>\n<td data-label="Backup">Oh Kim (okim)</td>'
        '\n<td data-label="Named by">standing backup (roster)</td>'
    ) in owners
