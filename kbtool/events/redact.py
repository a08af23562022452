"""Callers' personal data out of what is stored: e-mail addresses, phone numbers, long numbers.

Agents paste tickets into the search box, and tickets carry the caller's address, phone and
sometimes a card or account number. None of that helps improve a procedure, and it must not
pile up in the events store, so every free text (a query, a correction, a problem report) goes
through `redact` before it is stored.

What is kept matters as much: error codes are what agents search for. A number is redacted only
when it has at least `MIN_DIGITS` digits (a phone number, a card, an account) and stands on its
own: digits glued to a letter or a dot on either side are part of a code (`0x8004010F`,
`5.7.23`, `KB-0042`, `INC0012345`, a version `16.0.14326.20404`), and a number right after a
minus sign is a negative value (`-2147467259`, an HRESULT in decimal), so all of those survive.
"""

from __future__ import annotations

import re

EMAIL = "[email]"
NUMBER = "[number]"
#: Phone numbers have 9 or more digits with their area code; card and account numbers more.
MIN_DIGITS = 9

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# A `+` or `(` may open it; digits separated by at most two of space, dash, parentheses, slash.
_NUMBER = re.compile(
    rf"(?<![\w.+\-])(?:\+|\()?\d(?:[ \-()/]{{0,2}}\d){{{MIN_DIGITS - 1},}}(?![\w])(?!\.\d)"
)


def redact(text: str) -> str:
    """`text` with e-mail addresses and long standalone numbers replaced by placeholders."""
    if "@" in text:
        text = _EMAIL.sub(EMAIL, text)
    return _NUMBER.sub(NUMBER, text)
