"""The one place schedules run other programs (systemctl, crontab, schtasks, launchctl).

Backends take a :class:`Runner`, so tests can check the exact argument lists, or run the real
program against a throwaway place.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from app.core.errors import AppError
from app.core.i18n import _

TIMEOUT_S = 30


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class Runner(Protocol):
    def __call__(self, argv: Sequence[str], stdin: str | None = None) -> Completed: ...


class SchedulerError(AppError):
    """The operating system's scheduler refused or failed; what it said is in the message."""

    exit_code = 1


def subprocess_runner(argv: Sequence[str], stdin: str | None = None) -> Completed:
    """Run a program and wait for it; a program that is missing answers 127, like a shell."""
    try:
        done = subprocess.run(
            list(argv),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        return Completed(127, "", _("{program} was not found").format(program=argv[0]))
    except subprocess.TimeoutExpired:
        return Completed(
            124,
            "",
            _("{program} did not answer within {seconds} seconds").format(
                program=argv[0], seconds=TIMEOUT_S
            ),
        )
    return Completed(done.returncode, done.stdout or "", done.stderr or "")


def check(result: Completed, command: str) -> Completed:
    """``result`` when it succeeded; else a SchedulerError naming the command (as it is typed)
    that failed, and why."""
    if result.ok:
        return result
    said = " ".join((result.stderr or result.stdout).split())
    if not said:
        said = _("exit status {code}").format(code=result.returncode)
    raise SchedulerError(
        _("The schedule could not be changed: {command} failed ({reason}).").format(
            command=command, reason=said
        )
    )
