"""`segment add ... --where FIELD within-days N` through the real command line: the count is
taken on the day it runs, in the local time of the process (here a zone five hours behind UTC,
set with TZ)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.cli.test_cli_segments import assert_refused, listed, run, segment

LOCAL = timezone(timedelta(hours=-5))


@pytest.fixture(autouse=True)
def five_hours_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "<-05>5")  # POSIX: needs no time zone database


def local_today() -> date:
    return datetime.now(LOCAL).date()


def signups(folder: Path, today: date) -> Path:
    """A data directory with "signups" imported: dates around a 7-day window from ``today``."""

    def day(n: int) -> str:
        return (today - timedelta(days=n)).isoformat()

    rows = [
        ("today", day(0)),
        ("today-dotted", (today).strftime("%d.%m.%Y")),
        ("seven-days-ago", day(7)),
        ("eight-days-ago", day(8)),
        ("tomorrow", day(-1)),
        ("empty", ""),
        ("not-a-date", "last week"),
        ("late-yesterday", f"{day(1)}T23:59:59"),
    ]
    path = folder / "signups.csv"
    path.write_text("Name,Signed up\n" + "".join(f"{a},{b}\n" for a, b in rows), "utf-8")
    home = folder / "home"
    done = run(home, "source", "import", str(path), "--name", "signups")
    assert done.returncode == 0, done.stderr
    return home


def on_one_day(tmp_path: Path, *args: str) -> tuple[Path, list[str]]:
    """Import and run ``segment args...`` on one local day (tried again if midnight passed)."""
    for attempt in range(2):
        today = local_today()
        folder = tmp_path / f"attempt{attempt}"
        folder.mkdir()
        home = signups(folder, today)
        outputs = [segment(home, *a.split("|")).stderr for a in args]
        if local_today() == today:
            return home, outputs
    raise AssertionError("midnight passed twice")


def test_within_and_older_count_from_today(tmp_path: Path) -> None:
    home, outputs = on_one_day(
        tmp_path,
        "add|Recent|--source|signups|--where|Signed up|within-days|7",
        "add|Today|--source|signups|--where|signed up|within-days|0",
        "add|Lapsed|--source|signups|--where|Signed up|older-than-days|7",
    )
    assert outputs == [
        "Segment 'Recent' saved: 4 members.\n",
        "Segment 'Today' saved: 2 members.\n",
        "Segment 'Lapsed' saved: 1 member.\n",
    ]
    rules = {item["name"]: (item["rules"], item["members"]) for item in listed(home)}
    assert rules["Recent"] == ([{"field": "Signed up", "op": "within-days", "value": "7"}], 4)
    assert rules["Lapsed"] == ([{"field": "Signed up", "op": "older-than-days", "value": "7"}], 1)


@pytest.mark.parametrize("days", ["-3", "three", "2.5", ""])
def test_a_number_of_days_that_is_not_one_exits_2(tmp_path: Path, days: str) -> None:
    home = signups(tmp_path, local_today())
    done = segment(
        home, "add", "Recent", "--source", "signups", "--where", "Signed up", "within-days", days
    )
    assert_refused(done, "error: Rule 1: 'within-days' needs ")
    assert "such as 90" in done.stderr
    assert listed(home) == []
