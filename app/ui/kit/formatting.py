"""Numbers, durations, times and statuses as the window writes them."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

from app.core.history import STATUS_WORDS, RunStatus
from app.core.i18n import NORWEGIAN_BOKMAL, _, active_language, ngettext


def _norwegian() -> QLocale | None:
    """The locale numbers and dates follow when the window speaks Norwegian; None in English."""
    if active_language() != NORWEGIAN_BOKMAL:
        return None
    return QLocale(QLocale.Language.NorwegianBokmal, QLocale.Country.Norway)


def number(value: int | float) -> str:
    """Whole numbers with thousands separators: 100000 -> 100,000 (100 000 in Norwegian, with a
    no-break space so a number never breaks across lines)."""
    norwegian = _norwegian()
    if norwegian is not None:
        return str(norwegian.toString(round(value)))
    return f"{round(value):,}"


def rate(value: float) -> str:
    if value >= 10:
        return number(value)
    norwegian = _norwegian()
    if norwegian is not None:
        return str(norwegian.toString(value, "f", 1))
    return f"{value:,.1f}"


def duration(seconds: float | None) -> str:
    """A short human duration: "45 s", "3 min 20 s", "1 h 5 min"."""
    if seconds is None:
        return _("unknown")
    total = max(0, round(seconds))
    if total < 60:
        return _("{s} s").format(s=total)
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        if secs == 0:
            return _("{m} min").format(m=minutes)
        return _("{m} min {s} s").format(m=minutes, s=secs)
    hours, minutes = divmod(minutes, 60)
    return _("{h} h {m} min").format(h=hours, m=minutes)


def estimate(seconds: float) -> str:
    """An estimate reads as one: "about 3 min", "less than a minute"."""
    if seconds < 60:
        return _("less than a minute")
    return _("about {d}").format(d=duration(round(seconds / 60) * 60))


def when(moment: datetime | None) -> str:
    """Local date and time to the minute."""
    if moment is None:
        return ""
    local = moment.astimezone()
    norwegian = _norwegian()
    if norwegian is not None:  # 5. des. 2026 14:02
        when = QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))
        return str(norwegian.toString(when, "d. MMM yyyy HH:mm"))
    return local.strftime("%Y-%m-%d %H:%M")


def status(code: RunStatus, dry_run: bool = False) -> str:
    word = _(STATUS_WORDS[code])
    return _("{status} (dry run)").format(status=word) if dry_run else word


def members(count: int) -> str:
    return ngettext("{n} member", "{n} members", count).format(n=number(count))


def profiles(count: int) -> str:
    return ngettext("{n} profile", "{n} profiles", count).format(n=number(count))
