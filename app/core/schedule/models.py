"""A schedule: every day at HH:MM, or every week on a day at HH:MM, in local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.core.errors import UsageError
from app.core.i18n import _

# Monday first, as datetime.weekday() counts.
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_ABBREVIATIONS = tuple(day[:3] for day in DAYS)
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def parse_time(text: str) -> tuple[int, int]:
    """``07:30`` or ``7:30`` as (hour, minute), 24-hour clock."""
    match = _TIME.match(text)
    if match is not None:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return hour, minute
    raise UsageError(
        _(
            "'{text}' is not a time of day; give it as HH:MM on the 24-hour clock, for example "
            "07:30 or 18:05."
        ).format(text=text)
    )


def parse_day(text: str) -> int:
    """An English day name or its three-letter abbreviation, in any case; Monday is 0."""
    word = text.strip().casefold()
    if word in DAYS:
        return DAYS.index(word)
    if word in DAY_ABBREVIATIONS:
        return DAY_ABBREVIATIONS.index(word)
    raise UsageError(
        _(
            "'{text}' is not a day of the week; give one of mon tue wed thu fri sat sun (or the "
            "whole English name, for example Monday)."
        ).format(text=text)
    )


@dataclass(frozen=True)
class Schedule:
    """When an export runs by itself. ``weekday`` is None for every day (Monday is 0)."""

    hour: int
    minute: int
    weekday: int | None = None

    def __post_init__(self) -> None:
        if not (0 <= self.hour < 24 and 0 <= self.minute < 60):
            raise UsageError(
                _("{time} is not a time of day.").format(time=f"{self.hour}:{self.minute:02d}")
            )
        if self.weekday is not None and not 0 <= self.weekday < 7:
            raise UsageError(
                _("{day} is not a day of the week (0 is Monday).").format(day=self.weekday)
            )

    @classmethod
    def daily(cls, time: str) -> Schedule:
        hour, minute = parse_time(time)
        return cls(hour, minute)

    @classmethod
    def weekly(cls, day: str, time: str) -> Schedule:
        weekday = parse_day(day)
        hour, minute = parse_time(time)
        return cls(hour, minute, weekday)

    @property
    def is_weekly(self) -> bool:
        return self.weekday is not None

    @property
    def time_text(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    @property
    def day_name(self) -> str | None:
        """The English day name (``Monday``), None for a daily schedule."""
        return None if self.weekday is None else DAYS[self.weekday].capitalize()

    def describe(self) -> str:
        """One line for the command line: ``every day at 07:30``, ``every Monday at 07:30``."""
        if self.weekday is None:
            return f"every day at {self.time_text}"
        return f"every {self.day_name} at {self.time_text}"

    def next_run(self, now: datetime) -> datetime:
        """The first start strictly after ``now`` (an aware time), in this computer's local time.

        The wall-clock time is built first and then given its offset, so a run after a change
        to or from summer time still starts at HH:MM local time.
        """
        local = now.astimezone()
        day = local.replace(tzinfo=None, second=0, microsecond=0)
        day = day.replace(hour=self.hour, minute=self.minute)
        for extra in range(8):
            wall = day + timedelta(days=extra)
            if self.weekday is not None and wall.weekday() != self.weekday:
                continue
            candidate = wall.astimezone()  # a naive time is this computer's local time
            if candidate > local:
                return candidate
        raise AssertionError("a week always holds the next start")  # pragma: no cover
