"""Where everything lives on disk, readable by this user only.

One directory tree from platformdirs holds state, profiles, logs and reports. The environment
variable ``AUTOPILOT_EXPORTER_HOME`` moves all of it under one folder (tests, portable installs);
with it set nothing is read or written in the real home.

The program's folders hold customer data (emails of rejected rows, the ledger, profiles), so on
POSIX systems they are created ``0700`` and its files made ``0600``, as ssh and gpg do, whatever
the umask; folders and files left wider by an earlier version are tightened at every start.
Files the user chooses to write (a rejected-rows CSV, a dry-run ``--output``) keep the user's
umask. On Windows the per-user profile folder (``%LOCALAPPDATA%``) is already private.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "AutopilotExporter"
APP_AUTHOR = "AutopilotExporter"
HOME_ENV = "AUTOPILOT_EXPORTER_HOME"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def make_private(*paths: Path) -> None:
    """Take group and other permissions off ``paths`` (folders 0700, files 0600) on POSIX.

    Paths that do not exist (a WAL file not made yet) or cannot be changed (another user's
    file) are left as they are: the folder around them is what keeps others out."""
    if os.name != "posix":
        return
    for path in paths:
        try:
            mode = stat.S_IMODE(path.lstat().st_mode)
            if path.is_symlink() or not mode & 0o077:
                continue
            path.chmod(PRIVATE_DIR_MODE if path.is_dir() else PRIVATE_FILE_MODE)
        except OSError:
            continue


def make_tree_private(root: Path) -> None:
    """``root`` and everything below it, as :func:`make_private` says."""
    make_private(root)
    for folder, dirs, files in os.walk(root):
        base = Path(folder)
        make_private(*(base / name for name in (*dirs, *files)))


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
        """Create the folders, private, and tighten whatever an earlier start left wider."""
        for path in (self.data_dir, self.log_dir, self.config_dir, self.reports_dir):
            path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        for root in dict.fromkeys((self.data_dir, self.log_dir, self.config_dir)):
            make_tree_private(root)
        # A read-only data folder is said now, not at the first write half-way through a
        # command (OSError: the faces turn it into a message, see app/core/environment.py).
        with tempfile.TemporaryFile(dir=self.data_dir):
            pass
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
