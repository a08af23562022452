"""A small knowledge base for the search tests: written here, never the shared corpus."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.conftest import procedure, procedure_body, write_procedure


def search_procedure(values: Mapping[str, str]) -> str:
    """A procedure of this knowledge base from its values (those of PROCEDURES)."""
    fields = {
        "id": values["id"],
        "title": values["title"],
        "summary": values["summary"],
        "service": values["service"],
        "tags": f"[{values['tags']}]",
        "audience": values["audience"],
        "status": values["status"],
        "owner": values["owner"],
        "backup": "asmith",
        "reviewed": values["reviewed"],
        "error_codes": f"[{values['codes']}]",
    }
    body = procedure_body(
        values["title"],
        symptoms=values["symptoms"],
        steps=[values["step1"], "Check that it works again with the caller."],
        escalation="Escalate to the team lead when the steps above do not help.",
    )
    return procedure(fields, body, base={})


PROCEDURES = {
    "email/outlook-profile.md": dict(
        id="KB-0001",
        title='Outlook is stuck on "Loading profile"',
        summary="Outlook opens but never gets past the Loading profile screen.",
        service="Email",
        tags="outlook, profile",
        audience="L1",
        status="published",
        owner="jdoe",
        reviewed="2026-10-01",
        codes='"0x8004010F"',
        symptoms="Outlook shows Loading profile and never opens.",
        step1="Start Outlook in safe mode with outlook.exe /safe.",
    ),
    "accounts/password-reset.md": dict(
        id="KB-0002",
        title="Forgotten password reset",
        summary="The caller forgot their password and cannot sign in.",
        service="Accounts",
        tags="password, sign-in",
        audience="L1",
        status="published",
        owner="jdoe",
        reviewed="2026-10-01",
        codes="",
        symptoms="The caller cannot remember the password for their account.",
        step1="Verify the caller's identity, then send a self-service reset link.",
    ),
    "accounts/two-factor.md": dict(
        id="KB-0003",
        title="Two-factor approval never arrives",
        summary="The authenticator app never shows the two-factor approval request.",
        service="Accounts",
        tags="authenticator",
        audience="L1",
        status="published",
        owner="away",
        reviewed="2025-01-01",
        codes='"AADSTS50076"',
        symptoms="The sign-in page waits for an approval that never arrives on the phone.",
        step1="Open the authenticator app and pull down to refresh.",
    ),
    "kubernetes/pod-crash.md": dict(
        id="KB-0004",
        title="KubePodCrashLooping",
        summary="A pod restarts over and over.",
        service="Platform",
        tags="kubernetes",
        audience="L3",
        status="published",
        owner="jdoe",
        reviewed="2026-10-01",
        codes="",
        symptoms="The pod_restart_total counter keeps rising for one container.",
        step1="Read the container logs with kubectl logs --previous.",
    ),
    "printing/old-printer.md": dict(
        id="KB-0005",
        title="Legacy printer queue jammed",
        summary="Documents sit in the old print queue forever.",
        service="Printing",
        tags="printer, queue",
        audience="L2",
        status="retired",
        owner="jdoe",
        reviewed="2026-10-01",
        codes="",
        symptoms="Print jobs stay in the queue of the old printer.",
        step1="Clear the print queue on the print server.",
    ),
    "printing/printer-offline.md": dict(
        id="KB-0006",
        title="Printer shows as offline",
        summary="The office printer says offline and nothing prints.",
        service="Printing",
        tags="printer, offline",
        audience="L1",
        status="draft",
        owner="jdoe",
        reviewed="2026-10-01",
        codes="",
        symptoms="Windows lists the printer as offline; print jobs stay in the queue.",
        step1="Check the printer is switched on and connected to the network.",
    ),
}

SYNONYMS = """\
pw: password
mfa: [two-factor, authenticator]
"""


def write_search_kb(root: Path) -> None:
    for rel, values in PROCEDURES.items():
        write_procedure(root, rel, search_procedure(values))
    (root / "procedures" / "synonyms.yml").write_text(SYNONYMS, encoding="utf-8")


@pytest.fixture
def search_kb(kb_root: Path) -> Path:
    """`kb_root` with the procedures above instead of its single one, and a synonyms file."""
    (kb_root / "procedures" / "email" / "outlook-profile.md").unlink()
    write_search_kb(kb_root)
    return kb_root


@pytest.fixture
def config(search_kb: Path):  # noqa: ANN201
    from kbtool.model.config import load_config

    return load_config(cwd=search_kb)


def write_articles(root: Path, pages: Mapping[str, str]) -> Path:
    """`pages` (relative path -> Markdown) written under `root / "articles"`; `root`."""
    for rel, text in pages.items():
        path = root / "articles" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def ranked_paths(
    root: Path, query: str, monkeypatch: pytest.MonkeyPatch, setting: str
) -> list[str]:
    """The result paths of `query` over `root`'s articles, indexed and searched with the
    tuning `setting` (a `KBTOOL_SEARCH_TUNING` string; "" is kbtool as shipped)."""
    from kbtool.model.config import load_config
    from kbtool.search import build_index, open_searcher, tuning

    monkeypatch.setenv(tuning.ENV, setting)
    config = load_config(procedures=root / "articles", cwd=root)
    build_index(config, rebuild=True)
    with open_searcher(config, refresh=False) as searcher:
        return [hit.path for hit in searcher.search(query).results]
