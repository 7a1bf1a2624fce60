"""Removing who left, without a server: the guard's threshold, the Ortto removal body and how its
answers read, and the migration that lets a run's row details hold removed people."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core import store
from app.core.destinations.ortto import answers
from app.core.destinations.ortto.encoding import removal_body, untagged
from app.core.export.removals import LargeRemoval, MassRemoval, is_mass_removal
from app.core.store import StateStore


@pytest.mark.parametrize(
    ("members", "departed", "mass"),
    [
        (99, 99, False),  # a small list may go entirely
        (100, 50, False),  # half is not more than half
        (100, 51, True),
        (1000, 501, True),
        (1000, 500, False),
        (0, 0, False),
    ],
)
def test_a_mass_removal_is_more_than_half_of_at_least_100(
    members: int, departed: int, mass: bool
) -> None:
    assert is_mass_removal(members, departed) is mass


def test_the_mass_removal_message_names_the_numbers_the_audience_and_the_flag() -> None:
    error = MassRemoval([LargeRemoval("VIP Norway", 1_200, 2_000)], "tag", "Ortto")
    text = str(error)
    assert "1,200 of the 2,000 people Ortto has with the tag 'VIP Norway'" in text
    assert "--allow-mass-removal" in text and "Nothing was sent or removed" in text
    assert error.exit_code == 2 and "\n" not in text


def test_an_ortto_removal_carries_the_email_and_the_tag_and_nothing_else() -> None:
    person = untagged("kari@example.no", "VIP Norway")
    assert person == {"fields": {"str::email": "kari@example.no"}, "unset_tags": ["VIP Norway"]}
    body = removal_body([person])
    assert body["merge_strategy"] == 3 and body["skip_non_existing"] is True
    assert body["merge_by"] == ["str::email"] and body["async"] is False


def test_ortto_removal_answers() -> None:
    payload = {
        "people": [
            {"person_id": "p1", "status": "merged"},
            {"status": "suppressed", "error": "Email is suppressed"},
            {"status": "skipped"},
            None,
        ]
    }
    outcomes = answers.removal_outcomes(payload, 4)
    assert outcomes is not None
    assert [(o.stored, o.value) for o in outcomes] == [
        (True, "p1"),
        (False, "Email is suppressed"),
        (True, ""),
        (True, ""),
    ]
    assert answers.removal_outcomes(payload, 3) is None, "one answer per person, or unknown"
    assert answers.removal_outcomes({"people": ["what"]}, 1) is None
    assert answers.removal_outcomes({"people": [{"no": "status"}]}, 1) is None


def test_the_migration_keeps_the_row_details_and_allows_removed_people(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.sqlite3"
    monkeypatch.setattr(store, "MIGRATIONS", store.MIGRATIONS[:5])
    old = StateStore(path)
    with old.transaction() as db:
        db.execute(
            "INSERT INTO runs (id, export_name, dry_run, status, started_at, snapshot)"
            " VALUES (1, 'Weekly', 0, 'succeeded', '2026-01-01T00:00:00Z', '{}')"
        )
        db.execute(
            "INSERT INTO run_rows (run_id, segment_index, row_number, state, email, reason)"
            " VALUES (1, 0, 7, 'rejected', 'a@example.com', 'no')"
        )
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(
                "INSERT INTO run_rows (run_id, segment_index, row_number, state, email, reason)"
                " VALUES (1, 0, 0, 'removed', 'b@example.com', '')"
            )
    monkeypatch.undo()

    new = StateStore(path)
    assert new.version == len(store.MIGRATIONS) >= 6
    with new.transaction() as db:
        db.execute(
            "INSERT INTO run_rows (run_id, segment_index, row_number, state, email, reason)"
            " VALUES (1, 0, 0, 'removed', 'b@example.com', '')"
        )
        rows = db.execute("SELECT state, email FROM run_rows ORDER BY email").fetchall()
        assert [tuple(r) for r in rows] == [
            ("rejected", "a@example.com"),
            ("removed", "b@example.com"),
        ]
        flag = db.execute("SELECT remove_departed FROM exports").fetchall()
        assert flag == []
        db.execute("DELETE FROM runs WHERE id = 1")
        assert db.execute("SELECT COUNT(*) FROM run_rows").fetchone()[0] == 0, "still cascades"
