"""What `mkdocs serve` watches for the kbtool plugin: the procedures folder, the roster and
kbtool's configuration, never kbtool's own state folder.

kbtool writes `.kbtool/` (the search index, the search log, the events database) at the
knowledge base's root. When that lies inside the procedures folder (`procedures = "."`), a
recursive watch would rebuild the site every time `kbtool search` or `kbtool serve` writes
there. MkDocs' watcher takes no exclusions, so then each folder is watched on its own, without
recursion, leaving out `.kbtool/` and the folders the procedure walk skips (`.git`, `site`...).
A folder created while `mkdocs serve` runs is then watched from its next start.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from kbtool.model.config import Config
from kbtool.model.file_scan import SKIP_DIRS

STATE_DIRNAME = ".kbtool"


def watched_paths(config: Config) -> Iterator[tuple[str, bool]]:
    """(path, recursive) for each path `mkdocs serve` should watch."""
    procedures = config.procedures_dir
    state = config.root / STATE_DIRNAME
    if state == procedures or procedures not in state.parents:
        yield str(procedures), True
    else:
        for folder, subfolders, _files in os.walk(procedures):
            subfolders[:] = sorted(
                name
                for name in subfolders
                if name not in SKIP_DIRS and not os.path.islink(os.path.join(folder, name))
            )
            yield folder, False
    for extra in (config.roster_path, config.source):
        if extra is not None and extra.exists() and not _inside(extra, procedures):
            yield str(extra), False


def _inside(path: Path, folder: Path) -> bool:
    return folder in path.parents
