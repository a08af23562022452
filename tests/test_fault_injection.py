"""Fault injection: `kill -9` at random points of the commands that write, on 2,000 procedures.

Real `kbtool` processes on a synthetic knowledge base (benchmarks/synth.py), killed with
SIGKILL after random (seeded) delays:

- `kbtool index --rebuild`: after every kill `kbtool search` still answers, from the index
  that was there, and finds what it found before; a later `kbtool index` ends consistent
  (the same answers as a clean build).
- `kbtool search` while it refreshes the index after a change: the next search sees the
  change.
- `kbtool review`: every file is either its old bytes or the new ones (only `reviewed:`
  changed), never half-written; the temporary files a kill leaves are never indexed or
  searched, and the next write of the same file removes them.

The delays are drawn over the whole run (measured on this machine first) and, for half of the
reviews, from the moment the temporary file appears, so that kills land while it writes.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import synth  # noqa: E402

N = 2000
SEED = 9
INDEX_KILLS = 5
SEARCH_KILLS = 4
REVIEW_KILLS = 12
TODAY = "2026-11-01"
KBTOOL = [sys.executable, "-m", "kbtool"]
ENV = {**os.environ, "KBTOOL_TODAY": TODAY}


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KBTOOL, *args],
        cwd=root,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _killed_after(root: Path, delay: float, *args: str) -> int:
    """Start `kbtool ARGS`, SIGKILL it after `delay` seconds (unless done); its exit status."""
    proc = subprocess.Popen(
        [*KBTOOL, *args], cwd=root, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
    return proc.wait(timeout=60)


def _killed_while_writing(root: Path, path: Path, delay: float, *args: str) -> int:
    """Start `kbtool ARGS` and SIGKILL it `delay` seconds after its temporary file for `path`
    appears (between creating it and renaming it into place); its exit status."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}\.tmp")
    proc = subprocess.Popen(
        [*KBTOOL, *args], cwd=root, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if any(pattern.fullmatch(entry.name) for entry in os.scandir(path.parent)):
            time.sleep(delay)
            break
    proc.send_signal(signal.SIGKILL)
    return proc.wait(timeout=60)


def _search(root: Path, *query: str) -> dict[str, Any]:
    """`kbtool search --json`, checked for a sane answer; the parsed output."""
    done = _run(root, "search", "--json", "--limit", "5", *query)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    for result in answer["results"]:
        assert re.fullmatch(r"KB-\d{5}", result["id"]), result
        assert result["path"].endswith(".md") and "/." not in "/" + result["path"], result
    assert (done.returncode == 0) == bool(answer["results"])
    return answer


def _ids(answer: dict[str, Any]) -> list[str]:
    return [result["id"] for result in answer["results"]]


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("faults")
    synth.generate(root, N, seed=SEED)
    done = _run(root, "index", "--rebuild")
    assert done.returncode == 0, done.stderr
    return root


def _error_code(path: Path) -> str:
    match = re.search(r'^error_codes: \["(0x[0-9A-F]{8})"\]$', path.read_text(), re.M)
    assert match, path
    return match.group(1)


def _procedure(root: Path, number: int) -> Path:
    return next((root / "procedures").glob(f"*/kb-{number:05d}.md"))


def _temp_files(root: Path) -> list[Path]:
    return sorted((root / "procedures").rglob(".*.tmp"))


def test_killed_rebuilds_never_stop_search(kb: Path) -> None:
    rng = random.Random(SEED)
    targets = [rng.randint(1, N) for _ in range(3)]
    queries = [[_error_code(_procedure(kb, n))] for n in targets]
    queries += [["vpn", "tunnel", "disconnect"], ["printer", "queue", "stuck"]]
    baseline = [_search(kb, *q) for q in queries]
    for target, answer in zip(targets, baseline, strict=False):
        assert _ids(answer)[0] == f"KB-{target:05d}"

    started = time.monotonic()
    assert _run(kb, "index", "--rebuild").returncode == 0
    rebuild_seconds = time.monotonic() - started

    for _ in range(INDEX_KILLS):
        _killed_after(kb, rng.uniform(0.05, rebuild_seconds), "index", "--rebuild")
        # Whatever the kill left, search answers, and from an index of the same procedures.
        assert _ids(_search(kb, *queries[0]))[:1] == _ids(baseline[0])[:1]

    done = _run(kb, "index")
    assert done.returncode == 0, done.stderr
    assert [_search(kb, *q) for q in queries] == baseline
    assert "up to date" in _run(kb, "index").stdout + _run(kb, "index").stderr


def test_killed_refreshing_search_is_caught_up_by_the_next(kb: Path) -> None:
    rng = random.Random(SEED + 1)
    started = time.monotonic()
    _search(kb, "anything")
    search_seconds = time.monotonic() - started
    for k in range(SEARCH_KILLS):
        number = rng.randint(1, N)
        path = _procedure(kb, number)
        word = f"zqxfault{k}"
        path.write_text(path.read_text() + f"\nThe caller says {word}.\n")
        _killed_after(kb, rng.uniform(0.05, search_seconds + 0.5), "search", word)
        assert _ids(_search(kb, word)) == [f"KB-{number:05d}"]


def test_killed_reviews_leave_old_or_new_bytes(kb: Path) -> None:
    rng = random.Random(SEED + 2)
    # How long a review takes here: the kills are drawn around its end, where it writes.
    calibration = _procedure(kb, 1)
    started = time.monotonic()
    assert _run(kb, "review", "KB-00001", "--date", "2026-10-31").returncode == 0
    review_seconds = time.monotonic() - started
    assert b"\nreviewed: 2026-10-31\n" in calibration.read_bytes()

    outcomes = {"old": 0, "new": 0}
    for k in range(REVIEW_KILLS):
        number = rng.randint(2, N)
        path = _procedure(kb, number)
        old = path.read_bytes()
        was = re.search(rb"\nreviewed: (\S+)\n", old)
        assert was is not None
        date = "2026-10-30" if was.group(1) != b"2026-10-30" else "2026-10-29"
        new = old.replace(was.group(0), f"\nreviewed: {date}\n".encode(), 1)
        argv = ("review", f"KB-{number:05d}", "--date", date)
        if k % 2:  # anywhere in the run
            _killed_after(kb, rng.uniform(0.05, review_seconds), *argv)
        else:  # while it writes: its temporary file exists
            _killed_while_writing(kb, path, rng.uniform(0, 0.003), *argv)
        now = path.read_bytes()
        assert now in (old, new), f"{path} is neither the old nor the new file"
        outcomes["old" if now == old else "new"] += 1
    print(f"review kills: {outcomes}, temporary files left: {len(_temp_files(kb))}")

    # Files the kills left behind are never indexed nor searched.
    done = _run(kb, "index")
    assert done.returncode == 0, done.stderr
    assert not re.search(r"[1-9]\d* added", done.stdout + done.stderr), done.stderr
    assert _ids(_search(kb, _error_code(_procedure(kb, 2))))[:1] == ["KB-00002"]
    # The next write of a file removes what a killed write of it left.
    for temp in _temp_files(kb):
        owner = temp.parent / re.sub(r"^\.(.*)\.[a-z0-9_]{8}\.tmp$", r"\1", temp.name)
        text = owner.read_text()
        ident = re.search(r"^id: (\S+)$", text, re.M)
        assert ident is not None
        date = "2026-10-28" if "\nreviewed: 2026-10-28\n" not in text else "2026-10-27"
        assert _run(kb, "review", ident.group(1), "--date", date).returncode == 0
        assert not temp.exists()
