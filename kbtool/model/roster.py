"""The roster: people, their roles and teams, and who is available today."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtool.core.errors import RosterError
from kbtool.core.fileio import read_regular
from kbtool.model.yamlload import YamlError, load_yaml

#: The service desk chain, from first contact upwards.
ROLES: tuple[str, ...] = (
    "agent",
    "senior-agent",
    "team-lead",
    "trainer",
    "qa-specialist",
    "service-desk-manager",
    "client-relationship-manager",
    "director-of-operations",
)

_PERSON_KEYS = (
    "name",
    "role",
    "team",
    "email",
    "github",
    "active",
    "away_until",
    "phone",
    "chat",
    "backup",
)
#: A phone number as people write it: a leading `+`, digits, spaces, dashes, dots, brackets.
_PHONE = re.compile(r"\+?[0-9 .()\-]+")
#: A chat handle (`@jane.doe`, `jane.doe@example.com`, `#service-desk`) or a web address.
_CHAT_HANDLE = re.compile(r"[@#]?[\w.+\-]+(?:@[\w.\-]+)?", re.ASCII)
_CHAT_URL = re.compile(r"https?://[^\s<>\"'`\\]+", re.IGNORECASE)
_TEAM_KEYS = ("name", "lead", "email")


@dataclass(frozen=True)
class Person:
    handle: str
    name: str
    role: str | None = None
    team: str | None = None
    email: str | None = None
    github: str | None = None
    phone: str | None = None
    chat: str | None = None  # a handle, or the web address of a chat with them
    #: their standing backup: who stands in on the procedures they own that name no backup
    backup: str | None = None
    active: bool = True
    away_until: dt.date | None = None
    line: int = 1

    @property
    def chat_url(self) -> str | None:
        """The chat as a link target, when it is a web address."""
        return self.chat if self.chat is not None and _CHAT_URL.fullmatch(self.chat) else None

    @property
    def phone_uri(self) -> str:
        """`tel:` and the number without its separators."""
        number = re.sub(r"[^0-9+]", "", self.phone or "")
        return f"tel:{number}"

    def is_away(self, today: dt.date) -> bool:
        return self.away_until is not None and self.away_until >= today

    def available(self, today: dt.date) -> bool:
        return self.active and not self.is_away(today)

    def unavailable_reason(self, today: dt.date) -> str | None:
        if not self.active:
            return "inactive"
        if self.is_away(today):
            assert self.away_until is not None
            return f"away until {self.away_until.isoformat()}"
        return None


@dataclass(frozen=True)
class Team:
    handle: str
    name: str
    lead: str | None = None
    email: str | None = None
    line: int = 1


@dataclass(frozen=True)
class Roster:
    path: Path
    people: Mapping[str, Person] = field(default_factory=dict)
    teams: Mapping[str, Team] = field(default_factory=dict)

    def person(self, handle: str | None) -> Person | None:
        return self.people.get(handle) if handle else None

    def knows_escalation_target(self, target: str) -> bool:
        """An escalation target may be a role, a team or a person of the roster."""
        return target in ROLES or target in self.teams or target in self.people

    def by_email(self, email: str) -> Person | None:
        wanted = email.strip().lower()
        for person in self.people.values():
            if person.email and person.email.lower() == wanted:
                return person
        return None


#: Far above any real roster (about 200 bytes a person): a bound on what is read, not a policy.
MAX_ROSTER_BYTES = 64 * 1024 * 1024


def load_roster(path: Path) -> Roster:
    """Parse and validate a roster file; every error names the file and line."""
    try:
        raw, _stat = read_regular(path, MAX_ROSTER_BYTES)
    except FileNotFoundError:
        raise RosterError("roster file not found", path=str(path)) from None
    except OSError as exc:
        raise RosterError(f"cannot read roster: {exc.strerror or exc}", path=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError(f"not valid UTF-8 (byte {exc.start})", path=str(path)) from None
    try:
        document = load_yaml(text)
    except YamlError as exc:
        raise RosterError(exc.message, path=str(path), line=exc.line) from None
    data, lines = document.value, document.lines
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise RosterError("the roster must be a mapping with 'people' and 'teams'", path=str(path))
    for key in data:
        if key not in ("people", "teams"):
            raise RosterError(
                f"unknown key '{key}' (expected 'people' and 'teams')",
                path=str(path),
                line=lines.get((key,), 1),
            )
    people_raw = data.get("people") or {}
    teams_raw = data.get("teams") or {}
    if not isinstance(people_raw, dict):
        raise RosterError("'people' must be a mapping", path=str(path), line=lines.get(("people",)))
    if not isinstance(teams_raw, dict):
        raise RosterError("'teams' must be a mapping", path=str(path), line=lines.get(("teams",)))

    people = {
        str(handle): _person(path, str(handle), value, lines, lines.get(("people", handle), 1))
        for handle, value in people_raw.items()
    }
    teams = {
        str(handle): _team(path, str(handle), value, lines.get(("teams", handle), 1))
        for handle, value in teams_raw.items()
    }
    for team in teams.values():
        if team.lead is not None and team.lead not in people:
            raise RosterError(
                f"team '{team.handle}' has lead '{team.lead}' who is not in people",
                path=str(path),
                line=team.line,
            )
    for person in people.values():
        if person.team is not None and teams and person.team not in teams:
            raise RosterError(
                f"person '{person.handle}' is in team '{person.team}', which is not in teams",
                path=str(path),
                line=person.line,
            )
    for person in people.values():
        if person.backup is None:
            continue
        where = lines.get(("people", person.handle, "backup"), person.line)
        if person.backup == person.handle:
            raise RosterError(
                f"person '{person.handle}' is their own backup; name another person",
                path=str(path),
                line=where,
            )
        if person.backup not in people:
            close = difflib.get_close_matches(person.backup, list(people), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise RosterError(
                f"person '{person.handle}' has backup '{person.backup}' who is not in people{hint}",
                path=str(path),
                line=where,
            )
    return Roster(path=path, people=people, teams=teams)


def _person(
    path: Path, handle: str, value: Any, lines: Mapping[tuple[Any, ...], int], line: int
) -> Person:
    if not isinstance(value, dict):
        raise RosterError(f"person '{handle}' must be a mapping", path=str(path), line=line)
    for key in value:
        if key not in _PERSON_KEYS:
            raise RosterError(
                f"person '{handle}': unknown key '{key}' (known: {', '.join(_PERSON_KEYS)})",
                path=str(path),
                line=lines.get(("people", handle, key), line),
            )

    def text(key: str) -> str | None:
        item = value.get(key)
        if item is None:
            return None
        if not isinstance(item, str | int) or isinstance(item, bool):
            raise RosterError(
                f"person '{handle}': '{key}' must be a string",
                path=str(path),
                line=lines.get(("people", handle, key), line),
            )
        return str(item)

    active = value.get("active", True)
    if not isinstance(active, bool):
        raise RosterError(
            f"person '{handle}': 'active' must be true or false",
            path=str(path),
            line=lines.get(("people", handle, "active"), line),
        )
    away = value.get("away_until")
    if away is not None and not isinstance(away, dt.date):
        raise RosterError(
            f"person '{handle}': 'away_until' must be a date (YYYY-MM-DD)",
            path=str(path),
            line=lines.get(("people", handle, "away_until"), line),
        )
    role = text("role")
    if role is not None and role not in ROLES:
        raise RosterError(
            f"person '{handle}': unknown role '{role}' (roles: {', '.join(ROLES)})",
            path=str(path),
            line=lines.get(("people", handle, "role"), line),
        )
    if isinstance(away, dt.datetime):
        away = away.date()
    phone = text("phone")
    if phone is not None and not (_PHONE.fullmatch(phone) and any(c.isdigit() for c in phone)):
        raise RosterError(
            f"person '{handle}': 'phone' {phone!r} is not a phone number (digits, with a"
            " leading + and spaces, dashes, dots or brackets only)",
            path=str(path),
            line=lines.get(("people", handle, "phone"), line),
        )
    chat = text("chat")
    if chat is not None and not (_CHAT_HANDLE.fullmatch(chat) or _CHAT_URL.fullmatch(chat)):
        raise RosterError(
            f"person '{handle}': 'chat' {chat!r} is neither a chat handle (such as @jane.doe)"
            " nor an https:// address",
            path=str(path),
            line=lines.get(("people", handle, "chat"), line),
        )
    return Person(
        handle=handle,
        name=text("name") or handle,
        role=role,
        team=text("team"),
        email=text("email"),
        github=(text("github") or "").lstrip("@") or None,
        phone=phone,
        chat=chat,
        backup=text("backup"),
        active=active,
        away_until=away,
        line=line,
    )


def _team(path: Path, handle: str, value: Any, line: int) -> Team:
    if not isinstance(value, dict):
        raise RosterError(f"team '{handle}' must be a mapping", path=str(path), line=line)
    for key in value:
        if key not in _TEAM_KEYS:
            raise RosterError(
                f"team '{handle}': unknown key '{key}' (known: {', '.join(_TEAM_KEYS)})",
                path=str(path),
                line=line,
            )
    lead = value.get("lead")
    return Team(
        handle=handle,
        name=str(value.get("name") or handle),
        lead=str(lead) if lead is not None else None,
        email=str(value["email"]) if value.get("email") else None,
        line=line,
    )
