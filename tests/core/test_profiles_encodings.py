"""Text encodings: detected from the bytes, or chosen with --encoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import InputFileError, UsageError
from app.core.profiles import ProfileStore
from app.core.profiles.encoding import SAMPLE_BYTES
from tests.support.files import delimited, make_store, snapshot, table_rows, write_text

NORWEGIAN = [
    ["Navn", "By", "E-post"],
    ["Åse Ødegård", "Tromsø", "ase@example.no"],
    ["Zoë “Z” Æbeltoft", "Bodø", "zoe@example.no"],
]


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return make_store(tmp_path / "home")


@pytest.mark.parametrize(
    ("encoding", "prefix", "reported"),
    [
        ("utf-8", "", "utf-8"),
        ("utf-8", "\ufeff", "utf-8-sig"),
        ("utf-16-le", "\ufeff", "utf-16"),
        ("utf-16-be", "\ufeff", "utf-16"),
        ("cp1252", "", "cp1252"),
    ],
)
def test_each_encoding_is_detected_and_read_exactly(
    store: ProfileStore, tmp_path: Path, encoding: str, prefix: str, reported: str
) -> None:
    path = write_text(tmp_path / "kunder.csv", prefix + delimited(NORWEGIAN, ";"), encoding)

    result = store.import_file(path, "kunder")

    assert result.source.encoding == reported
    assert result.source.columns == ("Navn", "By", "E-post")
    assert table_rows(store, "kunder") == [(1, *NORWEGIAN[1]), (2, *NORWEGIAN[2])]


def test_utf16_keeps_line_endings_inside_quotes(store: ProfileStore, tmp_path: Path) -> None:
    text = '\ufeffname,note,email\r\nOla,"line one\r\nline two",o@example.no\r\n'
    path = write_text(tmp_path / "u16.txt", text, "utf-16-le")

    store.import_file(path, "u16")

    assert table_rows(store, "u16") == [(1, "Ola", "line one\r\nline two", "o@example.no")]


def test_a_file_that_is_utf8_at_first_and_cp1252_later_is_read_as_cp1252(
    store: ProfileStore, tmp_path: Path
) -> None:
    filler = "".join(f"{i},plain{i}@example.no\n" for i in range(SAMPLE_BYTES // 20))
    path = tmp_path / "late.csv"
    path.write_bytes(("id,email\n" + filler).encode() + "Åse,å@example.no\n".encode("cp1252"))

    result = store.import_file(path, "late")

    assert result.source.encoding == "cp1252"
    assert table_rows(store, "late")[-1][1:] == ("Åse", "å@example.no")


def test_encoding_option_overrides_detection(store: ProfileStore, tmp_path: Path) -> None:
    # Valid UTF-8 bytes, but the user knows better: read them as Latin-1.
    path = write_text(tmp_path / "x.csv", "navn,email\nÅse,a@example.no\n", "utf-8")

    result = store.import_file(path, "x", encoding="latin-1")

    assert result.source.encoding == "iso8859-1"
    assert table_rows(store, "x") == [(1, "Ã\x85se", "a@example.no")]


@pytest.mark.parametrize(
    ("encoding", "reported"), [("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")]
)
def test_utf16_without_bom_is_recognised(
    store: ProfileStore, tmp_path: Path, encoding: str, reported: str
) -> None:
    path = write_text(tmp_path / "nobom.csv", "navn,email\nÅse,a@example.no\n", encoding)

    result = store.import_file(path, "nobom")

    assert table_rows(store, "nobom") == [(1, "Åse", "a@example.no")]
    assert result.source.encoding == reported


def test_unknown_encoding_name_is_a_usage_error(store: ProfileStore, tmp_path: Path) -> None:
    path = write_text(tmp_path / "x.csv", "a,email\n1,a@example.no\n")

    with pytest.raises(UsageError, match="Unknown encoding 'klingon'"):
        store.import_file(path, "x", encoding="klingon")


def test_wrong_encoding_option_is_refused_and_changes_nothing(
    store: ProfileStore, tmp_path: Path
) -> None:
    good = write_text(tmp_path / "good.csv", "a,email\n1,a@example.no\n")
    store.import_file(good, "x")
    before = snapshot(store)
    cp1252 = write_text(tmp_path / "cp.csv", "navn,email\nÅse,a@example.no\n", "cp1252")

    with pytest.raises(InputFileError, match=r"(?i)cp\.csv is not valid utf-8 text.*--encoding"):
        store.import_file(cp1252, "x", encoding="utf-8")

    assert snapshot(store) == before


def test_bytes_that_are_neither_utf8_nor_cp1252_are_refused(
    store: ProfileStore, tmp_path: Path
) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"a,email\n\x81\x8d\x8f,x@example.no\n")  # undefined in Windows-1252

    with pytest.raises(InputFileError, match="neither UTF-8 nor Windows-1252"):
        store.import_file(path, "odd")

    assert store.list_sources() == []
