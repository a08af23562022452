"""The roster: people and teams, validated with errors naming file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kbtool.core.errors import RosterError
from kbtool.model.roster import ROLES, load_roster

GOOD = """\
people:
  jdoe:
    name: Jane Doe
    role: senior-agent
    team: desk
    email: Jane.Doe@example.com
    github: "@janedoe"
    phone: 5551234
  asmith: {name: Alan Smith, role: agent, team: desk, active: false}
  bwong: {name: Bo Wong, away_until: 2026-12-01}
teams:
  desk: {name: Service Desk, lead: jdoe, email: desk@example.com}
"""


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "roster.yml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_good_roster(tmp_path: Path) -> None:
    roster = load_roster(write(tmp_path, GOOD))
    jdoe = roster.people["jdoe"]
    assert (jdoe.name, jdoe.role, jdoe.team, jdoe.github, jdoe.phone) == (
        "Jane Doe",
        "senior-agent",
        "desk",
        "janedoe",
        "5551234",
    )
    assert jdoe.line == 2 and roster.teams["desk"].lead == "jdoe"
    assert roster.by_email(" jane.doe@EXAMPLE.com") is jdoe
    assert roster.person("asmith") is not None and roster.person(None) is None
    assert roster.people["bwong"].name == "Bo Wong" and roster.people["bwong"].role is None


@pytest.mark.parametrize(
    ("today", "available", "reason"),
    [
        ("2026-11-30", False, "away until 2026-12-01"),
        ("2026-12-01", False, "away until 2026-12-01"),  # back the day after away_until
        ("2026-12-02", True, None),
    ],
)
def test_away_until_is_inclusive(
    tmp_path: Path, today: str, available: bool, reason: str | None
) -> None:
    person = load_roster(write(tmp_path, GOOD)).people["bwong"]
    day = dt.date.fromisoformat(today)
    assert person.available(day) is available and person.unavailable_reason(day) == reason


@pytest.mark.parametrize(
    ("phone", "uri"),
    [
        ("+44 20 7946 0000", "tel:+442079460000"),
        ("(555) 010-0100", "tel:5550100100"),
        ("555.0100", "tel:5550100"),
    ],
)
def test_phone_numbers_as_written(tmp_path: Path, phone: str, uri: str) -> None:
    person = load_roster(write(tmp_path, f"people:\n  j: {{name: J, phone: '{phone}'}}\n")).people[
        "j"
    ]
    assert (person.phone, person.phone_uri) == (phone, uri)


@pytest.mark.parametrize(
    ("chat", "url"),
    [
        ("@jane.doe", None),
        ("jane.doe@example.com", None),
        ("#service-desk", None),
        (
            "https://chat.example.com/l/chat?users=jane",
            "https://chat.example.com/l/chat?users=jane",
        ),
    ],
)
def test_chat_handle_or_address(tmp_path: Path, chat: str, url: str | None) -> None:
    person = load_roster(write(tmp_path, f"people:\n  j: {{name: J, chat: '{chat}'}}\n")).people[
        "j"
    ]
    assert (person.chat, person.chat_url) == (chat, url)


def test_inactive_person(tmp_path: Path) -> None:
    person = load_roster(write(tmp_path, GOOD)).people["asmith"]
    assert not person.available(dt.date(2026, 1, 1))
    assert person.unavailable_reason(dt.date(2026, 1, 1)) == "inactive"


@pytest.mark.parametrize("target", [*ROLES, "desk", "jdoe"])
def test_escalation_targets(tmp_path: Path, target: str) -> None:
    assert load_roster(write(tmp_path, GOOD)).knows_escalation_target(target)


def test_unknown_escalation_target(tmp_path: Path) -> None:
    assert not load_roster(write(tmp_path, GOOD)).knows_escalation_target("wizard")


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        pytest.param("people: [a, b]\n", 1, "'people' must be a mapping", id="people-list"),
        pytest.param("people: {}\nteams: 3\n", 2, "'teams' must be a mapping", id="teams-scalar"),
        pytest.param("people: {}\nstaff: {}\n", 2, "unknown key 'staff'", id="unknown-top"),
        pytest.param("- a\n", None, "must be a mapping with 'people'", id="list"),
        pytest.param(
            "people:\n  jdoe: Jane\n", 2, "person 'jdoe' must be a mapping", id="person-scalar"
        ),
        pytest.param(
            "people:\n  jdoe:\n    name: J\n    mail: j@x\n",
            4,
            "person 'jdoe': unknown key 'mail'",
            id="person-key",
        ),
        pytest.param(
            "people:\n  jdoe:\n    name: J\n    role: boss\n", 4, "unknown role 'boss'", id="role"
        ),
        pytest.param(
            "people:\n  jdoe:\n    name: J\n    active: yes\n",
            4,
            "'active' must be true or false",
            id="active-yes",
        ),
        pytest.param(
            "people:\n  jdoe:\n    name: J\n    away_until: soon\n",
            4,
            "'away_until' must be a date",
            id="away-text",
        ),
        pytest.param(
            "people:\n  jdoe:\n    name: J\n    away_until: 2026-02-30\n",
            4,
            "'away_until' must be a date",
            id="away-impossible",
        ),
        pytest.param(
            "people:\n  jdoe:\n    name: [J]\n", 3, "'name' must be a string", id="name-list"
        ),
        pytest.param(
            "people:\n  jdoe: {name: J}\n  jdoe: {name: K}\n",
            3,
            "duplicate key 'jdoe' (first defined on line 2)",
            id="duplicate",
        ),
        pytest.param("people:\n  jdoe:\n    name: J\n\trole: agent\n", 4, "tabs", id="tab"),
        pytest.param(
            "people:\n  jdoe: {name: J, team: ops}\nteams:\n  desk: {name: D}\n",
            2,
            "in team 'ops', which is not in teams",
            id="unknown-team",
        ),
        pytest.param(
            "people:\n  jdoe: {name: J}\nteams:\n  desk: {name: D, lead: zed}\n",
            4,
            "lead 'zed' who is not in people",
            id="unknown-lead",
        ),
        pytest.param(
            "people:\n  jdoe: {name: J}\nteams:\n  desk: {boss: x}\n",
            4,
            "team 'desk': unknown key 'boss'",
            id="team-key",
        ),
        pytest.param("people:\n  jdoe: {name: \x07}\n", 2, "U+0007", id="control"),
        pytest.param(
            "people:\n  jdoe:\n    name: J\n    phone: call me\n",
            4,
            "'phone' 'call me' is not a phone number",
            id="phone-words",
        ),
        pytest.param(
            'people:\n  jdoe:\n    name: J\n    phone: "+44 <b>20</b>"\n',
            4,
            "is not a phone number",
            id="phone-markup",
        ),
        pytest.param(
            "people:\n  jdoe:\n    name: J\n    phone: ++44\n", 4, "not a phone", id="phone-plus"
        ),
        pytest.param(
            "people:\n  jdoe:\n    name: J\n    chat: 'javascript:alert(1)'\n",
            4,
            "'chat' 'javascript:alert(1)' is neither a chat handle",
            id="chat-script",
        ),
        pytest.param(
            "people:\n  jdoe:\n    name: J\n    chat: jane doe\n", 4, "neither", id="chat-space"
        ),
    ],
)
def test_errors_name_file_and_line(
    tmp_path: Path, text: str, line: int | None, fragment: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RosterError) as info:
        load_roster(path)
    error = info.value
    assert error.path == str(path) and error.line == line and fragment in error.message, error
    assert error.located().startswith(f"{path}:{line}:" if line else f"{path}:")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"people:\n  j\xe9: {}\n", "not valid UTF-8"), (None, "roster file not found")],
)
def test_unreadable_roster(tmp_path: Path, content: bytes | None, fragment: str) -> None:
    path = tmp_path / "roster.yml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RosterError, match=fragment):
        load_roster(path)


def test_empty_roster_and_bom(tmp_path: Path) -> None:
    assert load_roster(write(tmp_path, "")).people == {}
    roster = load_roster(write(tmp_path, b"\xef\xbb\xbfpeople:\n  jdoe: {name: J}\n"))
    assert list(roster.people) == ["jdoe"]


def test_teams_unchecked_when_none_declared(tmp_path: Path) -> None:
    roster = load_roster(write(tmp_path, "people:\n  jdoe: {name: J, team: anything}\n"))
    assert roster.people["jdoe"].team == "anything"
