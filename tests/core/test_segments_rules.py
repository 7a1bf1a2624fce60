"""Every operator, exactly as DESIGN.md's Data rules define it, on a CSV imported for real."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.core.errors import UsageError
from app.core.profiles import ProfileStore
from app.core.segments import Rule, Segment, SegmentService
from app.core.store import StateStore

HEADER = ["Name", "City", "Code", "Amount", "Day", "Note"]
ROWS = [
    ["Ann", "Oslo", "0150", "1,5", "2024-02-01", "VIP; gold"],
    ["Bob", " oslo\t", "150", " 2.50 ", " 01.02.2024 ", ""],
    ["Cid", "OSLO SENTRUM", "0151", "-3", "15.03.2023", "   "],
    ["Dag", "\xa0Ørland\xa0", "", "+4", "2024-02-30", "\t"],
    ["Eva", "", "x", "1e3", "1.2.2024", "50%_off"],
    ["Fia", "Bergen", " 0150 ", "1.000,5", "2024-02-01 10:00", "b,c"],
    ["Gus", "bergen, west", "abc", "abc", "abc", "Alpha"],
    ["Hal", "Trondheim", "0160", "", "", 'x"; DROP TABLE sources; --'],
]
EVERYONE = [row[0] for row in ROWS]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows([header, *rows])
    return path


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> SegmentService:
    home = tmp_path_factory.mktemp("rules")
    state = StateStore(home / "state.sqlite3")
    profiles = ProfileStore(home / "profiles.duckdb", state)
    profiles.import_file(write_csv(home / "people.csv", HEADER, ROWS), "people")
    return SegmentService(state, profiles)


def names(service: SegmentService, *rules: Rule, match: str = "all") -> list[str]:
    segment = Segment.build("probe", "people", rules, match)
    _, members = service.preview(segment, limit=100)
    assert service.count(segment) == len(members)
    return [member.values["Name"] for member in members]


def test_the_file_was_read_as_written(service: SegmentService) -> None:
    _, members = service.preview(Segment("all", "people"))
    assert [list(m.values.values()) for m in members] == ROWS


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # eq / ne: trimmed (spaces, tabs, NBSP), case-insensitive, on the value too.
        (Rule("City", "eq", "oslo"), ["Ann", "Bob"]),
        (Rule("City", "eq", " OSLO "), ["Ann", "Bob"]),
        (Rule("City", "eq", "ørland"), ["Dag"]),
        (Rule("City", "ne", "oslo"), ["Cid", "Dag", "Eva", "Fia", "Gus", "Hal"]),
        # An empty VALUE means the empty cell.
        (Rule("City", "eq", ""), ["Eva"]),
        (Rule("City", "ne", " "), ["Ann", "Bob", "Cid", "Dag", "Fia", "Gus", "Hal"]),
        # Text, not numbers: 0150 is not 150.
        (Rule("Code", "eq", "150"), ["Bob"]),
        (Rule("Code", "eq", "0150"), ["Ann", "Fia"]),
        (Rule("Code", "in", "150"), ["Bob"]),
        # contains / not-contains / starts-with.
        (Rule("City", "contains", "SLO"), ["Ann", "Bob", "Cid"]),
        (Rule("City", "not-contains", "slo"), ["Dag", "Eva", "Fia", "Gus", "Hal"]),
        (Rule("City", "starts-with", "øR"), ["Dag"]),
        (Rule("City", "starts-with", "oslo s"), ["Cid"]),
        (Rule("Note", "contains", "%_"), ["Eva"]),
        (Rule("Note", "contains", "_"), ["Eva"]),
        (Rule("Note", "eq", 'x"; DROP TABLE sources; --'), ["Hal"]),
        # in: comma-separated, `\,` for a literal comma, items trimmed, empty items ignored.
        (Rule("City", "in", "oslo, BERGEN"), ["Ann", "Bob", "Fia"]),
        (Rule("City", "in", r"bergen\, west , trondheim"), ["Gus", "Hal"]),
        (Rule("City", "in", "Bergen, "), ["Fia"]),
        (Rule("Note", "in", r"b\,c"), ["Fia"]),
        (Rule("Note", "in", "b,c"), []),
        # A long list (a hash lookup in SQL rather than one pattern) reads the same way.
        (
            Rule("City", "in", ", ".join(["OSLO", "ørland", *(f"x{i}" for i in range(40))])),
            ["Ann", "Bob", "Dag"],
        ),
        (Rule("Code", "in", ", ".join(str(150 + i) for i in range(40))), ["Bob"]),
        # Emptiness: empty or only whitespace; VALUE is ignored.
        (Rule("Note", "is-empty", ""), ["Bob", "Cid", "Dag"]),
        (Rule("Note", "is-empty", "whatever"), ["Bob", "Cid", "Dag"]),
        (Rule("Note", "not-empty", ""), ["Ann", "Eva", "Fia", "Gus", "Hal"]),
    ],
)
def test_text_operators(service: SegmentService, rule: Rule, expected: list[str]) -> None:
    assert names(service, rule) == expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # Numbers: point or comma, sign; 1e3, 1.000,5 and text are not numbers and never match.
        (Rule("Amount", "gt", "1,5"), ["Bob", "Dag"]),
        (Rule("Amount", "ge", "1.5"), ["Ann", "Bob", "Dag"]),
        (Rule("Amount", "lt", "0"), ["Cid"]),
        (Rule("Amount", "le", "2,5"), ["Ann", "Bob", "Cid"]),
        (Rule("Amount", "gt", "-1000000"), ["Ann", "Bob", "Cid", "Dag"]),
        (Rule("Code", "gt", "150"), ["Cid", "Hal"]),
        (Rule("Code", "ge", "150"), ["Ann", "Bob", "Cid", "Fia", "Hal"]),
        # Dates: either form on either side; impossible dates and other shapes never match.
        (Rule("Day", "ge", "2024-02-01"), ["Ann", "Bob"]),
        (Rule("Day", "ge", "01.02.2024"), ["Ann", "Bob"]),
        (Rule("Day", "lt", "01.02.2024"), ["Cid"]),
        (Rule("Day", "le", "2024-02-01"), ["Ann", "Bob", "Cid"]),
        (Rule("Day", "gt", "2000-01-01"), ["Ann", "Bob", "Cid"]),
        (Rule("Amount", "gt", "2000-01-01"), []),
        # Otherwise text: trimmed, case-insensitive; empty cells never match.
        (Rule("Note", "gt", "M"), ["Ann", "Hal"]),
        (Rule("Note", "lt", "b"), ["Eva", "Gus"]),
        (Rule("Note", "le", "B,C"), ["Eva", "Fia", "Gus"]),
        (Rule("Code", "lt", "b"), ["Ann", "Bob", "Cid", "Fia", "Gus", "Hal"]),
        (Rule("City", "ge", "oslo"), ["Ann", "Bob", "Cid", "Dag", "Hal"]),
    ],
)
def test_comparisons(service: SegmentService, rule: Rule, expected: list[str]) -> None:
    assert names(service, rule) == expected


def test_match_all_is_and_and_the_default(service: SegmentService) -> None:
    rules = (Rule("City", "eq", "oslo"), Rule("Amount", "gt", "2"))
    assert Segment("s", "people").match == "all"
    assert names(service, *rules) == ["Bob"]


def test_match_any_is_or(service: SegmentService) -> None:
    rules = (Rule("City", "eq", "bergen"), Rule("Code", "eq", "0160"))
    assert names(service, *rules, match="any") == ["Fia", "Hal"]


def test_negations_keep_empty_cells_in_combinations(service: SegmentService) -> None:
    rules = (Rule("City", "ne", "oslo"), Rule("Note", "not-contains", "x"))
    assert names(service, *rules) == ["Cid", "Dag", "Eva", "Fia", "Gus"]
    either = (Rule("City", "is-empty", ""), Rule("Amount", "lt", "0"))
    assert names(service, *either, match="any") == ["Cid", "Eva"]


def test_no_rules_is_every_row_in_file_order(service: SegmentService) -> None:
    assert names(service) == EVERYONE
    assert service.count(Segment("whole", "people")) == len(ROWS)


def test_fields_and_operators_are_forgiving_about_case(service: SegmentService) -> None:
    assert names(service, Rule(" city ", "EQ", "oslo")) == ["Ann", "Bob"]
    assert names(service, Rule("Amount", ">", "2")) == ["Bob", "Dag"]


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (Rule("Cty", "eq", "x"), "no field 'Cty'; its fields are: Name, City, Code"),
        (Rule("City", "equals", "x"), "unknown operator 'equals'; use one of: eq, ne,"),
        (Rule("City", "in", " , "), "'in' needs a comma-separated list"),
        (Rule("City", "contains", "  "), "'contains' needs a value"),
        (Rule("Day", "gt", "2024-02-30"), "'2024-02-30' is not a real date"),
        (Rule("City", "in", "a\x1fb"), "cannot contain the control character U+001F"),
    ],
)
def test_bad_rules_are_refused_with_a_reason(
    service: SegmentService, rule: Rule, problem: str
) -> None:
    segment = Segment("bad", "people", "all", (rule,))
    assert any(problem in text for text in service.validate(segment))
    with pytest.raises(UsageError, match="Rule 1: "):
        service.count(segment)


def test_a_long_in_list_combines_with_other_rules(service: SegmentService) -> None:
    cities = Rule("City", "in", ", ".join(["OSLO", *(f"x{i}" for i in range(40))]))
    amount = Rule("Amount", "gt", "2")
    assert names(service, cities, amount) == ["Bob"]
    assert names(service, amount, cities, match="any") == ["Ann", "Bob", "Dag"]
