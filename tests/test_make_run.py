"""`make run` stops cleanly on Ctrl-C (issue 13): make's own messages only, no
"wait: No child processes", the server gone and its port free.

Ctrl-C is typed at a pseudo-terminal, as a user does: the terminal sends SIGINT to the whole
foreground process group (make and the server it runs).
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import shutil
import signal
import socket
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_ctrl_c_stops_make_run_cleanly() -> None:
    if not (REPO / ".venv" / ".installed").exists():
        pytest.fail("run `make install` first: this test runs the repository's `make run`")
    port = _free_port()
    pid, fd = pty.fork()
    if pid == 0:  # the child: make, in the terminal's foreground process group
        os.chdir(REPO)
        os.environ["KBTOOL_TODAY"] = "2026-11-23"
        os.execvp("make", ["make", "--no-print-directory", "run", f"PORT={port}"])
    output = b""
    deadline = time.monotonic() + 240
    interrupted_at: float | None = None
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # the other end closed: everything ended
                    break
                if not chunk:
                    break
                output += chunk
            if interrupted_at is None and _listening(port):
                time.sleep(1.0)
                os.write(fd, b"\x03")  # Ctrl-C
                interrupted_at = time.monotonic()
        _, status = os.waitpid(pid, 0)
    finally:
        with contextlib.suppress(ProcessLookupError):  # already ended, as it should be
            os.kill(pid, signal.SIGKILL)
        os.close(fd)
    text = output.decode("utf-8", errors="replace")
    assert interrupted_at is not None, text[-2000:]
    assert time.monotonic() - interrupted_at < 30, "make run did not stop on Ctrl-C"
    assert "No child processes" not in text, text[-2000:]
    assert "Traceback" not in text, text[-2000:]
    assert not _listening(port), "the server is still running"
    assert os.WIFSIGNALED(status) or os.WIFEXITED(status)
