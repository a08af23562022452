"""One procedure as an agent needs it during a call (`kbtool show`): steps, escalation, people.

Finding it goes through the index (an id lookup, no parse of the whole knowledge base), then
the file itself is read fresh, so what is shown is what is on disk now.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from kbtool.core.errors import NotFoundError
from kbtool.model.config import Config
from kbtool.model.file_scan import is_inside
from kbtool.model.procedure import Procedure, load_procedure
from kbtool.model.review import ReviewState, ownership, review_state
from kbtool.model.roster import Roster
from kbtool.search.searcher import KbSearcher

_STEP = re.compile(r"^(\d{1,9})[.)]\s+(.*)$")
_ESCALATION = ("escalation", "escalate", "when to escalate")


@dataclass(frozen=True)
class Card:
    procedure: Procedure
    steps: list[str]
    escalation: str
    owner: str | None
    owner_name: str | None
    backup: str | None
    backup_name: str | None
    acting_owner: str | None
    orphaned: bool
    orphan_reason: str | None
    review: ReviewState

    def as_json(self) -> dict[str, Any]:
        p = self.procedure
        state = self.review
        return {
            "id": p.id,
            "path": p.rel_path,
            "title": p.title,
            "summary": p.summary,
            "service": p.service,
            "audience": p.audience,
            "status": p.status,
            "tags": p.tags,
            "error_codes": p.error_codes,
            "steps": self.steps,
            "escalation": self.escalation,
            "escalate_to": p.escalate_to,
            "owner": self.owner,
            "owner_name": self.owner_name,
            "backup": self.backup,
            "backup_name": self.backup_name,
            "acting_owner": self.acting_owner,
            "orphaned": self.orphaned,
            "orphan_reason": self.orphan_reason,
            "review": {
                "status": state.status.value,
                "reviewed": state.reviewed.isoformat() if state.reviewed else None,
                "due": state.due.isoformat() if state.due else None,
                "days_left": state.days_left,
                "overdue": state.overdue,
            },
        }


def section_lines(procedure: Procedure, titles: tuple[str, ...]) -> list[str]:
    """The lines under the first level-2 section whose title is one of `titles`."""
    scan = procedure.scan
    if scan is None:
        return []
    lines = procedure.body.split("\n")
    for section in scan.sections:
        if section.title.strip().lower() in titles:
            start = section.line - procedure.body_start_line + 1
            end = section.end_line - procedure.body_start_line + 1
            return lines[start:end]
    return []


def numbered_steps(lines: list[str]) -> list[str]:
    """Top-level numbered items, each with its continuation lines joined into one text."""
    steps: list[str] = []
    in_fence = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        match = None if in_fence or line.startswith((" ", "\t")) else _STEP.match(line)
        if match:
            steps.append(match.group(2).strip())
        elif steps and stripped and not stripped.startswith("#"):
            steps[-1] = f"{steps[-1]} {stripped}"
    return steps


def make_card(procedure: Procedure, config: Config, roster: Roster | None, today: dt.date) -> Card:
    own = ownership(procedure, roster, today)
    steps = numbered_steps(section_lines(procedure, (config.steps_section.lower(),)))
    escalation = "\n".join(section_lines(procedure, _ESCALATION)).strip()

    def name(handle: str | None) -> str | None:
        person = roster.person(handle) if roster is not None and handle else None
        return person.name if person is not None else None

    return Card(
        procedure=procedure,
        steps=steps,
        escalation=escalation,
        owner=own.owner,
        owner_name=name(own.owner),
        backup=own.backup,
        backup_name=name(own.backup),
        acting_owner=own.acting_owner,
        orphaned=own.orphaned,
        orphan_reason=own.orphan_reason,
        review=review_state(procedure, config, today),
    )


def find_card(searcher: KbSearcher, ident: str) -> Card:
    """The card of the procedure with id (any case) or path `ident`, read from its file now.

    `kbtool show` and the web API's `/api/procedures/{id}` both come here. Raises
    `NotFoundError` when no indexed procedure has that id or path, or its file is gone.
    """
    rel = searcher.find(ident)
    if rel is None:
        raise NotFoundError(f"no procedure with id or path {ident!r}; try: kbtool search {ident}")
    path = searcher.config.procedures_dir / rel
    if not is_inside(searcher.config.procedures_dir, path):  # the index walk's gate, again:
        # the file may have turned into a link out of the folder since it was indexed
        raise NotFoundError(f"no procedure with id or path {ident!r}; try: kbtool search {ident}")
    if not path.is_file():
        raise NotFoundError(
            f"procedure {ident!r} was indexed but its file is gone; run 'kbtool index'"
        )
    procedure = load_procedure(path, rel, searcher.config)
    return make_card(procedure, searcher.config, searcher.roster, searcher.today)
