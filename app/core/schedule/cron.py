"""The user's crontab (Linux without a user systemd).

``crontab -l`` is read, only the lines tagged with this export's key are replaced, and the
table is written back with ``crontab -``: the user's other entries stay exactly as they were.
The command is quoted for ``sh``; cron turns an unescaped ``%`` into a new line, so every ``%``
is written as ``\\%`` (cron removes the backslash before the shell sees the line).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

from app.core.i18n import N_, _
from app.core.schedule.base import Registration
from app.core.schedule.command import ScheduledCommand
from app.core.schedule.models import Schedule
from app.core.schedule.runner import Runner, SchedulerError, check

TAG = "# autopilot-exporter:"
# Marked for the catalog; the crontab's own comment keeps it in English.
KEYRING_NOTE = N_(
    "cron starts the run outside your desktop session, where the login keyring is usually not "
    "open, so a run that cannot read the API key fails and says so in History."
)
_ENTRY = re.compile(r"^\s*(\d{1,2})\s+(\d{1,2})\s+\*\s+\*\s+(\*|[0-7])\s")


def cron_line(key: str, schedule: Schedule, command: ScheduledCommand) -> str:
    day = "*" if schedule.weekday is None else str((schedule.weekday + 1) % 7)
    words = [f"{name}={shlex.quote(value)}" for name, value in command.environment.items()]
    words += [shlex.quote(arg) for arg in command.argv]
    text = " ".join(words).replace("%", "\\%")
    return f"{schedule.minute} {schedule.hour} * * {day} {text} {TAG}{key}"


def _is_ours(line: str, key: str) -> bool:
    return re.search(rf"(^|\s){re.escape(TAG + key)}(\s|$)", line) is not None


class CronBackend:
    name = "crontab"
    keyring_note = KEYRING_NOTE

    def __init__(self, runner: Runner, crontab: Sequence[str] = ("crontab",)) -> None:
        self._run = runner
        self._crontab = tuple(crontab)

    def _lines(self) -> list[str]:
        result = self._run([*self._crontab, "-l"])
        if result.ok:
            return result.stdout.splitlines()
        if "no crontab" in (result.stderr + result.stdout).casefold():
            return []
        check(result, "crontab -l")
        raise SchedulerError(_("crontab -l failed."))  # pragma: no cover - check() raised

    def _write(self, lines: list[str]) -> None:
        text = "".join(line + "\n" for line in lines)
        check(self._run([*self._crontab, "-"], text), "crontab -")

    def install(self, key: str, export: str, schedule: Schedule, command: ScheduledCommand) -> None:
        lines = [line for line in self._lines() if not _is_ours(line, key)]
        label = " ".join(export.split())  # one line, whatever the name holds
        lines.append(f'{TAG}{key} runs the export "{label}". Note: {KEYRING_NOTE}')
        lines.append(cron_line(key, schedule, command))
        self._write(lines)

    def remove(self, key: str) -> bool:
        lines = self._lines()
        kept = [line for line in lines if not _is_ours(line, key)]
        if len(kept) == len(lines):
            return False
        self._write(kept)
        return True

    def read(self, key: str) -> Registration | None:
        for line in self._lines():
            match = _ENTRY.match(line)
            if match is None or not _is_ours(line, key):
                continue
            minute, hour, day = match.groups()
            weekday = None if day == "*" else (int(day) + 6) % 7
            return Registration(Schedule(int(hour), int(minute), weekday))
        return None
