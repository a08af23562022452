from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.events.postgres import PostgresServer, postgres_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session's tests (each test uses its own database)."""
    # Not under pytest's tmp_path: `nobody` must be able to reach the folder.
    with tempfile.TemporaryDirectory(prefix="kbtool-pg-") as folder:
        Path(folder).chmod(0o755)
        with postgres_server(Path(folder) / "pg") as server:
            yield server
