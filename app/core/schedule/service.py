"""Schedules of exports: set, remove, show, and follow an export's renaming.

The operating system's scheduler is the only record: what ``show`` says is read back from the
entry (our crontab line, our timer, our task, our agent), so a schedule removed by hand is
reported as gone and nothing here can disagree with what will run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.core.errors import AppError, UsageError
from app.core.i18n import N_, _
from app.core.paths import AppPaths
from app.core.schedule.base import Backend
from app.core.schedule.command import export_key, find_program, scheduled_command
from app.core.schedule.models import Schedule
from app.core.schedule.runner import Runner, subprocess_runner

Now = Callable[[], datetime]
# Which scheduler to use (systemd, cron, schtasks, launchd) instead of the one found, and the
# crontab command (split like a shell line) instead of ``crontab``: for tests, which must not
# touch the real user's schedules, and for unusual set-ups.
SCHEDULER_ENV = "AUTOPILOT_EXPORTER_SCHEDULER"
CRONTAB_ENV = "AUTOPILOT_EXPORTER_CRONTAB"
SCHEDULERS = ("systemd", "cron", "schtasks", "launchd")


# Who starts a scheduled run, one whole sentence per scheduler (``Backend.name``).
_STARTS_THE_RUN = {
    "systemd user timer": N_("A systemd user timer on this computer starts the run."),
    "crontab": N_("This computer's crontab starts the run."),
    "Task Scheduler": N_("Task Scheduler on this computer starts the run."),
    "launchd": N_("launchd on this computer starts the run."),
}


class NoSchedulerError(UsageError):
    """Neither a user systemd nor crontab on this Linux computer."""


def local_now() -> datetime:
    return datetime.now().astimezone()


@dataclass(frozen=True)
class ScheduleInfo:
    """What the scheduler holds for one export. ``schedule`` None: it is not scheduled."""

    export: str
    scheduler: str
    keyring_note: str
    schedule: Schedule | None = None
    next_run: datetime | None = None
    problem: str | None = None

    @property
    def starts_the_run(self) -> str:
        """Which scheduler starts the run, in a sentence in the user's language."""
        sentence = _STARTS_THE_RUN.get(self.scheduler)
        if sentence is None:
            return _("{scheduler} on this computer starts the run.").format(
                scheduler=self.scheduler
            )
        return _(sentence)


def choose_backend(
    runner: Runner,
    environ: Mapping[str, str],
    *,
    platform: str = sys.platform,
    which: Callable[[str], str | None] | None = None,
    home: Path | None = None,
    uid: int | None = None,
) -> Backend:
    """The scheduler of this computer for this user (see the module text of each backend)."""
    import shlex
    import shutil

    which = which or shutil.which
    home = home or Path.home()
    chosen = environ.get(SCHEDULER_ENV, "").strip().casefold()
    if chosen and chosen not in SCHEDULERS:
        raise UsageError(
            _(
                "{variable} is '{chosen}', which is not a scheduler; set it to one of "
                "{schedulers}, or unset it."
            ).format(variable=SCHEDULER_ENV, chosen=chosen, schedulers=", ".join(SCHEDULERS))
        )
    if not chosen:
        chosen = _found(runner, platform, which)
    if chosen == "schtasks":
        from app.core.schedule.windows import TaskSchedulerBackend

        return TaskSchedulerBackend(runner)
    if chosen == "launchd":
        from app.core.schedule.launchd import LaunchdBackend

        return LaunchdBackend(runner, home, os.getuid() if uid is None else uid)
    if chosen == "systemd":
        from app.core.schedule.systemd import SystemdBackend, unit_dir

        return SystemdBackend(runner, unit_dir(environ, home))
    from app.core.schedule.cron import CronBackend

    crontab = shlex.split(environ.get(CRONTAB_ENV, "")) or ["crontab"]
    return CronBackend(runner, crontab)


def _found(runner: Runner, platform: str, which: Callable[[str], str | None]) -> str:
    if platform == "win32":
        return "schtasks"
    if platform == "darwin":
        return "launchd"
    # A user manager that answers: installed is not enough (a container, a session over ssh).
    if which("systemctl") and runner(["systemctl", "--user", "show-environment"]).ok:
        return "systemd"
    if which("crontab"):
        return "cron"
    raise NoSchedulerError(
        _(
            "This computer has no scheduler the program can use: no user systemd is running and "
            "there is no crontab; install cron (for example: sudo apt install cron) and try "
            "again."
        )
    )


class ScheduleService:
    def __init__(
        self,
        paths: AppPaths,
        environ: Mapping[str, str],
        *,
        backend: Backend | None = None,
        runner: Runner = subprocess_runner,
        program: Callable[[], Path] = find_program,
        now: Now = local_now,
    ) -> None:
        self._paths = paths
        self._environ = environ
        self._backend = backend
        self._runner = runner
        self._program = program
        self._now = now

    @property
    def backend(self) -> Backend:
        """Chosen on first use: finding out asks systemctl, which the window need not wait for."""
        if self._backend is None:
            self._backend = choose_backend(self._runner, self._environ)
        return self._backend

    def _key(self, export: str) -> str:
        return export_key(self._paths, export)

    def set(self, export: str, schedule: Schedule) -> ScheduleInfo:
        """Register (or change) the export's schedule; returns what the scheduler now holds."""
        command = scheduled_command(export, self._program(), self._environ, self._paths)
        self.backend.install(self._key(export), export.strip(), schedule, command)
        return self.show(export)

    def remove(self, export: str) -> bool:
        """Remove the export's schedule; False when it had none."""
        return self.backend.remove(self._key(export))

    def forget(self, exports: Iterable[str]) -> tuple[list[str], list[str]]:
        """Remove the schedules of exports that were just removed: (the exports whose schedule
        was removed, a warning sentence per schedule that could not be). A scheduler that fails
        never undoes the removal; with no scheduler at all nothing can have been scheduled."""
        removed: list[str] = []
        warnings: list[str] = []
        for name in exports:
            try:
                if self.remove(name):
                    removed.append(name)
            except NoSchedulerError:
                break
            except AppError as exc:
                warnings.append(
                    _(
                        "The schedule of the export '{name}' could not be removed ({reason}); "
                        "remove it with your system's scheduler, or it will start and fail."
                    ).format(name=name, reason=exc)
                )
        return removed, warnings

    def show(self, export: str) -> ScheduleInfo:
        backend = self.backend
        found = backend.read(self._key(export))
        note = _(backend.keyring_note) if backend.keyring_note else ""
        info = ScheduleInfo(export.strip(), backend.name, note)
        if found is None:
            return info
        next_run = None if found.problem else found.schedule.next_run(self._now())
        return ScheduleInfo(
            info.export,
            info.scheduler,
            info.keyring_note,
            found.schedule,
            next_run,
            found.problem,
        )

    def rename(self, old: str, new: str) -> bool:
        """Move a schedule to the export's new name (the scheduled command names the export).
        False when the export had none."""
        if self._key(old) == self._key(new):
            return False
        found = self.backend.read(self._key(old))
        if found is None:
            return False
        self.set(new, found.schedule)
        self.remove(old)
        return True
