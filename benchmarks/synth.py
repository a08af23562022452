"""Generate a synthetic knowledge base of N realistic procedures (about 4 KB each).

Used by the benchmarks (lint, search, site). Deterministic for a given N and seed.

    python benchmarks/synth.py OUT_DIR N [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

SERVICES = [
    "Accounts",
    "Email",
    "Network",
    "Hardware",
    "Security",
    "Software",
    "Printing",
    "Phones",
]
PEOPLE = ["alee", "bkhan", "cmoreau", "dtanaka", "eolsen", "fsilva", "gnovak", "hyilmaz"]
WORDS = (  # noqa: SIM905 (a paragraph of words reads better than 70 quoted strings)
    "account password reset locked expired vpn tunnel disconnect printer queue spooler driver "
    "laptop dock monitor display outlook mailbox calendar sync teams meeting audio camera "
    "certificate browser proxy wifi adapter dns dhcp lease token authenticator mfa phone "
    "license activation install update patch reboot profile cache credential sharepoint "
    "onedrive folder permission group policy firewall antivirus quarantine phishing report "
    "keyboard mouse battery charger badge door access ticket portal remote desktop session"
).split()

ROSTER = """people:
{people}
teams:
  desk: {{name: Service Desk, lead: alee}}
"""


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(sentences))


def procedure(i: int, n: int, rng: random.Random, today: dt.date) -> tuple[str, str]:
    service = SERVICES[i % len(SERVICES)]
    owner = PEOPLE[i % len(PEOPLE)]
    backup = PEOPLE[(i + 3) % len(PEOPLE)]
    reviewed = today - dt.timedelta(days=rng.randint(0, 170))
    title_words = [rng.choice(WORDS) for _ in range(rng.randint(3, 6))]
    title = " ".join(title_words).capitalize()
    related = f"KB-{rng.randint(1, n):05d}"
    folder = service.lower()
    steps = "\n".join(
        f"{k}. {sentence(rng, rng.randint(8, 18))}" for k in range(1, rng.randint(5, 9))
    )
    previous = max(1, i - 1)
    neighbour = SERVICES[previous % len(SERVICES)].lower()
    text = f"""---
id: KB-{i:05d}
title: {title}
summary: {sentence(rng, 12)}
service: {service}
tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]
audience: L{1 + i % 3}
status: published
owner: {owner}
backup: {backup}
reviewed: {reviewed.isoformat()}
review_every: 180
escalate_to: team-lead
error_codes: ["0x{rng.randint(0, 0xFFFFFFFF):08X}"]
related: [{related}]
---

# {title}

## Symptoms

{paragraph(rng, 5)}

{paragraph(rng, 4)}

## Cause

{paragraph(rng, 6)}

{paragraph(rng, 5)}

## Resolution

{steps}

See also [the related procedure](../{neighbour}/kb-{previous:05d}.md#symptoms).

{paragraph(rng, 5)}

## Escalation

{paragraph(rng, 6)} Escalate to the [team lead](#escalation).
"""
    return f"{folder}/kb-{i:05d}.md", text


def generate(out: Path, n: int, seed: int = 1, today: dt.date | None = None) -> Path:
    """Write N procedures and a roster under `out/procedures`; return that folder."""
    rng = random.Random(seed)
    today = today or dt.date(2026, 11, 1)
    procedures = out / "procedures"
    if procedures.exists():
        shutil.rmtree(procedures)
    procedures.mkdir(parents=True)
    people = "\n".join(
        f"  {p}: {{name: {p.title()}, role: senior-agent, team: desk, github: {p}-gh}}"
        for p in PEOPLE
    )
    (procedures / "roster.yml").write_text(ROSTER.format(people=people), encoding="utf-8")
    for i in range(1, n + 1):
        rel, text = procedure(i, n, rng, today)
        path = procedures / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (out / "kbtool.toml").write_text('[fields]\nid_pattern = "KB-\\\\d{5}"\n', encoding="utf-8")
    return procedures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    folder = generate(args.out, args.n, args.seed)
    print(f"wrote {args.n} procedures to {folder}")


if __name__ == "__main__":
    main()
