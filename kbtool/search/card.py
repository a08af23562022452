"""One procedure as an agent needs it during a call (`kbtool show`): steps, escalation, people.

Finding it goes through the index (an id lookup, no parse of the whole knowledge base), then
the file itself is read fresh, so what is shown is what is on disk now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from kbtool.core.errors import NotFoundError
from kbtool.model.config import Config
from kbtool.model.dialect import readable_text
from kbtool.model.escalation import Escalation, escalation
from kbtool.model.file_scan import is_inside
from kbtool.model.procedure import Procedure, load_procedure
from kbtool.model.review import ReviewState, ownership, review_state
from kbtool.model.roster import Person, Roster
from kbtool.model.steps import Step, escalation_section, section_lines, steps
from kbtool.search.searcher import KbSearcher

#: Sections that describe the problem, shown before the steps (matched without case).
_SYMPTOMS = ("symptoms", "symptom", "problem")


@dataclass(frozen=True)
class Card:
    procedure: Procedure
    steps: list[Step]
    escalation: str  # the escalation section's Markdown
    owner: str | None
    owner_name: str | None
    backup: str | None
    backup_name: str | None
    acting_owner: str | None
    orphaned: bool
    orphan_reason: str | None
    review: ReviewState
    symptoms: str = ""  # the symptoms section's Markdown
    owner_person: Person | None = None
    backup_person: Person | None = None
    acting_person: Person | None = None
    #: Who `escalate_to` means in the roster (None: the procedure names nobody).
    escalate: Escalation | None = None

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
            "steps": [step.text for step in self.steps],
            "escalation": self.escalation,
            "escalate_to": p.escalate_to,
            "escalate_to_contact": _escalation_json(self.escalate),
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
            "superseded_by": p.superseded_by,
            # where a value not in the front matter came from ("default for email/**")
            "origins": dict(p.origins),
        }


def _escalation_json(target: Escalation | None) -> dict[str, Any] | None:
    if target is None:
        return None
    return {
        "kind": target.kind,
        "name": target.label,
        "email": target.email,
        "people": [
            {
                "handle": p.handle,
                "name": p.name,
                "email": p.email,
                "phone": p.phone,
                "chat": p.chat,
            }
            for p in target.people
        ],
    }


def _section_text(procedure: Procedure, titles: tuple[str, ...]) -> str:
    if procedure.scan is None:
        return ""
    for title in titles:
        section = procedure.scan.section(title)
        if section is not None:
            return "\n".join(section_lines(procedure, section)).strip()
    return ""


def _readable(markdown: str, procedure: Procedure, config: Config) -> str:
    """`markdown` as the site shows it: includes inlined, no dialect syntax."""
    return readable_text(markdown, procedure.rel_path, config) if config.dialect.any else markdown


def make_card(procedure: Procedure, config: Config, roster: Roster | None, today: dt.date) -> Card:
    own = ownership(procedure, roster, today)
    section = escalation_section(procedure)
    escalation_text = (
        "\n".join(section_lines(procedure, section)).strip() if section is not None else ""
    )

    def person(handle: str | None) -> Person | None:
        return roster.person(handle) if roster is not None and handle else None

    def name(handle: str | None) -> str | None:
        found = person(handle)
        return found.name if found is not None else None

    owner_person = person(own.owner)

    return Card(
        procedure=procedure,
        steps=[
            replace(step, text=_readable(step.text, procedure, config))
            for step in steps(procedure, config)
        ],
        escalation=_readable(escalation_text, procedure, config),
        owner=own.owner,
        owner_name=owner_person.name if owner_person is not None else None,
        backup=own.backup,
        backup_name=name(own.backup),
        acting_owner=own.acting_owner,
        orphaned=own.orphaned,
        orphan_reason=own.orphan_reason,
        review=review_state(procedure, config, today),
        symptoms=_readable(_section_text(procedure, _SYMPTOMS), procedure, config),
        owner_person=owner_person,
        backup_person=person(own.backup),
        acting_person=person(own.acting_owner) if own.orphaned else None,
        escalate=escalation(procedure.escalate_to, roster, owner_person, today),
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
    procedure = load_procedure(path, rel, searcher.config, searcher.roster)
    return make_card(procedure, searcher.config, searcher.roster, searcher.today)
