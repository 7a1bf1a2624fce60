"""Schedules: an export run by the operating system's own scheduler for this user.

``ScheduleService`` sets, removes and shows an export's schedule through one backend per
scheduler: a systemd user timer (``systemd.py``) or the user's crontab (``cron.py``) on Linux,
Task Scheduler (``windows.py``) and launchd (``launchd.py``). Every program they start goes
through one :class:`Runner`, so tests can check the exact argument lists.
"""

from app.core.schedule.base import Backend, Registration
from app.core.schedule.command import ScheduledCommand, export_key, find_program
from app.core.schedule.models import Schedule, parse_day, parse_time
from app.core.schedule.runner import Completed, Runner, SchedulerError, subprocess_runner
from app.core.schedule.service import (
    NoSchedulerError,
    ScheduleInfo,
    ScheduleService,
    choose_backend,
)

__all__ = [
    "Backend",
    "Completed",
    "NoSchedulerError",
    "Registration",
    "Runner",
    "Schedule",
    "ScheduleInfo",
    "ScheduleService",
    "ScheduledCommand",
    "SchedulerError",
    "choose_backend",
    "export_key",
    "find_program",
    "parse_day",
    "parse_time",
    "subprocess_runner",
]
