"""Saving, listing, renaming and removing segments in the state store."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.errors import AlreadyExistsError, InUseError, NotFoundError, UsageError
from app.core.profiles import ProfileStore
from app.core.segments import Rule, Segment, SegmentService
from app.core.store import StateStore

START = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def state(tmp_path: Path) -> StateStore:
    return StateStore(tmp_path / "state.sqlite3")


@pytest.fixture
def service(state: StateStore, tmp_path: Path) -> SegmentService:
    profiles = ProfileStore(tmp_path / "profiles.duckdb", state)
    for name, city in (("customers", "Oslo"), ("leads", "Bergen")):
        path = tmp_path / f"{name}.csv"
        path.write_text(f"Email,City\na@example.com,{city}\nb@example.com,\n", encoding="utf-8")
        profiles.import_file(path, name)
    return SegmentService(state, profiles, now=Clock())


def vip(name: str = "VIP", source: str = "customers") -> Segment:
    return Segment(name, source, "all", (Rule("City", "eq", "Oslo"),))


def add_export(state: StateStore, export: str, segment: str) -> None:
    """An export using ``segment``, written as the export service stores it."""
    stamp = "2026-01-01T00:00:00Z"
    with state.transaction() as db:
        db.execute(
            "INSERT OR IGNORE INTO connections (name, base_url, rate_limit, profile_cap,"
            " consent_at, consent_version, created_at, updated_at)"
            " VALUES ('main', 'https://api2.autopilothq.com/v1', 5, 100000, ?, '1', ?, ?)",
            (stamp, stamp, stamp),
        )
        cursor = db.execute(
            "INSERT INTO exports (name, connection_id, mapping, created_at, updated_at)"
            " SELECT ?, id, '[]', ?, ? FROM connections WHERE name = 'main'",
            (export, stamp, stamp),
        )
        db.execute(
            "INSERT INTO export_segments (export_id, segment_id, position)"
            " SELECT ?, id, 0 FROM segments WHERE name = ?",
            (cursor.lastrowid, segment),
        )


def segment_row(state: StateStore, name: str) -> sqlite3.Row:
    with state.read() as db:
        row: sqlite3.Row = db.execute("SELECT * FROM segments WHERE name = ?", (name,)).fetchone()
    return row


def test_add_saves_the_segment_as_the_source_spells_it(
    service: SegmentService, state: StateStore
) -> None:
    loose = Segment.build(
        " VIP ",
        "CUSTOMERS",
        [Rule(" city ", "EQ", "Oslo"), Rule("email", "is_empty", "ignored")],
        " Any ",
    )
    saved = service.add(loose)
    assert saved == Segment(
        "VIP",
        "customers",
        "any",
        (Rule("City", "eq", "Oslo"), Rule("Email", "is-empty", "")),
    )
    assert service.get("vip") == saved
    assert service.list() == [saved]
    row = segment_row(state, "VIP")
    assert (row["created_at"], row["updated_at"]) == ("2026-01-02T03:04:06Z",) * 2


def test_list_is_sorted_by_name_regardless_of_case(service: SegmentService) -> None:
    for name in ("beta", "Alpha", "gamma"):
        service.add(vip(name))
    assert [segment.name for segment in service.list()] == ["Alpha", "beta", "gamma"]


def test_names_are_unique_regardless_of_case(service: SegmentService) -> None:
    service.add(vip("VIP"))
    with pytest.raises(AlreadyExistsError, match="A segment named 'VIP' already exists"):
        service.add(vip("vip"))


def test_replace_updates_in_place_so_exports_keep_it(
    service: SegmentService, state: StateStore
) -> None:
    service.add(vip())
    first = segment_row(state, "VIP")
    add_export(state, "Newsletter", "VIP")
    changed = Segment("VIP", "customers", "any", (Rule("City", "is-empty", ""),))
    service.add(changed, replace=True)
    second = segment_row(state, "VIP")
    assert second["id"] == first["id"]
    assert second["created_at"] == first["created_at"] < second["updated_at"]
    assert service.get("VIP") == changed


def test_replace_may_create(service: SegmentService) -> None:
    assert service.add(vip(), replace=True) == service.get("VIP")


def test_save_renames_in_place_and_refuses_a_taken_name(
    service: SegmentService, state: StateStore
) -> None:
    service.add(vip("VIP"))
    service.add(vip("Other"))
    old_id = segment_row(state, "VIP")["id"]
    service.save(vip("Top"), original_name="vip")
    assert segment_row(state, "Top")["id"] == old_id
    assert [s.name for s in service.list()] == ["Other", "Top"]
    with pytest.raises(AlreadyExistsError, match="'Other' already exists"):
        service.save(vip("OTHER"), original_name="Top")
    with pytest.raises(NotFoundError, match="No segment named 'Gone'"):
        service.save(vip("New"), original_name="Gone")
    service.save(vip("top"), original_name="Top")  # a change of case only
    assert [s.name for s in service.list()] == ["Other", "top"]


def test_save_without_original_name_creates(service: SegmentService) -> None:
    service.save(vip())
    with pytest.raises(AlreadyExistsError):
        service.save(vip())


def test_a_used_segment_cannot_move_to_another_source(
    service: SegmentService, state: StateStore
) -> None:
    service.add(vip())
    service.add(vip("Free"))
    add_export(state, "Newsletter", "VIP")
    with pytest.raises(InUseError, match="used by the export 'Newsletter'"):
        service.add(vip("VIP", source="leads"), replace=True)
    assert service.add(vip("Free", source="leads"), replace=True).source == "leads"


def test_remove(service: SegmentService) -> None:
    service.add(vip())
    service.remove("vip")
    assert service.list() == []
    with pytest.raises(NotFoundError, match=r"No segment named 'VIP' \(there are no segments "):
        service.remove("VIP")


def test_remove_refuses_while_exports_use_it_and_names_them(
    service: SegmentService, state: StateStore
) -> None:
    service.add(vip())
    add_export(state, "Weekly", "VIP")
    add_export(state, "Autumn", "VIP")
    with pytest.raises(InUseError) as caught:
        service.remove("VIP")
    assert str(caught.value) == (
        "Segment 'VIP' is used by the exports 'Autumn', 'Weekly', so it cannot be removed; "
        "remove it from those exports first."
    )
    assert service.get("VIP") == vip()


def test_unknown_source(service: SegmentService) -> None:
    with pytest.raises(NotFoundError, match="No source named"):
        service.add(vip(source="nope"))
    assert any("No source named" in p for p in service.validate(vip(source="nope")))
    assert service.list() == []


def test_validate_reports_every_problem_and_add_saves_nothing(service: SegmentService) -> None:
    bad = Segment.build(
        " ", "customers", [Rule("Cty", "eq", "x"), Rule("City", "nope", "")], "some"
    )
    problems = service.validate(bad)
    assert problems == [
        "A segment needs a name.",
        "Match must be 'all' or 'any', not 'some'.",
        "Rule 1: source 'customers' has no field 'Cty'; its fields are: Email, City.",
        "Rule 2: unknown operator 'nope'; use one of: eq, ne, contains, not-contains, "
        "starts-with, gt, ge, lt, le, is-empty, not-empty, in, within-days, "
        "older-than-days.",
    ]
    with pytest.raises(UsageError) as caught:
        service.add(bad)
    assert str(caught.value) == " ".join(problems)
    assert "\n" not in str(caught.value)
    assert service.validate(vip()) == []
    assert service.list() == []


def test_control_characters_in_names_are_refused(service: SegmentService) -> None:
    assert service.validate(vip("two\nlines")) == [
        "A segment name cannot contain line breaks, tabs or other control characters."
    ]


def test_to_json_is_the_cli_shape() -> None:
    assert vip().to_json(members=3) == {
        "name": "VIP",
        "source": "customers",
        "match": "all",
        "rules": [{"field": "City", "op": "eq", "value": "Oslo"}],
        "members": 3,
    }
    assert Segment("All", "customers").to_json()["members"] is None


def test_a_name_longer_than_both_destinations_take_is_refused_saying_the_limit(
    service: SegmentService, state: StateStore
) -> None:
    from app.core.connections import Connection, ConnectionStore
    from app.core.export import Export
    from app.core.export.service import ExportService
    from app.core.mapping import FieldMapping, Mapping
    from app.core.names import NAME_LIMIT

    assert service.add(vip("V" * NAME_LIMIT)).name == "V" * NAME_LIMIT
    with pytest.raises(UsageError) as refused:
        service.add(vip("V" * 5000))
    assert str(refused.value) == (
        f"A segment name can be at most {NAME_LIMIT} characters (it becomes the list's title in "
        "Autopilot and the tag in Ortto); this one has 5,000. Choose a shorter name."
    )
    assert [s.name for s in service.list()] == ["V" * NAME_LIMIT]

    exports = ExportService(state)
    ConnectionStore(state).save(Connection("Sim", consent_at=START))
    mapping = Mapping(fields=(FieldMapping("Email", "Email"),))
    with pytest.raises(UsageError, match=f"An export name can be at most {NAME_LIMIT} characters"):
        exports.save(Export("E" * (NAME_LIMIT + 1), "Sim", ("V" * NAME_LIMIT,), mapping))
    assert exports.all() == []
