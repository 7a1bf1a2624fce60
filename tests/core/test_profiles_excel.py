"""Excel workbooks through python-calamine: cells become the text a person sees."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.core.profiles import ProfileStore
from app.core.profiles.cells import cell_text
from tests.support.files import make_store, table_rows, write_xls, write_xlsx

HEADER = ["Email", "Postnr", "Count", "Amount", "Born", "Seen", "VIP", "Note"]
ROW = [
    "ola@example.no",
    "0150",
    1,
    1234.5,
    dt.date(1980, 2, 29),
    dt.datetime(2024, 5, 1, 13, 45, 10),
    True,
    None,
]
EXPECTED = (
    "ola@example.no",
    "0150",
    "1",
    "1234.5",
    "1980-02-29",
    "2024-05-01T13:45:10",
    "true",
    "",
)


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return make_store(tmp_path / "home")


def test_xlsx_cells_become_text(store: ProfileStore, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "kunder.xlsx", {"Kunder": [HEADER, ROW, ["kari@example.no"]]})

    result = store.import_file(path, "kunder")

    source = result.source
    assert (source.file_format, source.encoding, source.delimiter) == ("excel", None, None)
    assert source.columns == tuple(HEADER)
    rows = table_rows(store, "kunder")
    assert rows[0] == (1, *EXPECTED)
    assert rows[1] == (2, "kari@example.no", "", "", "", "", "", "", "")
    assert result.warnings == ()
    assert 'Read from the Excel sheet "Kunder".' in result.summary()


def test_xls_cells_become_text(store: ProfileStore, tmp_path: Path) -> None:
    path = write_xls(tmp_path / "old.xls", [HEADER[:5], ROW[:5]])

    store.import_file(path, "old")

    assert table_rows(store, "old") == [(1, *EXPECTED[:5])]


def test_named_sheet_and_first_sheet(store: ProfileStore, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "book.xlsx",
        {"Forside": [["email"], ["first@x.no"]], "Leads": [["email"], ["lead@x.no"]]},
    )

    first = store.import_file(path, "first")
    leads = store.import_file(path, "leads", sheet="leads")

    assert table_rows(store, "first") == [(1, "first@x.no")]
    assert table_rows(store, "leads") == [(1, "lead@x.no")]
    assert first.sheet == "Forside"
    assert leads.sheet == "Leads"


def test_empty_rows_and_unnamed_empty_columns_are_skipped(
    store: ProfileStore, tmp_path: Path
) -> None:
    rows = [
        ["email", "name", None],
        ["a@x.no", "Ola", None],
        [None, None, None],
        ["b@x.no", None, None],
    ]
    path = write_xlsx(tmp_path / "gaps.xlsx", {"Ark1": rows})

    result = store.import_file(path, "gaps")

    assert result.source.columns == ("email", "name")
    assert table_rows(store, "gaps") == [(1, "a@x.no", "Ola"), (2, "b@x.no", "")]


def test_multiline_cells_survive(store: ProfileStore, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "ml.xlsx", {"A": [["email", "adresse"], ["a@x.no", "Gate 1\n0150 Oslo"]]}
    )

    store.import_file(path, "ml")

    assert table_rows(store, "ml") == [(1, "a@x.no", "Gate 1\n0150 Oslo")]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (-42.0, "-42"),
        (12345678901234.0, "12345678901234"),
        (0.1, "0.1"),
        (1.5e-7, "1.5e-07"),
        (7, "7"),
        (False, "false"),
        (None, ""),
        ("", ""),
        (" padded ", " padded "),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (dt.datetime(2024, 1, 2, 3, 4, 5), "2024-01-02T03:04:05"),
        (dt.time(10, 30), "10:30:00"),
        (float("nan"), "nan"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text
