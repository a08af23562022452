"""What a built site says about itself, for the server that serves it (`kbtool serve`).

The plugin writes `assets/kbtool/site.json` into the site: when it was built, and the page
URL of every procedure (relative to the site's root, as MkDocs made it). The server reads it to
give each search hit its page (`url_for`) and to say in `/api/health` when the site was built.
A procedure indexed after the build (no page yet) gets the URL MkDocs would give it.
Nothing here imports MkDocs.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Where the file is, under the site folder.
SITE_JSON = "assets/kbtool/site.json"
FORMAT = 1


def site_json(
    pages: dict[str, str], *, prefix: str, directory_urls: bool, built: dt.datetime
) -> str:
    """The file's text: `pages` maps a procedure's path in the procedures folder to its URL."""
    payload = {
        "format": FORMAT,
        "built": built.isoformat(timespec="seconds"),
        "prefix": prefix,
        "directory_urls": directory_urls,
        "pages": dict(sorted(pages.items())),
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class PublishedSite:
    """The contents of `site.json` (empty when the site was not built by the kbtool plugin)."""

    built: str | None = None
    prefix: str = "procedures"
    directory_urls: bool = True
    pages: dict[str, str] = field(default_factory=dict)

    def url_for(self, rel_path: str) -> str:
        """The page of the procedure at `rel_path`, relative to the site's root."""
        known = self.pages.get(rel_path)
        if known is not None:
            return known
        return conventional_url(rel_path, self.prefix, directory_urls=self.directory_urls)


def conventional_url(rel_path: str, prefix: str, *, directory_urls: bool) -> str:
    """The URL MkDocs gives `prefix/rel_path` (`a/b.md` -> `a/b/`; `a/index.md` -> `a/`)."""
    src = posixpath.join(prefix, rel_path) if prefix else rel_path
    stem, _ext = posixpath.splitext(src)
    folder, name = posixpath.split(stem)
    if name.lower() in ("index", "readme"):
        return f"{folder}/" if folder else ""
    if directory_urls:
        return f"{stem}/"
    return f"{stem}.html"


def read_published(site_dir: Path) -> PublishedSite:
    """The site's `site.json`; an empty description when it is missing or unreadable."""
    try:
        data: Any = json.loads((site_dir / SITE_JSON).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return PublishedSite()
    if not isinstance(data, dict):
        return PublishedSite()
    pages = data.get("pages")
    return PublishedSite(
        built=data["built"] if isinstance(data.get("built"), str) else None,
        prefix=data["prefix"] if isinstance(data.get("prefix"), str) else "procedures",
        directory_urls=data.get("directory_urls") is not False,
        pages={str(k): str(v) for k, v in pages.items() if isinstance(v, str)}
        if isinstance(pages, dict)
        else {},
    )
