"""Redaction: callers' personal data goes, the codes agents search for stay."""

from __future__ import annotations

import pytest

from kbtool.events.redact import redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reset for jane.doe@example.com", "reset for [email]"),
        ("o'neil+desk@mail.example.co.uk locked", "[email] locked"),
        ("call back +44 20 7946 0958 today", "call back [number] today"),
        ("(555) 123-4567", "[number]"),
        ("mobile 0612345678.", "mobile [number]."),
        ("card 4111 1111 1111 1111 declined", "card [number] declined"),
        ("account 123456789012", "account [number]"),
        ("IBAN-less 12345678901234567890", "IBAN-less [number]"),
    ],
)
def test_personal_data_is_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0x8004010F outlook send receive",
        "550 5.7.23 SPF validation failed",
        "KB-0042",
        "INC0012345678 reopened",
        "build 16.0.14326.20404",
        "HRESULT -2147467259",
        "event 4625 on 2026-11-23",
        "ping 192.168.100.200",
        "error 80070005",
        "pin 1234",
    ],
)
def test_error_codes_versions_and_short_numbers_survive(text: str) -> None:
    assert redact(text) == text
