"""Task Scheduler (Windows), through ``schtasks``.

Tasks live in the folder ``\\AutopilotExporter``. ``/TR`` is one command line of at most 261
characters, quoted by Windows' rules; when the run needs a variable (a moved data folder) it
goes through ``cmd.exe /s /c "set "NAME=value"&& ..."``. A task made by ``schtasks /Create``
without a password runs only while the user is logged on.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime

from app.core.errors import UsageError
from app.core.i18n import N_, _, number
from app.core.schedule.base import Registration
from app.core.schedule.command import ScheduledCommand
from app.core.schedule.models import DAYS, Schedule
from app.core.schedule.runner import Runner, check

FOLDER = "AutopilotExporter"
MAX_TR = 261
KEYRING_NOTE = N_(
    "Task Scheduler starts the run only while you are logged on, and it reads the API key from "
    "your Windows Credential Manager."
)


def task_name(key: str) -> str:
    return f"\\{FOLDER}\\{key}"


def task_command(command: ScheduledCommand) -> str:
    line = subprocess.list2cmdline(list(command.argv))
    if not command.environment:
        return line
    sets = "&& ".join(f'set "{k}={v}"' for k, v in command.environment.items())
    return f'cmd.exe /d /s /c "{sets}&& {line}"'


def create_args(key: str, schedule: Schedule, command: ScheduledCommand) -> list[str]:
    run = task_command(command)
    if len(run) > MAX_TR:
        raise UsageError(
            _(
                "The command to schedule is {length} characters long and Task Scheduler takes at "
                "most {limit}; give the export a shorter name or install the program in a "
                "shorter folder."
            ).format(length=number(len(run)), limit=number(MAX_TR))
        )
    args = ["schtasks", "/Create", "/SC", "DAILY" if schedule.weekday is None else "WEEKLY"]
    if schedule.weekday is not None:
        args += ["/D", DAYS[schedule.weekday][:3].upper()]
    return [*args, "/ST", schedule.time_text, "/TN", task_name(key), "/TR", run, "/F"]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_task_xml(text: str) -> Schedule | None:
    """The schedule of a task as ``schtasks /Query /XML`` describes it."""
    try:
        root = ET.fromstring(text.strip().lstrip("\ufeff"))
    except ET.ParseError:
        return None
    for trigger in root.iter():
        if _local(trigger.tag) != "CalendarTrigger":
            continue
        start = next((e.text for e in trigger.iter() if _local(e.tag) == "StartBoundary"), None)
        if not start:
            return None
        moment = datetime.fromisoformat(start.strip()[:19])
        days = [
            _local(e.tag).casefold() for e in trigger.iter() if _local(e.tag).casefold() in DAYS
        ]
        weekday = DAYS.index(days[0]) if days else None
        return Schedule(moment.hour, moment.minute, weekday)
    return None


class TaskSchedulerBackend:
    name = "Task Scheduler"
    keyring_note = KEYRING_NOTE

    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def install(self, key: str, export: str, schedule: Schedule, command: ScheduledCommand) -> None:
        check(self._run(create_args(key, schedule, command)), "schtasks /Create")

    def remove(self, key: str) -> bool:
        if not self._run(["schtasks", "/Query", "/TN", task_name(key)]).ok:
            return False
        check(self._run(["schtasks", "/Delete", "/TN", task_name(key), "/F"]), "schtasks /Delete")
        return True

    def read(self, key: str) -> Registration | None:
        result = self._run(["schtasks", "/Query", "/TN", task_name(key), "/XML"])
        if not result.ok:
            return None
        schedule = parse_task_xml(result.stdout)
        if schedule is None:
            return None
        return Registration(schedule)
