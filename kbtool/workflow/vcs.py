"""The little git kbtool needs: which files changed since a reference (for pull requests)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kbtool.core.errors import UsageError


def changed_files(root: Path, since: str) -> list[Path]:
    """Files added or modified since `since` (merge base with HEAD), plus uncommitted changes."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, check=False
            )
        except FileNotFoundError:
            raise UsageError("--changed-since needs git, which is not installed") from None
        if done.returncode != 0:
            message = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
            raise UsageError(f"git {' '.join(args)}: {message}")
        return done.stdout

    top = Path(git("rev-parse", "--show-toplevel").strip())
    names = set(git("diff", "--name-only", "--diff-filter=d", f"{since}...HEAD").splitlines())
    names |= set(git("diff", "--name-only", "--diff-filter=d", "HEAD").splitlines())
    names |= set(git("ls-files", "--others", "--exclude-standard").splitlines())
    return sorted(top / name for name in names if name)
