"""Import Whoosh without the standard-library modules it loads and never uses here.

`kbtool search` runs while a caller waits, and importing Python modules is most of its time.
Whoosh's `compat` module imports `urllib.request` (and with it http, email and ssl) only to
re-export `urlretrieve`, and its `cached_property` dependency imports `asyncio` only to ask
whether a decorated function is a coroutine; `whoosh.query.terms` imports the English
morphology tables (`whoosh.lang.morph_en`, about 25 ms of regular-expression compiling) for a
query type kbtool never builds. Together that is about 100 ms of an interactive search. During
Whoosh's import we put light stand-ins in `sys.modules` for those modules (an `urlretrieve` and
a `variations` that import the real module when called; `iscoroutinefunction` from `inspect`,
which answers the same for Whoosh's plain functions) and remove them afterwards, so any later
import gets the real module. Modules already imported are left alone.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from typing import Any


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    return importlib.import_module("urllib.request").urlretrieve(*args, **kwargs)


def _variations(word: str) -> Any:
    return importlib.import_module("whoosh.lang.morph_en").variations(word)


def import_whoosh() -> None:
    """Import the Whoosh modules kbtool uses, quickly (idempotent)."""
    if "whoosh.index" in sys.modules:
        return
    stand_ins: dict[str, types.ModuleType] = {}
    if "urllib.request" not in sys.modules:
        request = types.ModuleType("urllib.request")
        request.urlretrieve = _urlretrieve  # type: ignore[attr-defined]
        stand_ins["urllib.request"] = request
    if "asyncio" not in sys.modules:
        asyncio = types.ModuleType("asyncio")
        asyncio.iscoroutinefunction = inspect.iscoroutinefunction  # type: ignore[attr-defined]
        stand_ins["asyncio"] = asyncio
    if "whoosh.lang.morph_en" not in sys.modules:
        morph = types.ModuleType("whoosh.lang.morph_en")
        morph.variations = _variations  # type: ignore[attr-defined]
        stand_ins["whoosh.lang.morph_en"] = morph
    sys.modules.update(stand_ins)
    try:
        for name in ("whoosh.index", "whoosh.reading", "whoosh.query", "whoosh.searching"):
            importlib.import_module(name)
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
