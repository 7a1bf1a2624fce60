"""A systemd user timer (Linux, where a user systemd runs).

Two units in ``$XDG_CONFIG_HOME/systemd/user``: a oneshot service that runs the export and a
timer with ``OnCalendar=`` and ``Persistent=true`` (a start missed while the computer was off
runs when it is next on). Then ``systemctl --user daemon-reload`` and ``enable --now``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from app.core.i18n import N_, _
from app.core.schedule.base import Registration
from app.core.schedule.command import ScheduledCommand
from app.core.schedule.models import DAY_ABBREVIATIONS, Schedule
from app.core.schedule.runner import Runner, check

PREFIX = "autopilot-exporter-"
KEYRING_NOTE = N_(
    "The timer runs in your user session's service manager, which reaches your login keyring "
    "while you are logged in and it is unlocked; otherwise the run fails and says so in History."
)
_CALENDAR = re.compile(r"^OnCalendar=(?:(\w{3}) )?\*-\*-\* (\d{2}):(\d{2}):00\s*$", re.MULTILINE)


def unit_dir(environ: Mapping[str, str], home: Path) -> Path:
    config = environ.get("XDG_CONFIG_HOME", "").strip()
    return (Path(config) if config else home / ".config") / "systemd" / "user"


def quote(arg: str) -> str:
    """One word of ``ExecStart=``/``Environment=``: double-quoted with C escapes, ``%`` doubled
    (specifiers) and ``$`` doubled (variable expansion)."""
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped.replace("%", "%%").replace("$", "$$") + '"'


def on_calendar(schedule: Schedule) -> str:
    day = "" if schedule.weekday is None else DAY_ABBREVIATIONS[schedule.weekday].capitalize() + " "
    return f"{day}*-*-* {schedule.time_text}:00"


def service_text(export: str, command: ScheduledCommand) -> str:
    label = " ".join(export.split()).replace("%", "%%")
    lines = [
        "[Unit]",
        f"Description=Autopilot Segment Exporter: run the export {label}",
        "",
        "[Service]",
        "Type=oneshot",
    ]
    lines += [f"Environment={quote(f'{k}={v}')}" for k, v in command.environment.items()]
    lines.append("ExecStart=" + " ".join(quote(arg) for arg in command.argv))
    return "\n".join(lines) + "\n"


def timer_text(export: str, schedule: Schedule) -> str:
    label = " ".join(export.split()).replace("%", "%%")
    return (
        "[Unit]\n"
        f"Description=Autopilot Segment Exporter: {schedule.describe()}, the export {label}\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={on_calendar(schedule)}\n"
        "Persistent=true\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )


class SystemdBackend:
    name = "systemd user timer"
    keyring_note = KEYRING_NOTE

    def __init__(self, runner: Runner, directory: Path) -> None:
        self._run = runner
        self.directory = directory

    def _paths(self, key: str) -> tuple[Path, Path]:
        base = self.directory / (PREFIX + key)
        return base.with_name(base.name + ".service"), base.with_name(base.name + ".timer")

    def _systemctl(self, *args: str) -> list[str]:
        return ["systemctl", "--user", *args]

    def install(self, key: str, export: str, schedule: Schedule, command: ScheduledCommand) -> None:
        service, timer = self._paths(key)
        self.directory.mkdir(parents=True, exist_ok=True)
        service.write_text(service_text(export, command), encoding="utf-8")
        timer.write_text(timer_text(export, schedule), encoding="utf-8")
        check(self._run(self._systemctl("daemon-reload")), "systemctl --user daemon-reload")
        check(
            self._run(self._systemctl("enable", "--now", timer.name)),
            f"systemctl --user enable --now {timer.name}",
        )

    def remove(self, key: str) -> bool:
        service, timer = self._paths(key)
        if not service.exists() and not timer.exists():
            return False
        self._run(self._systemctl("disable", "--now", timer.name))  # may be disabled already
        timer.unlink(missing_ok=True)
        service.unlink(missing_ok=True)
        check(self._run(self._systemctl("daemon-reload")), "systemctl --user daemon-reload")
        return True

    def read(self, key: str) -> Registration | None:
        _service, timer = self._paths(key)
        try:
            text = timer.read_text(encoding="utf-8")
        except OSError:
            return None
        match = _CALENDAR.search(text)
        if match is None:
            return None
        day, hour, minute = match.groups()
        weekday = None if day is None else DAY_ABBREVIATIONS.index(day.casefold())
        schedule = Schedule(int(hour), int(minute), weekday)
        if self._run(self._systemctl("is-enabled", "--quiet", timer.name)).ok:
            return Registration(schedule)
        return Registration(
            schedule,
            _(
                "The timer {timer} is not enabled, so it does not run; set the schedule again "
                "to enable it."
            ).format(timer=timer.name),
        )
