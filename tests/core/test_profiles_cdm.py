"""Customer Insights (Common Data Model) folders: model.json, partitions, their failures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.errors import InputFileError, NotFoundError, UsageError
from app.core.profiles import ProfileStore
from app.core.profiles.cdm import read_model
from tests.support.cdm import SAMPLE, Part, Table, write_cdm
from tests.support.files import make_store, snapshot, table_rows, write_text

CONTACT = ("ContactId", "Email", "Note")


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return make_store(tmp_path / "home")


def _contacts(root: Path, *parts: Part) -> Path:
    return write_cdm(root, Table("Contact", CONTACT, parts))


def _cells(store: ProfileStore, name: str) -> list[tuple[object, ...]]:
    return [row[1:] for row in table_rows(store, name)]


def test_the_sample_export_imports_its_customers_across_partitions(store: ProfileStore) -> None:
    result = store.import_file(SAMPLE, "CI", entity="customer")

    source = result.source
    assert (source.rows, source.file_format) == (4, "cdm")
    assert source.columns[:4] == ("CustomerId", "FirstName", "LastName", "PrimaryEmail")
    assert result.summary() == (
        'Imported "CI": 4 rows. Read from the entity "Customer" of a Customer Insights folder, '
        "in 2 partition files. Each row has 9 columns. No warnings."
    )
    rows = table_rows(store, "CI")
    assert [row[0] for row in rows] == [1, 2, 3, 4]
    assert rows[0][1] == "8d2f0b6e-1c41-4f1e-9a55-0c7f3f1d2a01"  # the BOM is not in the cell
    assert rows[0][6] == "Prefers email, not phone"
    assert rows[1][6] == "Moved in 2023:\r\nnew address pending"
    assert rows[2][2] == 'Per "Pelle"'
    assert rows[3][1:6] == (
        "3e9b1c55-7a2d-4e6f-b8c9-1d0e2f3a4b04",
        "Åse",
        "Lien",
        "ase.lien@example.com",
        "Tromsø",
    )


def test_model_json_itself_imports_like_its_folder(store: ProfileStore) -> None:
    by_folder = store.import_file(SAMPLE, "A", entity="HighValueCustomers")
    by_file = store.import_file(SAMPLE / "model.json", "B", entity="HighValueCustomers")

    assert _cells(store, "A") == _cells(store, "B")
    assert by_folder.source.sha256 == by_file.source.sha256
    assert by_file.source.columns == ("CustomerId", "PrimaryEmail")


def test_several_entities_need_entity_and_an_unknown_one_is_named(store: ProfileStore) -> None:
    with pytest.raises(UsageError, match=r"describes 2 entities: Customer, HighValueCustomers\. "):
        store.import_file(SAMPLE, "CI")
    with pytest.raises(NotFoundError, match=r'no entity "Contacts"; its entities are: Customer, '):
        store.import_file(SAMPLE, "CI", entity="Contacts")
    assert store.list_sources() == []


def test_the_only_entity_needs_no_name(store: ProfileStore, tmp_path: Path) -> None:
    root = _contacts(tmp_path / "ci", Part("Contact/p1.csv", "1,a@x.no,hi\n"))

    assert store.import_file(root, "C").source.rows == 1


def test_locations_are_percent_decoded_and_lose_their_query(
    store: ProfileStore, tmp_path: Path
) -> None:
    root = _contacts(
        tmp_path / "ci",
        Part(
            "Contact/Snapshot/Contact 1 (æ).csv",
            "1,a@x.no,first\n",
            location="https://lake.dfs.core.windows.net/c/Folder/Contact/Snapshot/"
            "Contact%201%20%28%C3%A6%29.csv?snapshot=2024-01-01T00:00:00Z",
        ),
        Part("Contact/two.csv", "2,b@x.no,second\n", location="Contact/two.csv"),
    )

    store.import_file(root, "C")

    assert _cells(store, "C") == [("1", "a@x.no", "first"), ("2", "b@x.no", "second")]


def test_the_longest_ending_of_the_url_wins(store: ProfileStore, tmp_path: Path) -> None:
    root = _contacts(tmp_path / "ci", Part("Contact/2024/p.csv", "1,deep@x.no,right\n"))
    write_text(root / "p.csv", "9,shallow@x.no,wrong\n")

    store.import_file(root, "C")

    assert _cells(store, "C") == [("1", "deep@x.no", "right")]


def test_a_missing_partition_names_it_and_keeps_the_old_source(
    store: ProfileStore, tmp_path: Path
) -> None:
    root = _contacts(tmp_path / "ci", Part("Contact/p1.csv", "1,a@x.no,hi\n"))
    store.import_file(root, "C")
    before = snapshot(store)
    _contacts(
        tmp_path / "ci",
        Part("Contact/p1.csv", "1,a@x.no,hi\n"),
        Part(None, "", location="https://lake/c/x/Contact/p2.csv"),
    )

    with pytest.raises(
        InputFileError, match=r'Partition "Contact_2" of entity "Contact" .*missing'
    ):
        store.import_file(root, "C")

    assert snapshot(store) == before


@pytest.mark.parametrize("location", ["../outside.csv", "Contact/../../outside.csv", "ABSOLUTE"])
def test_a_partition_outside_the_folder_is_refused(
    store: ProfileStore, tmp_path: Path, location: str
) -> None:
    outside = write_text(tmp_path / "outside.csv", "1,secret@x.no,never read\n")
    location = str(outside) if location == "ABSOLUTE" else location
    root = _contacts(tmp_path / "ci", Part(None, "", location=location))

    with pytest.raises(InputFileError, match=r'"Contact_1" of entity "Contact" .*points outside'):
        store.import_file(root, "C")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_link_out_of_the_folder_is_refused(store: ProfileStore, tmp_path: Path) -> None:
    outside = write_text(tmp_path / "outside.csv", "1,secret@x.no,never read\n")
    root = _contacts(tmp_path / "ci", Part(None, "", location=lake_like("Contact/p.csv")))
    (root / "Contact").mkdir()
    (root / "Contact" / "p.csv").symlink_to(outside)

    with pytest.raises(InputFileError, match="leads outside the export folder"):
        store.import_file(root, "C")


def lake_like(path: str) -> str:
    return f"https://lake.dfs.core.windows.net/c/export/{path}"


def test_an_entity_without_partitions_is_an_error(store: ProfileStore, tmp_path: Path) -> None:
    root = _contacts(tmp_path / "ci")

    with pytest.raises(InputFileError, match=r'Entity "Contact" .* lists no partitions'):
        store.import_file(root, "C")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ("1,a@x.no,hi\n2,b@x.no,hi,extra\n", r"1 row has more cells than the 3 columns .*row 2"),
        ("1,a@x.no,hi\n2,b@x.no\n3,c@x.no\n", r"2 rows have fewer cells than the 3 columns"),
        ("1,a@x.no,hi\n2,b@x.no,hi,\n", r"1 row has more cells"),
    ],
)
def test_a_partition_of_another_shape_is_an_error_naming_it(
    store: ProfileStore, tmp_path: Path, data: str, problem: str
) -> None:
    root = _contacts(
        tmp_path / "ci", Part("Contact/a.csv", "0,z@x.no,ok\n"), Part("Contact/b.csv", data)
    )

    with pytest.raises(InputFileError, match=problem) as failure:
        store.import_file(root, "C")

    assert "b.csv" in str(failure.value)
    assert store.list_sources() == []
    assert snapshot(store).tables == {}


def test_file_format_settings_are_honoured(store: ProfileStore, tmp_path: Path) -> None:
    settings = {"columnHeaders": True, "delimiter": ";", "quoteStyle": "QuoteStyle.None"}
    root = _contacts(
        tmp_path / "ci",
        Part("Contact/a.csv", 'Id;Mail;Text\n1;a@x.no;say "hi", twice\n', settings=settings),
        Part("Contact/b.csv", "2|b@x.no|plain\n", settings={"delimiter": "|"}),
    )

    result = store.import_file(root, "C")

    assert _cells(store, "C") == [("1", "a@x.no", 'say "hi", twice'), ("2", "b@x.no", "plain")]
    assert result.source.columns == CONTACT


def test_encodings_are_read_as_for_any_csv(store: ProfileStore, tmp_path: Path) -> None:
    root = _contacts(
        tmp_path / "ci",
        Part(
            "Contact/utf16.csv",
            "1,å@x.no,Tromsø\n".encode("utf-16"),
            settings={"encoding": "UTF-16"},
        ),
        Part("Contact/bom.csv", "\ufeff2,b@x.no,Ærlig\n".encode()),
        Part("Contact/cp1252.csv", "3,c@x.no,Bodø\n".encode("cp1252")),
    )

    result = store.import_file(root, "C")

    assert [row[2] for row in _cells(store, "C")] == ["Tromsø", "Ærlig", "Bodø"]
    assert result.source.encoding == "utf-16, utf-8-sig, cp1252"


def test_an_unknown_encoding_in_model_json_names_the_partition(
    store: ProfileStore, tmp_path: Path
) -> None:
    root = _contacts(
        tmp_path / "ci", Part("Contact/a.csv", "1,a@x.no,x\n", settings={"encoding": "EBCDIC-XX"})
    )

    with pytest.raises(InputFileError, match=r'"Contact_1" .*"EBCDIC-XX", which is not a known'):
        store.import_file(root, "C")


def test_empty_partitions_add_no_rows_but_an_empty_entity_is_an_error(
    store: ProfileStore, tmp_path: Path
) -> None:
    root = _contacts(
        tmp_path / "ci", Part("Contact/a.csv", b""), Part("Contact/b.csv", "1,a@x.no,x\n")
    )
    assert store.import_file(root, "C").source.rows == 1

    empty = _contacts(tmp_path / "empty", Part("Contact/a.csv", b""), Part("Contact/b.csv", b""))
    with pytest.raises(InputFileError, match=r"has no rows in its 2 partition files"):
        store.import_file(empty, "E")


def test_a_changed_partition_changes_the_digest(store: ProfileStore, tmp_path: Path) -> None:
    root = _contacts(tmp_path / "ci", Part("Contact/a.csv", "1,a@x.no,x\n"))
    first = store.import_file(root, "C").source.sha256
    write_text(root / "Contact" / "a.csv", "1,a@x.no,y\n")

    assert store.import_file(root, "C").source.sha256 != first


def test_options_that_do_not_apply_are_refused(store: ProfileStore, tmp_path: Path) -> None:
    csv_file = write_text(tmp_path / "plain.csv", "Email\na@x.no\n")
    with pytest.raises(UsageError, match="is not a Customer Insights folder"):
        store.import_file(csv_file, "P", entity="Contact")
    with pytest.raises(UsageError, match="--delimiter does not apply"):
        store.import_file(SAMPLE, "P", entity="Customer", delimiter=";")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "is a folder without a model.json"),
        ("{not json", r"is not valid JSON \(line 1"),
        ('{"name": "x"}', "has no list of entities"),
        ('{"entities": [{"name": "E", "attributes": []}]}', 'Entity "E" .* has no attributes'),
    ],
)
def test_bad_folders_say_what_is_wrong(
    store: ProfileStore, tmp_path: Path, content: str | None, problem: str
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    if content is not None:
        write_text(folder / "model.json", content)

    with pytest.raises(InputFileError, match=problem):
        store.import_file(folder, "X")


def test_reference_entities_are_listed_apart(tmp_path: Path) -> None:
    root = _contacts(tmp_path / "ci", Part("Contact/a.csv", "1,a@x.no,x\n"))
    text = (root / "model.json").read_text(encoding="utf-8")
    text = text.replace(
        '"entities": [',
        '"entities": [{"$type": "ReferenceEntity", "name": "Account", "source": "s", '
        '"modelId": "m"}, ',
    )
    write_text(root / "model.json", text)

    model = read_model(root)

    assert [entity.name for entity in model.usable()] == ["Contact"]
    assert model.entity(None).name == "Contact"
    with pytest.raises(UsageError, match="refers to another model"):
        model.entity("account")
