"""What every scheduler backend offers, and what it reads back from its own entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.core.schedule.command import ScheduledCommand
from app.core.schedule.models import Schedule


@dataclass(frozen=True)
class Registration:
    """An export's entry as the scheduler holds it. ``problem`` says what is wrong with it
    (for example a timer that is not enabled), None when it will run."""

    schedule: Schedule
    problem: str | None = None


class Backend(Protocol):
    # The scheduler's name as the user knows it: "systemd user timer", "crontab"...
    name: str
    # One sentence about the API key in a scheduled run on this scheduler.
    keyring_note: str

    def install(self, key: str, export: str, schedule: Schedule, command: ScheduledCommand) -> None:
        """Register (or replace) the entry ``key``."""

    def remove(self, key: str) -> bool:
        """Remove the entry ``key``; False when there was none."""

    def read(self, key: str) -> Registration | None:
        """The entry ``key`` read back from the scheduler; None when there is none."""
