"""Numbers, durations, times and statuses as the window writes them."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication

from app.core.history import STATUS_WORDS, RunStatus


def _tr(text: str) -> str:
    return QCoreApplication.translate("formatting", text)


def number(value: int | float) -> str:
    """Whole numbers with thousands separators: 100000 -> 100,000."""
    return f"{round(value):,}"


def rate(value: float) -> str:
    return f"{value:,.1f}" if value < 10 else number(value)


def duration(seconds: float | None) -> str:
    """A short human duration: "45 s", "3 min 20 s", "1 h 5 min"."""
    if seconds is None:
        return _tr("unknown")
    total = max(0, round(seconds))
    if total < 60:
        return _tr("{s} s").format(s=total)
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        if secs == 0:
            return _tr("{m} min").format(m=minutes)
        return _tr("{m} min {s} s").format(m=minutes, s=secs)
    hours, minutes = divmod(minutes, 60)
    return _tr("{h} h {m} min").format(h=hours, m=minutes)


def estimate(seconds: float) -> str:
    """An estimate reads as one: "about 3 min", "less than a minute"."""
    if seconds < 60:
        return _tr("less than a minute")
    return _tr("about {d}").format(d=duration(round(seconds / 60) * 60))


def when(moment: datetime | None) -> str:
    """Local date and time to the minute."""
    if moment is None:
        return ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def status(code: RunStatus, dry_run: bool = False) -> str:
    word = _tr(STATUS_WORDS[code])
    return _tr("{status} (dry run)").format(status=word) if dry_run else word


def members(count: int) -> str:
    if count == 1:
        return _tr("1 member")
    return _tr("{n} members").format(n=number(count))


def profiles(count: int) -> str:
    if count == 1:
        return _tr("1 profile")
    return _tr("{n} profiles").format(n=number(count))
