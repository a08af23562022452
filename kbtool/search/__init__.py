"""Full-text search over the procedures: the Whoosh index, queries, evaluation.

Whoosh is used only inside this package. Importing it costs start-up time, so the CLI imports
this package inside the commands that search, never at start-up.

Imports the model and `kbtool.core`.
"""

from __future__ import annotations

from kbtool.search.whoosh_import import import_whoosh

import_whoosh()  # before any module below imports Whoosh: see whoosh_import for why

from kbtool.search.indexer import IndexStats, build_index  # noqa: E402
from kbtool.search.searcher import (  # noqa: E402
    KbSearcher,
    SearchHit,
    SearchResponse,
    open_searcher,
)

__all__ = [
    "IndexStats",
    "KbSearcher",
    "SearchHit",
    "SearchResponse",
    "build_index",
    "open_searcher",
]
