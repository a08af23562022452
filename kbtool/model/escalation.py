"""Who a procedure's `escalate_to` means, read in the roster: a role and who holds it, a
team and its lead, or a person. The site's card and `kbtool show` both say it this way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kbtool.model.roster import ROLES, Person, Roster

ROLE_LABELS: dict[str, str] = {
    "agent": "Agent (Level 1)",
    "senior-agent": "Senior agent",
    "team-lead": "Team lead",
    "trainer": "Trainer",
    "qa-specialist": "QA specialist",
    "service-desk-manager": "Service desk manager",
    "client-relationship-manager": "Client relationship manager",
    "director-of-operations": "Director of operations",
}
assert set(ROLE_LABELS) == set(ROLES)

#: People named for a role: enough to reach one, not the whole desk.
MAX_ROLE_PEOPLE = 3


def role_label(role: str | None) -> str | None:
    if role is None:
        return None
    return ROLE_LABELS.get(role, role)


@dataclass(frozen=True)
class Escalation:
    target: str
    kind: str  # "role" | "team" | "person" | "unknown"
    label: str
    people: tuple[Person, ...] = ()
    email: str | None = None


def escalation(
    target: str | None, roster: Roster | None, owner: Person | None, today: dt.date
) -> Escalation | None:
    """Who `escalate_to` means: a role (its people available today, the owner's team first),
    a team (with its lead), a person."""
    if target is None:
        return None
    if target in ROLES:
        people: list[Person] = []
        if roster is not None:
            holders = [p for p in roster.people.values() if p.role == target and p.available(today)]
            team = owner.team if owner is not None else None
            people = sorted(holders, key=lambda p: (p.team != team, p.name))[:MAX_ROLE_PEOPLE]
        return Escalation(target, "role", role_label(target) or target, tuple(people))
    if roster is not None and target in roster.teams:
        team_info = roster.teams[target]
        lead = roster.person(team_info.lead)
        return Escalation(
            target, "team", team_info.name, (lead,) if lead is not None else (), team_info.email
        )
    if roster is not None and target in roster.people:
        person = roster.people[target]
        return Escalation(target, "person", person.name, (person,))
    return Escalation(target, "unknown", target)
