"""Parquet through DuckDB's built-in reader, every column as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import InputFileError
from app.core.profiles import ProfileStore
from tests.support.files import make_store, snapshot, table_rows, write_parquet


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return make_store(tmp_path / "home")


def test_parquet_columns_become_text(store: ProfileStore, tmp_path: Path) -> None:
    path = write_parquet(
        tmp_path / "p.parquet",
        "SELECT i AS id, 'u' || i || '@x.no' AS \"E-mail\", '0150' AS postnr, "
        "i * 1.0::DOUBLE AS whole, i + 0.25 AS part, DATE '2024-01-02' AS born, "
        "TIMESTAMP '2024-01-02 03:04:05' AS seen, i = 1 AS vip, NULL::INT AS nothing "
        "FROM range(1, 4) t(i)",
    )

    result = store.import_file(path, "p")

    source = result.source
    assert source.file_format == "parquet"
    assert source.columns == (
        "id",
        "E-mail",
        "postnr",
        "whole",
        "part",
        "born",
        "seen",
        "vip",
        "nothing",
    )
    rows = table_rows(store, "p")
    assert rows[0] == (
        1,
        "1",
        "u1@x.no",
        "0150",
        "1",
        "1.25",
        "2024-01-02",
        "2024-01-02T03:04:05",
        "true",
        None,
    )
    assert [row[0] for row in rows] == [1, 2, 3]
    assert result.warnings == ()


def test_nested_parquet_columns_are_json_text_and_named_in_a_warning(
    store: ProfileStore, tmp_path: Path
) -> None:
    path = write_parquet(
        tmp_path / "nested.parquet",
        "SELECT 'kari@bjorn.no' AS Email, {'city': 'Oslo', 'zip': '0150'} AS Address, "
        "[1, 2] AS Tags, MAP(['tier'], ['gold']) AS Extra, NULL::STRUCT(a INT) AS Nothing",
    )

    result = store.import_file(path, "nested")

    assert table_rows(store, "nested")[0][1:] == (
        "kari@bjorn.no",
        '{"city":"Oslo","zip":"0150"}',
        "[1,2]",
        '{"tier":"gold"}',
        None,
    )
    assert result.warnings == (
        "The columns 'Address', 'Tags', 'Extra', 'Nothing' hold nested values (structs, lists "
        'or maps); they are kept as JSON text such as {"city":"Oslo"}. To send a part of them, '
        "flatten the columns where the file is made.",
    )
    one = write_parquet(tmp_path / "one.parquet", "SELECT 'a@b.no' AS Email, [1] AS Tags")
    assert (
        store.import_file(one, "one")
        .warnings[0]
        .startswith("The column 'Tags' holds nested values (a struct, list or map)")
    )


def test_parquet_row_order_is_kept(store: ProfileStore, tmp_path: Path) -> None:
    path = write_parquet(
        tmp_path / "o.parquet", "SELECT 100000 - i AS n, 'x@y.no' AS email FROM range(100000) t(i)"
    )

    store.import_file(path, "o")

    rows = table_rows(store, "o")
    assert all(int(n) == 100000 - row_no + 1 for row_no, n, _ in rows)


def test_parquet_without_rows_is_refused(store: ProfileStore, tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "e.parquet", "SELECT 'x' AS email WHERE false")
    before = snapshot(store)

    with pytest.raises(InputFileError, match=r"e\.parquet has no rows"):
        store.import_file(path, "e")

    assert snapshot(store) == before


def test_parquet_column_names_are_never_sql(store: ProfileStore, tmp_path: Path) -> None:
    path = write_parquet(
        tmp_path / "n.parquet",
        'SELECT \'a@x.no\' AS "e""mail; DROP TABLE x", 1 AS " spaced name "',
    )

    result = store.import_file(path, "n")

    assert result.source.columns == ('e"mail; DROP TABLE x', "spaced name")
    assert table_rows(store, "n") == [(1, "a@x.no", "1")]
