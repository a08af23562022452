"""Building the site, for `kbtool serve --build`: `mkdocs build`, as the authors run it.

In a child process, so the server's process does not keep MkDocs, the theme and every page in
memory, and the build's messages and exit status are exactly those of `mkdocs build`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kbtool.core.errors import KbtoolError

#: Lines of a failed build's output quoted in the error.
TAIL_LINES = 15


def find_mkdocs_config(*folders: Path) -> Path | None:
    """The first `mkdocs.yml` (or `mkdocs.yaml`) in `folders`."""
    for folder in folders:
        for name in ("mkdocs.yml", "mkdocs.yaml"):
            if (folder / name).is_file():
                return folder / name
    return None


def build_site(mkdocs_yml: Path, site_dir: Path) -> str:
    """Run `mkdocs build` of `mkdocs_yml` into `site_dir`; its output. Raises KbtoolError
    (quoting the end of the output) when the build fails."""
    environ = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-f", str(mkdocs_yml), "-d", str(site_dir)],
            cwd=mkdocs_yml.parent,
            capture_output=True,
            text=True,
            env=environ,
            check=False,
        )
    except OSError as exc:
        raise KbtoolError(f"cannot run mkdocs build: {exc}", path=str(mkdocs_yml)) from None
    output = done.stdout + done.stderr
    if done.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-TAIL_LINES:])
        raise KbtoolError(f"mkdocs build failed:\n{tail}", path=str(mkdocs_yml))
    return output
