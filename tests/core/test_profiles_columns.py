"""Column names: unnamed columns, short rows, and the email-column warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.profiles import ProfileStore
from tests.support.files import make_store, table_rows, write_text

NO_EMAIL = (
    "No column looks like it holds email addresses; the export will need its Email field "
    "mapped to the column that does."
)


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return make_store(tmp_path / "home")


def test_unnamed_empty_column_is_left_out(store: ProfileStore, tmp_path: Path) -> None:
    # Excel's trailing delimiter: header and rows end with ';'.
    path = write_text(tmp_path / "t.csv", "email;name;\r\na@x.no;Ola;\r\nb@x.no;Kari;\r\n")

    result = store.import_file(path, "t")

    assert result.source.columns == ("email", "name")
    assert result.warnings == ("Column 3 has no name and no data; left out.",)
    assert table_rows(store, "t") == [(1, "a@x.no", "Ola"), (2, "b@x.no", "Kari")]


def test_unnamed_columns_in_the_middle_are_left_out_or_named(
    store: ProfileStore, tmp_path: Path
) -> None:
    text = "email,,name, ,,column_5\na@x.no,,Ola,x,,1\nb@x.no,,Kari,,  ,2\n"
    path = write_text(tmp_path / "t.csv", text)

    result = store.import_file(path, "t")

    assert result.source.columns == ("email", "name", "column_4", "column_5")
    assert result.warnings == (
        "Columns 2, 5 have no name and no data; left out.",
        'Column 4 has no name; it was named "column_4".',
    )
    assert table_rows(store, "t") == [
        (1, "a@x.no", "Ola", "x", "1"),
        (2, "b@x.no", "Kari", "", "2"),
    ]
    assert result.source.physical_column("column_5") == "c4"


def test_generated_name_does_not_clash_with_a_real_one(store: ProfileStore, tmp_path: Path) -> None:
    path = write_text(tmp_path / "t.csv", "email,,column_2\na@x.no,x,y\n")

    result = store.import_file(path, "t")

    assert result.source.columns == ("email", "column_2_2", "column_2")


def test_trailing_delimiters_on_data_rows_only(store: ProfileStore, tmp_path: Path) -> None:
    path = write_text(tmp_path / "t.csv", "email,name\na@x.no,Ola,\nb@x.no,Kari,,\nc@x.no,Per\n")

    result = store.import_file(path, "t")

    assert result.source.columns == ("email", "name")
    assert result.warnings == ("Columns 3, 4 have no name and no data; left out.",)
    assert table_rows(store, "t") == [
        (1, "a@x.no", "Ola"),
        (2, "b@x.no", "Kari"),
        (3, "c@x.no", "Per"),
    ]


def test_many_short_rows_are_one_warning(store: ProfileStore, tmp_path: Path) -> None:
    lines = ["email,name,city"] + [
        f"u{i}@x.no,N{i}" if i % 3 == 0 else f"u{i}@x.no,N{i},Oslo" for i in range(1, 31)
    ]
    path = write_text(tmp_path / "t.csv", "\n".join(lines) + "\n")

    result = store.import_file(path, "t")

    assert result.warnings == (
        "10 rows have fewer cells than the header and were padded with empty cells: "
        "rows 3, 6, 9, 12, 15, \u2026.",
    )
    rows = table_rows(store, "t")
    assert rows[2][:3] == (3, "u3@x.no", "N3")
    assert rows[2][3] in (None, "")
    assert rows[3] == (4, "u4@x.no", "N4", "Oslo")


def test_empty_cells_are_empty_text(store: ProfileStore, tmp_path: Path) -> None:
    path = write_text(tmp_path / "t.csv", 'email,a,b\nx@y.no,,""\n')

    result = store.import_file(path, "t")

    assert result.warnings == ()
    assert table_rows(store, "t") == [(1, "x@y.no", "", "")]


def test_names_are_trimmed(store: ProfileStore, tmp_path: Path) -> None:
    path = write_text(tmp_path / "t.csv", " E-mail ,\tFirst name \nx@y.no,Ola\n")

    result = store.import_file(path, "t")

    assert result.source.columns == ("E-mail", "First name")


@pytest.mark.parametrize(
    ("text", "warned"),
    [
        ("navn,by\nOla,Oslo\n", True),
        ("Epost,by\nnot an address,Oslo\n", False),
        ("E-mail,by\nx,Oslo\n", False),
        ("kontakt,by\nola@example.no,Oslo\n,Bergen\nkari@example.no,Oslo\n", False),
        ("kontakt,by\nola@example.no,Oslo\nnone,Bergen\nnone,Oslo\n", True),
    ],
)
def test_missing_email_column_is_a_warning(
    store: ProfileStore, tmp_path: Path, text: str, warned: bool
) -> None:
    path = write_text(tmp_path / "t.csv", text)

    result = store.import_file(path, "t")

    assert (NO_EMAIL in result.warnings) is warned
