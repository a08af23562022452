"""What a server process needs to know, passed to uvicorn's worker processes in the environment.

Several workers are separate processes started by uvicorn from an import string
(`kbtool.web.app:app_from_environment`), so the settings travel as JSON in one environment
variable rather than as Python objects.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENVIRONMENT_VARIABLE = "KBTOOL_SERVE_SETTINGS"


@dataclass(frozen=True)
class ServeSettings:
    """`cwd`, `config_file` and `procedures` find the configuration as `kbtool` does."""

    cwd: Path
    site_dir: Path
    config_file: Path | None = None
    procedures: Path | None = None
    today: dt.date | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "cwd": str(self.cwd),
                "site_dir": str(self.site_dir),
                "config_file": str(self.config_file) if self.config_file else None,
                "procedures": str(self.procedures) if self.procedures else None,
                "today": self.today.isoformat() if self.today else None,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> ServeSettings:
        data = json.loads(text)
        return cls(
            cwd=Path(data["cwd"]),
            site_dir=Path(data["site_dir"]),
            config_file=Path(data["config_file"]) if data.get("config_file") else None,
            procedures=Path(data["procedures"]) if data.get("procedures") else None,
            today=dt.date.fromisoformat(data["today"]) if data.get("today") else None,
        )

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ServeSettings:
        environ = os.environ if environ is None else environ
        text = environ.get(ENVIRONMENT_VARIABLE)
        if not text:
            raise RuntimeError(f"{ENVIRONMENT_VARIABLE} is not set: start with `kbtool serve`")
        return cls.from_json(text)
