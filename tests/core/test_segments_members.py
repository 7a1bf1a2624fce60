"""Preview and streaming of members: source row order, chunk boundaries, chosen columns."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.core.errors import NotFoundError, UsageError
from app.core.profiles import ProfileStore
from app.core.segments import Rule, Segment, SegmentService, SourceChangedError
from app.core.store import StateStore

TRICKY = 'x"; DROP TABLE numbers; --'
HEADER = ["Id", "Even", "Email", TRICKY]
SIZE = 25
EVENS = list(range(2, SIZE + 1, 2))
EVEN = Segment("even", "numbers", "all", (Rule("Even", "eq", "yes"),))
WHOLE = Segment("whole", "numbers")


def write_numbers(path: Path, size: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for i in range(1, size + 1):
            even = "yes" if i % 2 == 0 else ""
            out.writerow([i, even, f"p{i}@example.com", f"'; DROP TABLE sources; -- {i}"])
    return path


@pytest.fixture
def profiles(tmp_path: Path) -> ProfileStore:
    store = ProfileStore(tmp_path / "profiles.duckdb", StateStore(tmp_path / "state.sqlite3"))
    store.import_file(write_numbers(tmp_path / "numbers.csv", SIZE), "numbers")
    return store


@pytest.fixture
def service(profiles: ProfileStore, tmp_path: Path) -> SegmentService:
    return SegmentService(StateStore(tmp_path / "state.sqlite3"), profiles)


def row_numbers(members: object) -> list[int]:
    return [member.row_number for member in members]  # type: ignore[attr-defined]


def test_preview_gives_the_columns_and_the_first_members_in_order(service: SegmentService) -> None:
    columns, members = service.preview(EVEN, limit=3)
    assert columns == tuple(HEADER)
    assert row_numbers(members) == [2, 4, 6]
    assert members[0].values == {
        "Id": "2",
        "Even": "yes",
        "Email": "p2@example.com",
        TRICKY: "'; DROP TABLE sources; -- 2",
    }


def test_preview_limit_bounds(service: SegmentService) -> None:
    assert service.preview(EVEN, limit=0)[1] == []
    assert row_numbers(service.preview(EVEN, limit=1000)[1]) == EVENS
    assert len(service.preview(WHOLE)[1]) == SIZE


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 4, 7, 12, 13, 25, 100])
def test_iter_members_is_in_row_order_across_chunk_boundaries(
    service: SegmentService, chunk_size: int
) -> None:
    assert row_numbers(service.iter_members(EVEN, chunk_size=chunk_size)) == EVENS
    assert row_numbers(service.iter_members(WHOLE, chunk_size=chunk_size)) == list(
        range(1, SIZE + 1)
    )


def test_a_sparse_segment_is_found_across_empty_windows(service: SegmentService) -> None:
    sparse = Segment("sparse", "numbers", "any", (Rule("Id", "eq", "2"), Rule("Id", "eq", "23")))
    assert row_numbers(service.iter_members(sparse, chunk_size=3)) == [2, 23]
    nobody = Segment("nobody", "numbers", "all", (Rule("Id", "eq", "0"),))
    assert list(service.iter_members(nobody, chunk_size=2)) == []


def test_iter_members_reads_only_the_requested_columns(service: SegmentService) -> None:
    members = list(service.iter_members(EVEN, columns=[TRICKY, "email"], chunk_size=4))
    assert [list(m.values) for m in members] == [[TRICKY, "email"]] * len(EVENS)
    assert members[-1].values == {
        TRICKY: "'; DROP TABLE sources; -- 24",
        "email": "p24@example.com",
    }
    with pytest.raises(NotFoundError, match="no column"):
        service.iter_members(EVEN, columns=["Nope"])


def test_a_bad_segment_fails_before_iteration_starts(service: SegmentService) -> None:
    bad = Segment("bad", "numbers", "all", (Rule("Even", "starts", "y"),))
    with pytest.raises(UsageError, match="unknown operator 'starts'"):
        service.iter_members(bad)


def test_no_connection_is_held_between_chunks_and_a_reimport_is_noticed(
    service: SegmentService, profiles: ProfileStore, tmp_path: Path
) -> None:
    members = service.iter_members(WHOLE, chunk_size=5)
    first_chunk = [next(members) for _ in range(5)]
    assert row_numbers(first_chunk) == [1, 2, 3, 4, 5]
    # A writer gets in while the stream is paused (DuckDB would refuse it beside an open reader).
    profiles.import_file(write_numbers(tmp_path / "more.csv", SIZE + 1), "numbers")
    with pytest.raises(SourceChangedError, match="re-imported or removed"):
        next(members)


def test_values_and_names_that_look_like_sql_are_only_data(
    service: SegmentService, profiles: ProfileStore
) -> None:
    attack = Segment(
        "attack",
        "numbers",
        "any",
        (
            Rule(TRICKY, "contains", "'; DROP TABLE sources; -- 3"),
            Rule("Email", "eq", "' OR '1'='1"),
            Rule("Id", "in", "1'); DROP TABLE numbers; --, 4"),
        ),
    )
    assert row_numbers(service.iter_members(attack)) == [3, 4]
    assert service.count(WHOLE) == SIZE
    assert [source.name for source in profiles.list_sources()] == ["numbers"]


def test_a_larger_source_streams_in_default_chunks(tmp_path: Path) -> None:
    state = StateStore(tmp_path / "big" / "state.sqlite3")
    profiles = ProfileStore(tmp_path / "big" / "profiles.duckdb", state)
    profiles.import_file(write_numbers(tmp_path / "big.csv", 23_457), "numbers")
    service = SegmentService(state, profiles)
    numbers = row_numbers(service.iter_members(EVEN, columns=["Id"]))
    assert numbers == list(range(2, 23_458, 2))
    assert service.count(EVEN) == len(numbers)
