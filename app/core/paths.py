"""Where everything lives on disk.

One directory tree from platformdirs holds state, profiles, logs and reports. The environment
variable ``AUTOPILOT_EXPORTER_HOME`` moves all of it under one folder (tests, portable installs);
with it set nothing is read or written in the real home.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "AutopilotExporter"
APP_AUTHOR = "AutopilotExporter"
HOME_ENV = "AUTOPILOT_EXPORTER_HOME"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    log_dir: Path
    config_dir: Path

    @property
    def state_db(self) -> Path:
        return self.data_dir / "state.sqlite3"

    @property
    def profiles_db(self) -> Path:
        return self.data_dir / "profiles.duckdb"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "autopilot-exporter.log"

    def ensure(self) -> AppPaths:
        for path in (self.data_dir, self.log_dir, self.config_dir, self.reports_dir):
            path.mkdir(parents=True, exist_ok=True)
        return self


def resolve_paths(environ: Mapping[str, str] | None = None) -> AppPaths:
    """Resolve every location; ``AUTOPILOT_EXPORTER_HOME`` puts all of them under one folder."""
    env = os.environ if environ is None else environ
    home = env.get(HOME_ENV, "").strip()
    if home:
        root = Path(home).expanduser().resolve()
        return AppPaths(data_dir=root / "data", log_dir=root / "logs", config_dir=root / "config")
    return AppPaths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
        log_dir=Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
    )
