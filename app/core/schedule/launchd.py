"""A launchd agent (macOS): a property list in ``~/Library/LaunchAgents`` with
``StartCalendarInterval``, loaded with ``launchctl bootstrap gui/UID`` and unloaded with
``launchctl bootout``. ``ProgramArguments`` is a list, so nothing needs quoting."""

from __future__ import annotations

import plistlib
from pathlib import Path
from typing import Any

from app.core.errors import UsageError
from app.core.i18n import N_, _
from app.core.schedule.base import Registration
from app.core.schedule.command import ScheduledCommand
from app.core.schedule.models import Schedule
from app.core.schedule.runner import Runner, check

LABEL_PREFIX = "com.autopilotexporter.export."
KEYRING_NOTE = N_(
    "launchd starts the run in your login session, where it reads the API key from your "
    "Keychain; while you are logged out it does not run."
)


_UNREADABLE = (OSError, KeyError, TypeError, ValueError, UsageError, plistlib.InvalidFileException)


def label(key: str) -> str:
    return LABEL_PREFIX + key


def plist_data(key: str, schedule: Schedule, command: ScheduledCommand) -> dict[str, Any]:
    interval: dict[str, int] = {"Hour": schedule.hour, "Minute": schedule.minute}
    if schedule.weekday is not None:
        interval["Weekday"] = (schedule.weekday + 1) % 7  # launchd: 0 is Sunday
    data: dict[str, Any] = {
        "Label": label(key),
        "ProgramArguments": list(command.argv),
        "StartCalendarInterval": interval,
        "RunAtLoad": False,
    }
    if command.environment:
        data["EnvironmentVariables"] = dict(command.environment)
    return data


class LaunchdBackend:
    name = "launchd"
    keyring_note = KEYRING_NOTE

    def __init__(self, runner: Runner, home: Path, uid: int) -> None:
        self._run = runner
        self.directory = home / "Library" / "LaunchAgents"
        self._domain = f"gui/{uid}"

    def path(self, key: str) -> Path:
        return self.directory / f"{label(key)}.plist"

    def install(self, key: str, export: str, schedule: Schedule, command: ScheduledCommand) -> None:
        path = self.path(key)
        self._run(["launchctl", "bootout", f"{self._domain}/{label(key)}"])  # may not be loaded
        self.directory.mkdir(parents=True, exist_ok=True)
        path.write_bytes(plistlib.dumps(plist_data(key, schedule, command)))
        check(
            self._run(["launchctl", "bootstrap", self._domain, str(path)]),
            "launchctl bootstrap",
        )

    def remove(self, key: str) -> bool:
        path = self.path(key)
        if not path.exists():
            return False
        self._run(["launchctl", "bootout", f"{self._domain}/{label(key)}"])
        path.unlink(missing_ok=True)
        return True

    def read(self, key: str) -> Registration | None:
        try:
            data = plistlib.loads(self.path(key).read_bytes())
            interval = data["StartCalendarInterval"]
            day = interval.get("Weekday")
            schedule = Schedule(
                int(interval["Hour"]),
                int(interval["Minute"]),
                None if day is None else (int(day) + 6) % 7,
            )
        except (
            OSError,
            KeyError,
            TypeError,
            ValueError,
            UsageError,
            plistlib.InvalidFileException,
        ):
            return None
        if self._run(["launchctl", "print", f"{self._domain}/{label(key)}"]).ok:
            return Registration(schedule)
        return Registration(
            schedule,
            _("The agent is not loaded, so it does not run; set the schedule again to load it."),
        )
