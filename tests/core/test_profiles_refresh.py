"""Refreshing a source from its file: the options it was imported with, unchanged files, refusals
that keep the old data, files that are gone, a crash half-way, and the cheap check of the file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.core import store as state_store
from app.core.errors import InputFileError
from app.core.profiles import FileState, ProfileStore, RefreshRefused, check_file
from app.core.profiles.database import source_tables
from app.core.segments import Rule, Segment, SegmentService
from app.core.store import StateStore
from tests.support.files import make_store, snapshot, table_rows, write_text, write_xlsx

ROOT = Path(__file__).resolve().parents[2]
OSLO = Segment("Oslo", "Customers", "all", (Rule("City", "eq", "oslo"),))


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return make_store(tmp_path / "home")


@pytest.fixture
def segments(store: ProfileStore) -> SegmentService:
    return SegmentService(store._state, store)


@pytest.fixture
def customers(tmp_path: Path) -> Path:
    return write_text(tmp_path / "customers.csv", "Email,City\na@x.no,Oslo\nb@x.no,Bergen\n")


def _rewrite(path: Path, text: str) -> None:
    """New content with a modification time that surely differs from the import's."""
    write_text(path, text)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def test_refresh_reads_the_new_rows_and_segments_keep_working(
    store: ProfileStore, segments: SegmentService, customers: Path
) -> None:
    store.import_file(customers, "Customers")
    segments.add(OSLO)
    assert segments.count(OSLO) == 1
    _rewrite(customers, "Name,Email,City\nPer,c@x.no,Oslo\nOla,a@x.no,Oslo\nKari,b@x.no,Bergen\n")

    result = store.refresh_source("customers", if_changed=True)

    assert result.refreshed
    assert result.source.rows == 3 and result.before.rows == 2
    assert result.summary().startswith(
        'Refreshed "Customers": 3 rows (2 before). Read as CSV (encoding utf-8, delimiter ,). '
        "Each row has 3 columns."
    )
    assert segments.count(segments.get("Oslo")) == 2
    _, members = segments.preview(OSLO, 10)
    assert [m.values["Email"] for m in members] == ["c@x.no", "a@x.no"]
    with store.connect() as con:
        assert source_tables(con) == {result.source.table_name}, "the old table was dropped"


def test_if_changed_does_nothing_for_the_same_file(store: ProfileStore, customers: Path) -> None:
    before = store.import_file(customers, "Customers").source

    result = store.refresh_source("Customers", if_changed=True)

    assert not result.refreshed
    assert store.get_source("Customers").table_name == before.table_name
    assert "is unchanged" in result.summary() and "nothing to do" in result.summary()
    # Without --if-changed the file is read again all the same.
    assert store.refresh_source("Customers").source.table_name != before.table_name


def test_a_file_saved_again_unchanged_is_not_a_change_and_is_remembered(
    store: ProfileStore, customers: Path
) -> None:
    before = store.import_file(customers, "Customers").source
    _rewrite(customers, customers.read_text())
    assert check_file(store.get_source("Customers")).state is FileState.CHANGED

    assert not store.refresh_source("Customers", if_changed=True).refreshed

    after = store.get_source("Customers")
    assert after.table_name == before.table_name
    assert after.stamp != before.stamp
    assert check_file(after).state is FileState.SAME


def test_refresh_uses_the_options_given_at_import(store: ProfileStore, tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    write_xlsx(book, {"Intro": [["Note"], ["hello"]], "Leads": [["Email"], ["a@x.no"]]})
    source = store.import_file(book, "Leads", sheet="Leads").source
    assert source.options.sheet == "Leads"
    write_xlsx(book, {"Intro": [["Note"], ["bye"]], "Leads": [["Email"], ["a@x.no"], ["b@x.no"]]})

    refreshed = store.refresh_source("Leads").source

    assert refreshed.columns == ("Email",)
    assert refreshed.rows == 2
    assert refreshed.options.sheet == "Leads"


def test_forced_encoding_and_delimiter_are_kept_apart_from_detected_ones(
    store: ProfileStore, tmp_path: Path
) -> None:
    forced = write_text(tmp_path / "f.txt", "Email|Name\na@x.no|Åse\n", encoding="cp1252")
    detected = write_text(tmp_path / "d.csv", "Email;Name\na@x.no;Ola\n")

    one = store.import_file(forced, "Forced", encoding="cp1252", delimiter="|").source
    two = store.import_file(detected, "Detected").source

    assert (one.options.encoding, one.options.delimiter) == ("cp1252", "|")
    assert (two.options.encoding, two.options.delimiter) == (None, None)
    assert two.delimiter == ";"
    assert store.refresh_source("Forced").source.options == one.options
    assert table_rows(store, "Forced") == [(1, "a@x.no", "Åse")]


def test_refused_when_a_column_in_use_is_gone_and_the_old_data_stays(
    store: ProfileStore, segments: SegmentService, customers: Path
) -> None:
    store.import_file(customers, "Customers")
    segments.add(OSLO)
    segments.add(Segment("Any email", "Customers", "all", (Rule("email", "not-empty"),)))
    before = snapshot(store)
    _rewrite(customers, "Email,Town\na@x.no,Oslo\nc@x.no,Oslo\n")

    with pytest.raises(RefreshRefused) as refused:
        store.refresh_source("Customers", if_changed=True)

    message = str(refused.value)
    assert message == (
        'Source "Customers" was not refreshed: the file no longer has the column "City" '
        '(the segment "Oslo" uses "City"). The data imported before stays as it was; put the '
        "column back in the file, or change what uses it, then refresh again."
    )
    assert refused.value.exit_code == 2
    assert snapshot(store) == before, "metadata, tables and scratch space exactly as before"
    assert segments.count(OSLO) == 1


def test_the_refusal_names_every_column_and_its_users(
    store: ProfileStore, segments: SegmentService, customers: Path
) -> None:
    store.import_file(customers, "Customers")
    segments.add(OSLO)
    segments.add(Segment("Emails", "Customers", "any", (Rule("Email", "contains", "@"),)))
    _rewrite(customers, "Name\nOla\n")

    with pytest.raises(RefreshRefused, match="no longer has 2 columns in use") as refused:
        store.refresh_source("Customers")

    uses = '(the segment "Emails" uses "Email"; the segment "Oslo" uses "City")'
    assert uses in str(refused.value)
    assert "put the columns back" in str(refused.value)


def test_a_column_nobody_uses_may_go(
    store: ProfileStore, segments: SegmentService, customers: Path
) -> None:
    store.import_file(customers, "Customers")
    segments.add(Segment("Everyone", "Customers"))
    _rewrite(customers, "email\nz@x.no\n")  # City is unused; Email found in any case

    assert store.refresh_source("Customers").source.columns == ("email",)


def test_a_file_that_is_gone_or_unreadable_leaves_the_source(
    store: ProfileStore, customers: Path
) -> None:
    store.import_file(customers, "Customers")
    before = snapshot(store)
    customers.unlink()

    with pytest.raises(InputFileError) as gone:
        store.refresh_source("Customers", if_changed=True)

    assert f"its file {customers} is gone" in str(gone.value)
    assert "source import FILE --name NAME" in str(gone.value)
    assert snapshot(store) == before

    write_text(customers, "Email\n")  # a header without rows: a bad file, refused the same way
    with pytest.raises(InputFileError, match=r'^Source "Customers" was not refreshed: .*no data'):
        store.refresh_source("Customers")
    assert snapshot(store) == before


def test_a_crash_before_the_swap_leaves_the_old_source_usable(
    store: ProfileStore, segments: SegmentService, customers: Path
) -> None:
    store.import_file(customers, "Customers")
    segments.add(OSLO)
    before = snapshot(store)
    _rewrite(customers, "Email,City\na@x.no,Oslo\nc@x.no,Oslo\n")
    # Another process refreshes and dies the moment its new table is complete.
    crash = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from app.core.profiles import records\n"
        "from tests.support.files import make_store\n"
        "records.save_source = lambda *a, **k: os._exit(9)\n"
        "make_store(Path(sys.argv[1])).refresh_source('Customers')\n"
    )
    home = store.db_path.parent.parent
    done = subprocess.run([sys.executable, "-c", crash, str(home)], cwd=ROOT, timeout=120)
    assert done.returncode == 9

    assert [s[:5] for s in snapshot(store).sources] == [s[:5] for s in before.sources]
    assert segments.count(OSLO) == 1, "the old rows are still what the segment reads"
    with store.connect() as con:
        assert len(source_tables(con)) == 2, "the crashed refresh left its table behind"

    refreshed = store.refresh_source("Customers").source

    assert segments.count(OSLO) == 2
    with store.connect() as con:
        assert source_tables(con) == {refreshed.table_name}, "the orphan was dropped"


def test_check_file_is_one_stat(store: ProfileStore, customers: Path) -> None:
    source = store.import_file(customers, "Customers").source
    assert check_file(source).state is FileState.SAME

    _rewrite(customers, "Email,City\na@x.no,Oslo\n")
    changed = check_file(source)
    assert changed.state is FileState.CHANGED
    assert changed.file_name == "customers.csv"
    assert changed.modified_at == datetime.fromtimestamp(customers.stat().st_mtime_ns / 1e9, UTC)

    customers.unlink()
    assert check_file(source).state is FileState.MISSING


def test_sources_from_before_the_migration_detect_again(
    tmp_path: Path, customers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "old"
    monkeypatch.setattr(state_store, "MIGRATIONS", state_store.MIGRATIONS[:6])
    old_state = StateStore(home / "data" / "state.sqlite3")
    assert old_state.version == 6
    with old_state.transaction() as db:
        db.execute(
            "INSERT INTO sources (name, table_name, path, sha256, rows, columns, file_format,"
            " encoding, delimiter, imported_at) VALUES ('Customers', 'src_' || hex(randomblob(16)),"
            " ?, 'not-the-hash', 2, '[\"Email\", \"City\"]', 'csv', 'utf-8', ',',"
            " '2020-01-01T00:00:00Z')",
            (str(customers),),
        )
    monkeypatch.undo()

    store = make_store(home)
    source = store.get_source("Customers")
    assert (source.options.sheet, source.options.encoding, source.stamp) == (None, None, None)
    assert check_file(source).state is FileState.CHANGED, "modified after 2020"
    with sqlite3.connect(home / "data" / "state.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(state_store.MIGRATIONS)

    result = store.refresh_source("Customers", if_changed=True)

    assert result.refreshed, "a different hash is a change"
    assert result.source.rows == 2
    assert result.source.stamp is not None
    assert not store.refresh_source("Customers", if_changed=True).refreshed
