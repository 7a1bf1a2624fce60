"""The SQL against a plain-Python reading of the Data rules, on NULL and on random messy cells.

Parquet is the import that can carry real NULL cells (a CSV only has empty text), so these
sources are written as Parquet and imported through ProfileStore like any file.
"""

from __future__ import annotations

import itertools
import operator
import random
from collections.abc import Callable
from datetime import date, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from app.core.clock import FixedCalendar
from app.core.profiles import ProfileStore
from app.core.segments import OPS, Rule, Segment, SegmentService
from app.core.segments.values import (
    looks_like_date,
    parse_date,
    parse_date_time,
    parse_days,
    parse_number,
    split_in_list,
    trimmed,
)
from app.core.store import StateStore

SEEDS = (11, 2024)
TOKENS = [
    "a", "A", "b", "ø", "Ø", "x", "1", "0", "5", ",", ".", "-", "+", "e", "%", "_", "\\", "'",
    '"', "2024-02-01", "01.02.2024", "2024-02-30", "31.12.1999", "1,5", "-2.25", "0150", "150",
    "2024-01-31T23:30:00Z", "2024-02-01 23:30-01:00", "2024-01-02T10:00", "2024-01-01 00:30+02",
]  # fmt: skip
PADDING = ["", "", "", " ", "\t", "\xa0", "\u3000", "  "]
_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
# within-days and older-than-days count back from this day, in a zone an hour ahead of UTC.
TODAY = date(2024, 2, 1)
ZONE = timezone(timedelta(hours=1))


def write_parquet(path: Path, columns: dict[str, list[str | None]]) -> Path:
    names = list(columns)
    rows = list(zip(*columns.values(), strict=True))
    con = duckdb.connect()
    try:
        con.execute(f"CREATE TABLE t ({', '.join(f'c{i} VARCHAR' for i in range(len(names)))})")
        # The test's own column names; the cells themselves are bound parameters.
        con.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(names))})", rows)  # noqa: S608
        renamed = ", ".join(f'c{i} AS "{name}"' for i, name in enumerate(names))
        con.execute(f"COPY (SELECT {renamed} FROM t) TO '{path}' (FORMAT parquet)")  # noqa: S608
    finally:
        con.close()
    return path


def make_service(home: Path, columns: dict[str, list[str | None]]) -> SegmentService:
    state = StateStore(home / "state.sqlite3")
    profiles = ProfileStore(home / "profiles.duckdb", state)
    profiles.import_file(write_parquet(home / "cells.parquet", columns), "cells")
    return SegmentService(state, profiles, calendar=FixedCalendar(TODAY, ZONE))


def rows_of(service: SegmentService, rule: Rule) -> list[int]:
    _, members = service.preview(Segment("probe", "cells", "all", (rule,)), limit=10_000)
    return [member.row_number for member in members]


def expected(cell: str | None, op: str, value: str) -> bool:
    """The Data rules, read literally."""
    text = trimmed(cell or "").lower()
    wanted = trimmed(value).lower()
    if op in _COMPARE:
        return _compare(cell, text, _COMPARE[op], value)
    if op in ("within-days", "older-than-days"):
        return _counted_back(cell, op, value)
    checks: dict[str, Callable[[], bool]] = {
        "eq": lambda: text == wanted,
        "ne": lambda: text != wanted,
        "contains": lambda: wanted in text,
        "not-contains": lambda: wanted not in text,
        "starts-with": lambda: text.startswith(wanted),
        "in": lambda: text in {item.lower() for item in split_in_list(value)},
        "is-empty": lambda: text == "",
        "not-empty": lambda: text != "",
    }
    return checks[op]()


def _compare(
    cell: str | None, text: str, compare: Callable[[object, object], bool], value: str
) -> bool:
    number = parse_number(value)
    if number is not None:
        cell_number = parse_number(cell or "")
        return cell_number is not None and compare(cell_number, number)
    day = parse_date(value)
    if day is not None:
        cell_day = parse_date(cell or "")
        return cell_day is not None and compare(cell_day, day)
    return text != "" and compare(text, trimmed(value).lower())


def cell_day(cell: str | None) -> date | None:
    """A date is its day; a date and time its day as written, or with an offset the day in
    ZONE of the moment it names."""
    day = parse_date(cell or "")
    if day is not None:
        return day
    moment = parse_date_time(cell or "")
    if moment is None:
        return None
    return moment.date() if moment.tzinfo is None else moment.astimezone(ZONE).date()


def _counted_back(cell: str | None, op: str, value: str) -> bool:
    day, days = cell_day(cell), parse_days(value)
    assert days is not None
    first = TODAY - timedelta(days=days)
    if day is None:
        return False
    return first <= day <= TODAY if op == "within-days" else day < first


def random_cell(rng: random.Random) -> str | None:
    if rng.random() < 0.1:
        return None
    body = "".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 2)))
    return rng.choice(PADDING) + body + rng.choice(PADDING)


def random_value(rng: random.Random, op: str) -> str:
    if op == "in":
        # Long lists (over 32 items) take another path in SQL than short ones.
        count = rng.choice([rng.randint(1, 3), rng.randint(33, 60)])
        cells = (random_cell(rng) for _ in range(count))
        items = [cell.replace(",", "\\,") if cell and trimmed(cell) else "x" for cell in cells]
        return rng.choice([",", ", ", " ,"]).join(items)
    if op in ("within-days", "older-than-days"):
        return rng.choice(PADDING[:4]) + str(rng.choice([0, 1, 2, 30, 31, 32, 60, 365]))
    return rng.choice(PADDING[:4]) + rng.choice(TOKENS) + rng.choice(PADDING[:4])


def test_null_cells_count_as_empty(tmp_path: Path) -> None:
    service = make_service(
        tmp_path, {"Name": ["a", "b", "c"], "Note": [None, "x", " "], "Num": [None, "5", "1"]}
    )
    assert rows_of(service, Rule("Note", "is-empty", "")) == [1, 3]
    assert rows_of(service, Rule("Note", "eq", "")) == [1, 3]
    assert rows_of(service, Rule("Note", "ne", "x")) == [1, 3]
    assert rows_of(service, Rule("Note", "not-contains", "x")) == [1, 3]
    assert rows_of(service, Rule("Note", "not-empty", "")) == [2]
    assert rows_of(service, Rule("Num", "lt", "9")) == [2, 3]
    assert rows_of(service, Rule("Note", "lt", "z")) == [2]
    _, members = service.preview(Segment("all", "cells"))
    assert members[0].values == {"Name": "a", "Note": "", "Num": ""}


@pytest.mark.parametrize("seed", SEEDS)
def test_every_operator_agrees_with_the_reference(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    cells = [random_cell(rng) for _ in range(300)]
    service = make_service(tmp_path, {"Cell": cells})
    for op in OPS:
        for _ in range(10):
            value = random_value(rng, op)
            if looks_like_date(value) and parse_date(value) is None:
                continue  # refused by validation, see test_segments_rules
            want = [n for n, cell in enumerate(cells, start=1) if expected(cell, op, value)]
            got = rows_of(service, Rule("Cell", op, value))
            assert got == want, f"seed {seed}: Cell {op} {value!r}"


def _strings(alphabet: str, longest: int) -> list[str]:
    return [
        "".join(chars)
        for length in range(1, longest + 1)
        for chars in itertools.product(alphabet, repeat=length)
    ]


def test_numbers_are_read_exactly_as_the_rule_says(tmp_path: Path) -> None:
    """Every short string of number characters, so a DuckDB cast quirk cannot slip through."""
    cells: list[str | None] = sorted(set(_strings("01.,+-", 4) + _strings("1,-e _\xa0n\x1c\t", 3)))
    service = make_service(tmp_path, {"Cell": cells})
    for op, value in (("ge", "-99999"), ("lt", "0,5"), ("gt", "-1"), ("le", "10")):
        want = [n for n, cell in enumerate(cells, start=1) if expected(cell, op, value)]
        assert rows_of(service, Rule("Cell", op, value)) == want, f"Cell {op} {value}"


def test_dates_are_read_exactly_as_the_rule_says(tmp_path: Path) -> None:
    bodies = [
        "2024-02-01", "01.02.2024", "2024-02-30", "30.02.2024", "31.12.1999", "2024-2-01",
        "1.2.2024", "2024-02-011", "01.02.20245", "2024.02.01", "01-02-2024", "20240201",
    ]  # fmt: skip
    pads = ["", " ", "\t", "\xa0", "\u3000", "x", "1"]
    cells: list[str | None] = [a + body + b for body in bodies for a in pads for b in pads]
    service = make_service(tmp_path, {"Cell": cells})
    for op, value in (("ge", "01.01.1900"), ("lt", "2024-02-01"), ("gt", "31.12.1999")):
        want = [n for n, cell in enumerate(cells, start=1) if expected(cell, op, value)]
        assert rows_of(service, Rule("Cell", op, value)) == want, f"Cell {op} {value}"


def test_dates_and_times_are_counted_back_exactly_as_the_rule_says(tmp_path: Path) -> None:
    """Days around the window's edges, as dates and as dates with a time, padded or not."""
    days = [TODAY + timedelta(days=n) for n in (-32, -31, -30, -1, 0, 1)]
    bodies = [
        *(day.isoformat() for day in days),
        *(day.strftime("%d.%m.%Y") for day in days),
        *(f"{day.isoformat()}{sep}{time}" for day in days for sep in "T t" for time in (
            "00:00", "23:59:59", "00:30Z", "23:30z", "23:30:00.5+01:00", "00:30+0200",
            "00:10-01", "23:50:59,999999999-0030", "24:00", "12:60", "10:00+24:00", "10:00 Z",
            "10:00:00.", "10:00+01:",
        )),
        "2024-02-30T10:00", "2024-2-01T10:00", "2024-02-01T1:00", "31.01.2024 10:00",
    ]  # fmt: skip
    pads = ["", " ", "\t", "\xa0", "x"]
    cells: list[str | None] = [a + body + b for body in bodies for a in pads for b in pads]
    cells.append(None)
    service = make_service(tmp_path, {"Cell": cells})
    for op, value in (("within-days", "0"), ("within-days", " 30 "), ("older-than-days", "30")):
        want = [n for n, cell in enumerate(cells, start=1) if expected(cell, op, value)]
        assert want, f"the cells test nothing for {op} {value}"
        assert rows_of(service, Rule("Cell", op, value)) == want, f"Cell {op} {value}"
