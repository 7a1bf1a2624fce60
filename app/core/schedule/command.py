"""What a schedule runs: ``autopilot-exporter export run NAME --refresh``, with the program's
absolute path and the environment the run needs.

The frozen program schedules its own console executable; an installed one its
``autopilot-exporter`` console script (the one beside the running Python first, so a virtual
environment schedules itself). A data folder moved with ``AUTOPILOT_EXPORTER_HOME`` goes with
the run, and so does a keyring backend chosen with ``PYTHON_KEYRING_BACKEND``: a scheduled run
starts without the user's shell and its variables.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import UsageError
from app.core.i18n import _
from app.core.paths import HOME_ENV, AppPaths

PROGRAM = "autopilot-exporter"
# Variables a run needs to find the same data and keys as the program that scheduled it.
PASSED_ON = (HOME_ENV, "PYTHON_KEYRING_BACKEND")


@dataclass(frozen=True)
class ScheduledCommand:
    """The program and arguments a schedule starts, and the variables it sets."""

    argv: tuple[str, ...]
    environment: dict[str, str] = field(default_factory=dict)


def export_key(paths: AppPaths, export: str) -> str:
    """A short name for this export's entry in the scheduler: readable, and unique per data
    folder (two data folders may both have an export called Weekly), export names compared
    as the store compares them (without regard to case)."""
    digest = hashlib.sha256(f"{paths.data_dir}\0{export.strip().casefold()}".encode()).hexdigest()
    slug = re.sub(r"[^a-z0-9]+", "-", export.strip().casefold()).strip("-")[:32].strip("-")
    return f"{slug or 'export'}-{digest[:10]}"


def find_program(
    *,
    frozen: bool | None = None,
    executable: str | None = None,
    which: Callable[[str], str | None] = shutil.which,
    windows: bool | None = None,
) -> Path:
    """The absolute path of the command-line program to schedule."""
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    exe = Path(executable or sys.executable).absolute()
    windows = sys.platform == "win32" if windows is None else windows
    name = PROGRAM + (".exe" if windows else "")
    beside = exe.parent / name
    if beside.is_file():
        return beside
    if frozen:
        return exe  # the frozen program is the command line itself
    found = which(PROGRAM)
    if found:
        return Path(found).absolute()
    raise UsageError(
        _(
            "The {program} command was not found, so there is nothing to schedule; install the "
            "program (for example with pip install .) so that the command is on your PATH."
        ).format(program=PROGRAM)
    )


def scheduled_command(
    export: str, program: Path, environ: Mapping[str, str], paths: AppPaths
) -> ScheduledCommand:
    env: dict[str, str] = {}
    if environ.get(HOME_ENV, "").strip():
        env[HOME_ENV] = str(paths.data_dir.parent)
    for name in PASSED_ON[1:]:
        if environ.get(name, "").strip():
            env[name] = environ[name]
    return ScheduledCommand((str(program), "export", "run", export.strip(), "--refresh"), env)
