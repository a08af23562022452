"""The files beside the procedures that the site publishes: screenshots, diagrams, documents.

Only kinds a reader's browser shows or downloads without running anything (an allow-list by
suffix): never HTML, scripts or configuration (the roster, synonyms, kbtool.toml). An SVG can
carry script, so one holding any is not published (`svg_is_safe`). Like the procedures, only
regular files whose real path lies inside the procedures folder are listed, hidden entries
and `exclude`d paths are not, and nothing is opened while walking.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterator

from kbtool.model.config import Config
from kbtool.model.file_scan import SKIP_DIRS, is_inside

#: What is published beside the procedures (lower-case suffixes).
ASSET_SUFFIXES = frozenset(
    {
        # images
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".bmp",
        ".ico",
        ".svg",
        # documents and downloads
        ".pdf",
        ".txt",
        ".csv",
        ".docx",
        ".xlsx",
        ".pptx",
        ".vsdx",
        ".zip",
        # recordings
        ".mp4",
        ".webm",
        ".mp3",
    }
)

_SVG_SCRIPT = re.compile(
    rb"<\s*script|<\s*foreignObject|\bon[a-z]+\s*=|javascript\s*:|<\s*iframe|<\s*embed",
    re.IGNORECASE,
)


def is_asset(name: str) -> bool:
    """Whether a file called `name` is of a kind the site publishes."""
    return os.path.splitext(name)[1].lower() in ASSET_SUFFIXES


def iter_assets(config: Config) -> Iterator[tuple[str, str]]:
    """`(rel_path, path)` of every asset under the procedures folder, sorted by rel_path."""
    root = str(config.procedures_dir)
    found: list[tuple[str, str]] = []
    for folder, folders, names in os.walk(root):  # links to folders are not followed
        folders[:] = [f for f in folders if not f.startswith(".") and f not in SKIP_DIRS]
        for name in names:
            if name.startswith(".") or not is_asset(name):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if any(fnmatch.fnmatch(rel, pattern) for pattern in config.exclude):
                continue
            if os.path.islink(path) and not is_inside(root, path):
                continue  # a link leading out of the knowledge base: never published
            if not os.path.isfile(path):
                continue  # a pipe, a device, a broken link
            found.append((rel, path))
    found.sort()
    yield from found


def svg_is_safe(data: bytes) -> bool:
    """Whether an SVG holds nothing that runs (script, event handlers, `javascript:` links,
    embedded HTML): opened from the site, an SVG is a document of the site's origin."""
    return _SVG_SCRIPT.search(data) is None
