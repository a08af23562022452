"""The text `kbtool new` writes into a new procedure for its author to replace.

Kept in the model, below both `kbtool new` (which writes it) and the linter (ST005, which
reports what is left of it), so that the two always agree on what the template's text is.
"""

from __future__ import annotations

import re

#: What each section is for, written as a comment, and a placeholder in the section's own form
#: (a list item, numbered steps), so that a fresh draft has the structure lint asks for.
GUIDANCE: dict[str, tuple[str, str]] = {
    "symptoms": (
        "What the caller sees or says, in their words: messages, error codes, what still works.",
        "- *What the caller reports, e.g. the exact error message.*",
    ),
    "cause": (
        "Optional: why it happens, in a sentence or two, when it is known.",
        "*Why this happens, when known.*",
    ),
    "resolution": (
        "Numbered steps an agent follows while the caller is on the line; one action per "
        "step, with what to click or type, and what the caller should see afterwards.",
        "1. *First step.*\n2. *Second step.*",
    ),
    "escalation": (
        "When to stop and to whom: the role or team, and what to write in the ticket.",
        "*When to escalate, to whom, and what to put in the ticket.*",
    ),
}
GENERIC_GUIDANCE = ("Write this section.", "*Content of this section.*")
#: The first words of the note at the top of a new procedure.
NOTE = "Written by `kbtool new`."

_COMMENT = re.compile(r"<!--(.*?)-->", re.S)


def _words(text: str) -> str:
    return " ".join(text.split())


_PLACEHOLDERS = frozenset(
    line.strip()
    for _guidance, placeholder in [*GUIDANCE.values(), GENERIC_GUIDANCE]
    for line in placeholder.split("\n")
)
_GUIDANCE_TEXTS = tuple(
    _words(text) for text in [NOTE, *(g for g, _p in GUIDANCE.values()), GENERIC_GUIDANCE[0]]
)


def leftovers(body: str, first_line: int = 1) -> list[tuple[int, str]]:
    """What is left of the template in `body`: (line, "placeholder" or "comment") for each
    placeholder line as written and each of the template's comments."""
    found: list[tuple[int, str]] = []
    for match in _COMMENT.finditer(body):
        said = _words(match.group(1))
        if any(text in said for text in _GUIDANCE_TEXTS):
            found.append((first_line + body.count("\n", 0, match.start()), "comment"))
    for index, line in enumerate(body.split("\n")):
        if line.strip() in _PLACEHOLDERS:
            found.append((first_line + index, "placeholder"))
    return sorted(found)
