"""Every bad file is refused with a message naming it and what is wrong, and changes nothing."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.errors import InputFileError, NotFoundError, UsageError
from app.core.profiles import ProfileStore, loading
from tests.support.files import make_store, snapshot, table_rows, write_text, write_xlsx

Maker = Callable[[Path], Path]


def _text(name: str, content: str) -> Maker:
    return lambda folder: write_text(folder / name, content)


def _bytes(name: str, content: bytes) -> Maker:
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(content)
        return folder / name

    return make


def _folder(folder: Path) -> Path:
    (folder / "exports.csv").mkdir()
    return folder / "exports.csv"


def _fake_xlsx(folder: Path) -> Path:
    return write_text(folder / "report.xlsx", "email,name\na@example.no,Ola\n")


BAD_FILES: list[tuple[str, Maker, str]] = [
    ("missing", lambda folder: folder / "nope.csv", r"nope\.csv: no such file"),
    ("folder", _folder, r"exports\.csv is a folder"),
    ("empty", _bytes("empty.csv", b""), r"empty\.csv is empty"),
    ("blank lines", _text("blank.csv", "\n \r\n\n"), r"blank\.csv is empty"),
    ("bom only", _bytes("bom.csv", b"\xef\xbb\xbf"), r"bom\.csv is empty"),
    ("header only", _text("head.csv", "email,name\r\n"), r"head\.csv has a header but no data"),
    ("binary", _bytes("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50), "not a text file"),
    ("xlsx as csv", _bytes("book.csv", b"PK\x03\x04\x14\x00\x06\x00" * 20), "is an Excel workbook"),
    ("controls", _bytes("ctl.txt", bytes(range(1, 32)) * 40), "does not look like a text file"),
    ("fake xlsx", _fake_xlsx, r"report\.xlsx is not a valid Excel workbook.*rename it to \.csv"),
    ("zip xlsx", _bytes("z.xlsx", b"PK\x03\x04" + b"\x00" * 100), r"z\.xlsx is not a valid Excel"),
    ("extension", _text("notes.docx", "email\na@example.no\n"), "'.docx' cannot be imported"),
    (
        "no extension",
        _text("README", "email\na@example.no\n"),
        "files without an extension cannot be imported",
    ),
    (
        "fake parquet",
        _text("p.parquet", "email\na@example.no\n"),
        r"p\.parquet is not a valid Parquet",
    ),
    (
        "duplicates",
        _text("dup.csv", "Email,Name,email,name,id\n1,2,3,4,5\n"),
        r'repeat: "Email" \(columns 1, 3\); "Name" \(columns 2, 4\)',
    ),
    (
        "too many cells",
        _text("wide.csv", "email,name\na@x.no,Ola,Oslo\nb@x.no,Kari\nc@x.no,Per,Bergen,NO\n"),
        r"2 rows have more cells than the header \(2\): rows 1, 3 \(file lines 2, 4\)\. "
        "The delimiter may be wrong",
    ),
    (
        "too many cells, mixed line endings",
        _text("mix.csv", "email,name\r\n\r\na@x.no,Ola\nb@x.no,Kari,Oslo\r\n"),
        r"1 row has more cells than the header \(2\): row 2 \(file line 4\)",
    ),
    (
        "unclosed quote",
        _text("open.csv", 'email,name\na@x.no,"Ola\nb@x.no,Kari\nc@x.no,Per\n'),
        r'quoted value starting on line 2 is never closed; add the missing "',
    ),
    (
        "text after quote",
        _text("after.csv", 'email,name\na@x.no,"Ola" Nordmann\r\nb@x.no,Kari\n'),
        r"line 2 has text right after a closing quote",
    ),
]


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return make_store(tmp_path / "home")


@pytest.fixture
def existing(store: ProfileStore, tmp_path: Path) -> ProfileStore:
    """A store that already holds a source named "customers"."""
    good = write_text(tmp_path / "good.csv", "email,name\na@example.no,Ola\n")
    store.import_file(good, "customers")
    return store


@pytest.mark.parametrize(("label", "make", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_is_refused_and_nothing_changes(
    existing: ProfileStore, tmp_path: Path, label: str, make: Maker, message: str
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    path = make(folder)
    before = snapshot(existing)

    with pytest.raises(InputFileError, match=message) as caught:
        existing.import_file(path, "customers")

    assert "\n" not in str(caught.value)
    assert path.name in str(caught.value)
    assert snapshot(existing) == before
    assert table_rows(existing, "customers") == [(1, "a@example.no", "Ola")]


def test_unclosed_quote_is_caught_in_a_large_file_by_the_quote_count(
    existing: ProfileStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Above the size where every record is counted in parallel, an odd number of quotes is
    # what triggers the count.
    monkeypatch.setattr(loading, "VERIFY_IN_PARALLEL_UP_TO", 0)
    path = write_text(tmp_path / "big.csv", 'email,name\na@x.no,"Ola\n' + "b@x.no,Kari\n" * 50)
    before = snapshot(existing)

    with pytest.raises(InputFileError, match="starting on line 2 is never closed"):
        existing.import_file(path, "customers")

    assert snapshot(existing) == before


def test_a_five_megabyte_value_is_imported_whole(store: ProfileStore, tmp_path: Path) -> None:
    note = "x" * 5_000_000  # far over the 128 KiB of Python's csv and the 2 MiB of DuckDB
    path = write_text(
        tmp_path / "notes.csv", f"email,note\na@example.no,{note}\nb@example.no,short\n"
    )
    result = store.import_file(path, "notes")
    assert result.source.rows == 2 and result.source.columns == ("email", "note")
    assert table_rows(store, "notes") == [(1, "a@example.no", note), (2, "b@example.no", "short")]


def test_a_value_over_the_limit_is_refused_naming_its_line_and_the_limit(
    existing: ProfileStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import csv

    from app.core.profiles import duckload

    limit = 1 << 20
    monkeypatch.setattr(duckload, "MAX_RECORD_BYTES", limit)
    previous = csv.field_size_limit(limit)
    try:
        path = write_text(
            tmp_path / "long.csv", "email,note\na@x.no,short\nb@x.no," + "y" * (limit + 10) + "\n"
        )
        before = snapshot(existing)
        with pytest.raises(InputFileError) as caught:
            existing.import_file(path, "customers")
    finally:
        csv.field_size_limit(previous)
    message = str(caught.value)
    assert "line 3" in message and f"{limit:,}" in message and "header" not in message
    assert snapshot(existing) == before


def test_unreadable_file_is_refused(existing: ProfileStore, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = write_text(tmp_path / "locked.csv", "email\na@example.no\n")
    path.chmod(0)

    with pytest.raises(InputFileError, match=r"locked\.csv cannot be read"):
        existing.import_file(path, "customers")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sheet": "Ark1"}, "--sheet applies only to Excel"),
        ({"delimiter": ":"}, "Unsupported delimiter ':'"),
        ({"encoding": "no-such-codec"}, "Unknown encoding"),
    ],
)
def test_options_that_cannot_apply_are_refused(
    existing: ProfileStore, tmp_path: Path, options: dict[str, str], message: str
) -> None:
    path = write_text(tmp_path / "x.csv", "email\na@example.no\n")
    before = snapshot(existing)

    with pytest.raises(UsageError, match=message):
        existing.import_file(path, "customers", **options)

    assert snapshot(existing) == before


def test_text_options_on_an_excel_file_are_refused(existing: ProfileStore, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", {"Ark1": [["email"], ["a@example.no"]]})

    with pytest.raises(UsageError, match="--encoding and --delimiter apply only to CSV"):
        existing.import_file(path, "customers", delimiter=";")


def test_unknown_sheet_lists_the_sheets(existing: ProfileStore, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", {"Kunder": [["email"], ["a@x.no"]], "Ark2": [["b"]]})
    before = snapshot(existing)

    with pytest.raises(NotFoundError, match=r'no sheet "Leads"; its sheets are: "Kunder", "Ark2"'):
        existing.import_file(path, "customers", sheet="Leads")

    assert snapshot(existing) == before


def test_blank_name_is_refused(store: ProfileStore, tmp_path: Path) -> None:
    path = write_text(tmp_path / "x.csv", "email\na@example.no\n")

    with pytest.raises(UsageError, match="needs a name"):
        store.import_file(path, "   ")
