"""Time as a dependency, so backoff, pacing and heartbeats are testable without sleeping, and
"today" is a dependency too, so rules counted from today are testable on any day."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as dt_time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class FakeClock:
    """A clock that only moves when slept on or advanced; thread-safe."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


class Calendar(Protocol):
    """Local days, for rules counted from today (a segment's ``within-days``)."""

    def today(self) -> date: ...

    def start_of_day(self, day: date) -> datetime:
        """The moment ``day`` begins in local time (aware)."""
        ...


class SystemCalendar:
    """The computer's local time zone, daylight saving time included."""

    def today(self) -> date:
        return date.today()

    def start_of_day(self, day: date) -> datetime:
        try:
            return datetime.combine(day, dt_time()).astimezone()
        except (OverflowError, OSError, ValueError):
            # Windows cannot look up local time before 1970: use today's offset instead.
            return datetime.combine(day, dt_time(), tzinfo=datetime.now().astimezone().tzinfo)


class FixedCalendar:
    """A calendar that stays on one day in one time zone until moved; thread-safe."""

    def __init__(self, today: date, zone: tzinfo = UTC) -> None:
        self._today = today
        self._zone = zone
        self._lock = threading.Lock()

    def today(self) -> date:
        with self._lock:
            return self._today

    def start_of_day(self, day: date) -> datetime:
        return datetime.combine(day, dt_time(), tzinfo=self._zone)

    def advance(self, days: int = 1) -> None:
        with self._lock:
            self._today += timedelta(days=days)
