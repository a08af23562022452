"""Commands of this group register themselves on `main` (see kbtool/cli/__init__.py)."""

from __future__ import annotations
