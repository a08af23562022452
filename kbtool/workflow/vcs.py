"""The little git kbtool needs: which files changed since a reference (for pull requests), and
when a file was first committed (the age of a draft that has no review date)."""

from __future__ import annotations

import datetime as dt
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


def first_committed(path: Path) -> dt.date | None:
    """The date `path` was first committed (following renames); None outside git, for a file
    git does not track yet, or when git is not installed."""
    try:
        done = subprocess.run(
            ["git", "log", "--follow", "--diff-filter=A", "--format=%as", "--", path.name],
            cwd=path.parent,
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    dates = done.stdout.split() if done.returncode == 0 else []
    try:
        return dt.date.fromisoformat(dates[-1]) if dates else None
    except ValueError:
        return None
