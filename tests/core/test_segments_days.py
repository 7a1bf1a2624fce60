"""within-days and older-than-days: exact counts around the edges of the window, on a fixed day."""

from __future__ import annotations

import csv
from datetime import date, timedelta, timezone
from pathlib import Path

import pytest

from app.core.clock import FixedCalendar
from app.core.errors import UsageError
from app.core.profiles import ProfileStore
from app.core.segments import Rule, Segment, SegmentService
from app.core.store import StateStore

TODAY = date(2026, 3, 10)
# Oslo in winter: an hour ahead of UTC.
ZONE = timezone(timedelta(hours=1))
ROWS = [
    ("today", "2026-03-10"),
    ("today-dotted", " 10.03.2026 "),
    ("yesterday", "2026-03-09"),
    ("7-days-ago", "2026-03-03"),
    ("8-days-ago", "2026-03-02"),
    ("tomorrow", "2026-03-11"),
    ("empty", ""),
    ("blank", "   "),
    ("not-a-date", "soon"),
    ("impossible", "2026-02-30"),
    ("number", "20260310"),
    # Dates and times: the day as written, or with an offset the local day of the moment.
    ("today-late", "2026-03-10T23:59:59"),
    ("7-days-ago-early", "2026-03-03 00:00"),
    ("utc-late-yesterday", "2026-03-09T23:30:00Z"),  # 00:30 today here
    ("utc-late-today", "2026-03-10T23:30:00Z"),  # 00:30 tomorrow here
    ("tomorrow-here", "2026-03-10T23:00:00Z"),  # the first moment of tomorrow
    ("oslo-midnight", "2026-03-03T00:00+01:00"),  # the first moment of 7 days ago
    ("oslo-before-midnight", "2026-03-02T23:59:59+01:00"),
    ("new-york-evening", "2026-03-02T19:30-05:00"),  # 01:30 on 2026-03-03 here
]


@pytest.fixture(scope="module")
def calendar() -> FixedCalendar:
    return FixedCalendar(TODAY, ZONE)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, calendar: FixedCalendar) -> SegmentService:
    home = tmp_path_factory.mktemp("days")
    path = home / "signups.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([("Name", "Signed up"), *ROWS])
    state = StateStore(home / "state.sqlite3")
    profiles = ProfileStore(home / "profiles.duckdb", state)
    profiles.import_file(path, "signups")
    return SegmentService(state, profiles, calendar=calendar)


def names(service: SegmentService, op: str, days: str, *, day: date | None = None) -> list[str]:
    segment = Segment("probe", "signups", "all", (Rule("Signed up", op, days),))
    _, members = service.preview(segment, limit=100, day=day)
    assert service.count(segment, day=day) == len(members)
    return [member.values["Name"] for member in members]


def test_within_days_zero_is_today_only(service: SegmentService) -> None:
    assert names(service, "within-days", "0") == [
        "today",
        "today-dotted",
        "today-late",
        "utc-late-yesterday",
    ]


def test_within_days_runs_from_n_days_ago_up_to_today(service: SegmentService) -> None:
    assert names(service, "within-days", "7") == [
        "today",
        "today-dotted",
        "yesterday",
        "7-days-ago",
        "today-late",
        "7-days-ago-early",
        "utc-late-yesterday",
        "oslo-midnight",
        "new-york-evening",
    ]


def test_older_than_days_is_before_that(service: SegmentService) -> None:
    assert names(service, "older-than-days", "7") == ["8-days-ago", "oslo-before-midnight"]
    assert names(service, "older-than-days", "0") == [
        "yesterday",
        "7-days-ago",
        "8-days-ago",
        "7-days-ago-early",
        "oslo-midnight",
        "oslo-before-midnight",
        "new-york-evening",
    ]


def test_future_empty_and_other_cells_match_neither(service: SegmentService) -> None:
    matched = set(names(service, "within-days", "100000")) | set(
        names(service, "older-than-days", "0")
    )
    unmatched = [name for name, _ in ROWS if name not in matched]
    assert unmatched == [
        "tomorrow",
        "empty",
        "blank",
        "not-a-date",
        "impossible",
        "number",
        "utc-late-today",
        "tomorrow-here",
    ]


def test_the_window_moves_with_the_calendar(
    service: SegmentService, calendar: FixedCalendar
) -> None:
    assert len(names(service, "within-days", "0")) == 4
    calendar.advance(1)
    try:
        assert names(service, "within-days", "0") == [
            "tomorrow",
            "utc-late-today",
            "tomorrow-here",
        ]
        # A given day wins over the calendar's (a run counts from the day it started on).
        assert len(names(service, "within-days", "0", day=TODAY)) == 4
    finally:
        calendar.advance(-1)


def test_local_days_follow_the_zone(tmp_path: Path) -> None:
    """The same moment is today in Oslo and yesterday in New York."""
    path = tmp_path / "one.csv"
    path.write_text("Name,Signed up\nlate,2026-03-10T03:00:00Z\n", encoding="utf-8")
    state = StateStore(tmp_path / "state.sqlite3")
    profiles = ProfileStore(tmp_path / "profiles.duckdb", state)
    profiles.import_file(path, "signups")
    oslo = SegmentService(state, profiles, calendar=FixedCalendar(TODAY, ZONE))
    new_york = SegmentService(
        state, profiles, calendar=FixedCalendar(TODAY, timezone(timedelta(hours=-5)))
    )
    assert names(oslo, "within-days", "0") == ["late"]
    assert names(new_york, "within-days", "0") == []
    assert names(new_york, "older-than-days", "0") == ["late"]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "'within-days' needs a number of days, such as 90."),
        ("-1", "whole number of days from 0 to 100,000, such as 90; '-1' is not one."),
        ("1.5", "'1.5' is not one."),
        ("ninety", "'ninety' is not one."),
        ("100001", "'100001' is not one."),
    ],
)
def test_the_number_of_days_is_checked(service: SegmentService, value: str, problem: str) -> None:
    segment = Segment("Recent", "signups", "all", (Rule("Signed up", "within-days", value),))
    problems = service.validate(segment)
    assert len(problems) == 1 and problem in problems[0], problems
    with pytest.raises(UsageError):
        service.count(segment)


def test_numbers_of_days_as_written_are_kept(service: SegmentService) -> None:
    saved = service.add(
        Segment("Recent", "signups", "all", (Rule("signed up", "WITHIN_DAYS", " 007 "),))
    )
    assert saved.rules == (Rule("Signed up", "within-days", " 007 "),)
    assert service.count(saved) == 9
    service.remove("Recent")
