"""The profile store: metadata, atomic replace, removal, orphans, progress and a busy database."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.core.clock import FakeClock
from app.core.errors import BusyError, InUseError, NotFoundError
from app.core.profiles import ImportResult, ProfileStore, Source, columns, records
from app.core.store import StateStore
from tests.support.files import make_store, snapshot, table_rows, write_text

MOMENT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return make_store(tmp_path / "home")


@pytest.fixture
def customers(tmp_path: Path) -> Path:
    return write_text(tmp_path / "customers.csv", "Email;Name\r\na@x.no;Ola\r\nb@x.no;Kari\r\n")


def _add_segment(state: StateStore, segment: str, source: str) -> None:
    with state.transaction() as db:
        db.execute(
            "INSERT INTO segments (name, source_id, match, rules, created_at, updated_at) "
            "VALUES (?, (SELECT id FROM sources WHERE name = ?), 'all', '[]', 'x', 'x')",
            (segment, source),
        )


def test_import_records_metadata(tmp_path: Path, customers: Path) -> None:
    data = tmp_path / "data"
    store = ProfileStore(data / "profiles.duckdb", StateStore(data / "s.db"), now=lambda: MOMENT)

    result = store.import_file(customers, " Customers ")

    source = store.get_source("customers")
    assert source == result.source
    assert source.name == "Customers"
    assert source.path == str(customers)
    assert source.sha256 == hashlib.sha256(customers.read_bytes()).hexdigest()
    assert source.table_name.startswith("src_") and len(source.table_name) == 36
    assert source.to_json() == {
        "name": "Customers",
        "path": str(customers),
        "rows": 2,
        "columns": ["Email", "Name"],
        "sha256": source.sha256,
        "imported_at": "2026-01-02T03:04:05Z",
        "format": "csv",
        "encoding": "utf-8",
        "delimiter": ";",
    }
    assert result.summary() == (
        'Imported "Customers": 2 rows. Read as CSV (encoding utf-8, delimiter ;). '
        "Each row has 2 columns. No warnings."
    )


def test_relative_paths_are_stored_absolute(
    store: ProfileStore, customers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(customers.parent)

    result = store.import_file(Path("customers.csv"), "c")

    assert result.source.path == str(customers)


def test_physical_columns() -> None:
    source = Source(
        name="s",
        table_name="src_x",
        path="/p",
        rows=1,
        columns=("Email", "email ", "First Name"),
        sha256="0",
        imported_at=MOMENT,
        file_format="csv",
        encoding="utf-8",
        delimiter=",",
    )

    assert source.physical_column("Email") == "c1"
    assert source.physical_column("email ") == "c2"
    assert source.physical_column("first name") == "c3"
    with pytest.raises(
        NotFoundError, match=r'no column "Phone"; its columns are: Email, email , Fi'
    ):
        source.physical_column("Phone")


def test_summary_and_warning_count() -> None:
    source = Source("s", "src_x", "/p", 1, ("a",), "0", MOMENT, "excel", None, None, ("w",))

    line = ImportResult(source=source, warnings=("w",), sheet="Ark1").summary()

    assert line == (
        'Imported "s": 1 row. Read from the Excel sheet "Ark1". Each row has 1 column. 1 warning.'
    )


def test_reimport_replaces_and_keeps_segments_attached(
    store: ProfileStore, customers: Path, tmp_path: Path
) -> None:
    old = store.import_file(customers, "customers").source
    _add_segment(store._state, "VIP", "customers")
    newer = write_text(tmp_path / "v2.csv", "Email,Name,City\nc@x.no,Per,Oslo\n")

    new = store.import_file(newer, "CUSTOMERS").source

    assert [s.name for s in store.list_sources()] == ["CUSTOMERS"]
    assert new.table_name != old.table_name
    assert table_rows(store, "customers") == [(1, "c@x.no", "Per", "Oslo")]
    assert set(snapshot(store).tables) == {new.table_name}
    with store._state.read() as db:
        row = db.execute(
            "SELECT src.table_name FROM segments s JOIN sources src ON src.id = s.source_id"
        ).fetchone()
    assert row[0] == new.table_name


@pytest.mark.parametrize("failing", ["finish", "save"])
def test_a_failed_reimport_leaves_the_old_source_intact(
    store: ProfileStore,
    customers: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failing: str,
) -> None:
    store.import_file(customers, "customers")
    before = snapshot(store)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut")

    if failing == "finish":
        monkeypatch.setattr(columns, "_compact", boom)
    else:
        monkeypatch.setattr(records, "save_source", boom)
    newer = write_text(tmp_path / "v2.csv", "Email,Name\nc@x.no,Per\n")

    with pytest.raises(RuntimeError, match="power cut"):
        store.import_file(newer, "customers")

    assert snapshot(store) == before


def test_orphan_tables_and_scratch_folders_are_cleaned_up(
    store: ProfileStore, customers: Path
) -> None:
    store.import_file(customers, "first")
    orphan = "src_" + "0" * 32
    with store.connect(read_only=False) as con:
        con.execute(f'CREATE TABLE "{orphan}" (row_no BIGINT)')
        con.execute('CREATE TABLE "not_ours" (row_no BIGINT)')
    (store.db_path.parent / ".import-crashed").mkdir()

    second = store.import_file(customers, "second").source

    state = snapshot(store)
    assert set(state.tables) == {
        store.get_source("first").table_name,
        second.table_name,
        "not_ours",
    }
    assert state.scratch == ()


def test_remove_drops_the_table(store: ProfileStore, customers: Path) -> None:
    kept = store.import_file(customers, "kept").source
    store.import_file(customers, "gone")

    store.remove_source("GONE")

    assert [s.name for s in store.list_sources()] == ["kept"]
    assert set(snapshot(store).tables) == {kept.table_name}


def test_remove_unknown_source(store: ProfileStore) -> None:
    with pytest.raises(NotFoundError, match='No source named "nope"'):
        store.remove_source("nope")


def test_remove_refuses_a_source_with_segments(store: ProfileStore, customers: Path) -> None:
    store.import_file(customers, "customers")
    _add_segment(store._state, "VIP", "customers")
    _add_segment(store._state, "Oslo", "customers")
    before = snapshot(store)

    with pytest.raises(InUseError, match=r'used by the segments "Oslo", "VIP"; remove or change'):
        store.remove_source("customers")

    assert snapshot(store) == before


def test_progress_runs_from_zero_to_one(store: ProfileStore, customers: Path) -> None:
    seen: list[float] = []

    store.import_file(customers, "c", on_progress=seen.append)

    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert seen == sorted(seen)


def test_read_connection_on_a_fresh_store(store: ProfileStore) -> None:
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == (0,)


def test_busy_database_waits_then_says_so(tmp_path: Path, customers: Path) -> None:
    data = tmp_path / "data"
    clock = FakeClock()
    store = ProfileStore(
        data / "profiles.duckdb", StateStore(data / "s.db"), clock=clock, busy_wait_s=3.0
    )
    store.import_file(customers, "customers")
    before = snapshot(store)
    script = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); "
        "sys.stdin.read()"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script, str(store.db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdin is not None and holder.stdout is not None
        try:
            assert holder.stdout.readline().strip() == "locked"
            with pytest.raises(BusyError, match="in use by another window or command"):
                store.import_file(customers, "customers")
            with pytest.raises(BusyError):
                store.remove_source("customers")
        finally:
            holder.stdin.close()
            holder.wait(timeout=60)

    assert sum(clock.sleeps) >= 3.0
    assert snapshot(store) == before


def test_a_reader_in_this_process_makes_a_writer_wait(store: ProfileStore, customers: Path) -> None:
    clock = FakeClock()
    waiting = ProfileStore(store.db_path, store._state, clock=clock, busy_wait_s=1.0)
    store.import_file(customers, "customers")

    with store.connect(read_only=True), pytest.raises(BusyError):
        waiting.import_file(customers, "customers")

    assert clock.sleeps
