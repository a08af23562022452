"""JSON that someone else wrote (a request body, an evaluation file, a baseline), read strictly.

`json.loads` has more ways to fail than `JSONDecodeError`: arrays nested a few thousand deep
raise `RecursionError`, a number of more than 4,300 digits a plain `ValueError`
(`sys.get_int_max_str_digits`), and an escape such as `"\\ud800"` is accepted and gives a
string with a lone surrogate, which cannot be encoded as UTF-8 and fails wherever it is written
(a response, the events store, a terminal). `loads` turns each of them into one `BadJson`.
"""

from __future__ import annotations

import json
from typing import Any


class BadJson(ValueError):
    """The text is not JSON kbtool can use; `line` and `column` (1-based) when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        super().__init__(message)


def loads(text: str) -> Any:
    """The JSON value of `text`; a `BadJson` when it is not JSON or holds what is not text."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadJson(exc.msg, exc.lineno, exc.colno) from None
    except RecursionError:
        raise BadJson("arrays or objects nested too deeply") from None
    except ValueError:
        raise BadJson("a number has too many digits") from None
    if _has_lone_surrogate(data):
        raise BadJson("a string holds a lone surrogate escape (\\ud800 to \\udfff): not text")
    return data


def _has_lone_surrogate(data: Any) -> bool:
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(value, dict):
            pending.extend(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False
