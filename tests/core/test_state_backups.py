"""Backups of the state store: when they are taken, how many are kept, and never of damage."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core import store as store_module
from app.core.state_backups import BACKUP_EVERY, DamagedStoreError, StateBackups
from app.core.store import StateStore


class Now:
    def __init__(self) -> None:
        self.moment = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment


def test_a_backup_is_taken_at_most_once_a_day_and_five_are_kept(tmp_path: Path) -> None:
    StateStore(tmp_path / "state.sqlite3")
    now = Now()
    backups = StateBackups(tmp_path / "state.sqlite3", tmp_path / "backups", now=now)
    assert backups.take_if_due() is not None
    assert backups.take_if_due() is None, "not again the same day"
    now.moment += BACKUP_EVERY
    for _ in range(7):
        assert backups.take_if_due() is not None
        now.moment += BACKUP_EVERY + timedelta(seconds=1)
    kept = backups.all()
    assert len(kept) == 5
    assert kept[0].taken_at > kept[-1].taken_at


def test_a_damaged_store_is_never_copied_over_the_good_backups(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    StateStore(state)
    backups = StateBackups(state, tmp_path / "backups")
    good = backups.take()
    state.write_bytes(b"\0" * 4096)
    assert backups.take() is None
    assert backups.all() == [good]
    with pytest.raises(DamagedStoreError, match="not a SQLite database") as raised:
        StateStore(state)
    assert raised.value.backup == good


def test_a_backup_is_taken_before_migrations_change_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state.sqlite3"
    migrations = list(store_module.MIGRATIONS)
    monkeypatch.setattr(store_module, "MIGRATIONS", migrations[:-1])
    StateStore(state)
    monkeypatch.setattr(store_module, "MIGRATIONS", migrations)
    StateStore(state)
    [backup] = StateBackups(state, tmp_path / "backups").all()
    old = sqlite3.connect(backup.path).execute("PRAGMA user_version").fetchone()[0]
    assert old == len(migrations) - 1
    assert StateStore(state).version == len(migrations)
