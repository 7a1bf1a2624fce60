"""Delimiters, quoting, line endings and row numbers of text files."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.profiles import ProfileStore
from tests.support.files import delimited, make_store, sniffer_breaker, table_rows, write_text

ROWS = [
    ["id", "email", "postal", "note"],
    ["1", "ola@example.no", "0150", 'says "hi", then; leaves | fast\tnow'],
    ["2", "kari@example.no", "0001", "two\nlines"],
    ["3", "per@example.no", "9990", ""],
]


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return make_store(tmp_path / "home")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_each_delimiter_and_line_ending_is_detected(
    store: ProfileStore, tmp_path: Path, delimiter: str, newline: str
) -> None:
    path = write_text(tmp_path / "profiles.txt", delimited(ROWS, delimiter, newline))

    result = store.import_file(path, "p")

    assert result.source.delimiter == delimiter
    assert result.source.columns == tuple(ROWS[0])
    assert table_rows(store, "p") == [(i, *row) for i, row in enumerate(ROWS[1:], start=1)]


def test_the_file_that_defeats_duckdbs_sniffer(store: ProfileStore, tmp_path: Path) -> None:
    path = write_text(tmp_path / "eksport.csv", sniffer_breaker())

    result = store.import_file(path, "eksport")

    source = result.source
    assert (source.encoding, source.delimiter) == ("utf-8-sig", ";")
    assert source.columns == ("Kundenr", "Navn", "E-post", "Postnr")
    rows = table_rows(store, "eksport")
    assert rows[0] == (1, "1", "Nordmann,\r\nOla", "ola@example.no", "0150")
    assert rows[1][:4] == (2, "2", "Kari", "kari@example.no")
    assert rows[1][4] in (None, "")
    assert rows[2] == (3, "3", "Hansen; Per", "per@example.no", "0001")
    assert result.warnings == (
        "1 row has fewer cells than the header and was padded with empty cells: row 2.",
    )


def test_values_are_kept_as_text_exactly(store: ProfileStore, tmp_path: Path) -> None:
    text = "postal,amount,when,flag,email\n0150,0001.50,01.02.2024,TRUE,  a@example.no \n"
    path = write_text(tmp_path / "types.csv", text)

    store.import_file(path, "types")

    assert table_rows(store, "types") == [
        (1, "0150", "0001.50", "01.02.2024", "TRUE", "  a@example.no ")
    ]


def test_row_numbers_count_records_not_lines(store: ProfileStore, tmp_path: Path) -> None:
    text = (
        "name,note,email\n"
        'a,"three\nline\nnote",a@example.no\n'
        "\n"
        'b,"x",b@example.no\n'
        "c\n"
        'd,"two\r\nlines",d@example.no\n'
        "e\n"
    )
    path = write_text(tmp_path / "multi.csv", text)

    result = store.import_file(path, "multi")

    assert [row[:2] for row in table_rows(store, "multi")] == [
        (1, "a"),
        (2, "b"),
        (3, "c"),
        (4, "d"),
        (5, "e"),
    ]
    assert result.warnings == (
        "2 rows have fewer cells than the header and were padded with empty cells: rows 3, 5.",
    )


def test_mixed_line_endings_are_read(store: ProfileStore, tmp_path: Path) -> None:
    path = write_text(tmp_path / "mixed.csv", 'a,email\r\n1,x@example.no\n"2\r\n2",y@e.no\r\n')

    store.import_file(path, "mixed")

    assert table_rows(store, "mixed") == [(1, "1", "x@example.no"), (2, "2\r\n2", "y@e.no")]


def test_excel_sep_line_names_the_delimiter(store: ProfileStore, tmp_path: Path) -> None:
    path = write_text(tmp_path / "sep.csv", "sep=;\r\nname;email\r\nOla, Jr;o@example.no\r\n")

    result = store.import_file(path, "sep")

    assert result.source.delimiter == ";"
    assert result.source.columns == ("name", "email")
    assert table_rows(store, "sep") == [(1, "Ola, Jr", "o@example.no")]


def test_delimiter_option_overrides_detection(store: ProfileStore, tmp_path: Path) -> None:
    # Sniffing picks ';' (two columns); the user says the file is one column of comma text.
    path = write_text(tmp_path / "one.csv", "email;x\na@example.no;1\nb@example.no;2\n")

    result = store.import_file(path, "one", delimiter="|")

    assert result.source.columns == ("email;x",)
    assert table_rows(store, "one") == [(1, "a@example.no;1"), (2, "b@example.no;2")]


def test_single_column_file(store: ProfileStore, tmp_path: Path) -> None:
    path = write_text(tmp_path / "emails.txt", "email\na@example.no\nb@example.no\n")

    result = store.import_file(path, "emails")

    assert result.source.columns == ("email",)
    assert result.source.rows == 2
    assert result.warnings == ()


def test_cells_with_quotes_inside_unquoted_values_are_kept(
    store: ProfileStore, tmp_path: Path
) -> None:
    path = write_text(tmp_path / "q.csv", 'item,email\n12" pizza,a@example.no\n')

    store.import_file(path, "q")

    assert table_rows(store, "q") == [(1, '12" pizza', "a@example.no")]


def test_last_line_without_newline_is_a_record(store: ProfileStore, tmp_path: Path) -> None:
    path = write_text(tmp_path / "end.csv", "a,email\n1,x@example.no\n2,y@example.no")

    result = store.import_file(path, "end")

    assert result.source.rows == 2


def test_space_after_a_closing_quote_is_tolerated(store: ProfileStore, tmp_path: Path) -> None:
    path = write_text(tmp_path / "sp.csv", 'email,name\na@x.no,"Ola" \nb@x.no,Kari\n')

    result = store.import_file(path, "sp")

    assert result.source.rows == 2
    assert table_rows(store, "sp") == [(1, "a@x.no", "Ola"), (2, "b@x.no", "Kari")]
