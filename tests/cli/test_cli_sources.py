"""`source import | list | remove` through the real command line, in a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.store import StateStore
from tests.support.cdm import SAMPLE, Part, Table, write_cdm
from tests.support.files import sniffer_breaker, write_text, write_xlsx

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, AUTOPILOT_EXPORTER_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "app", "source", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_import_prints_the_summary_and_warnings_on_stderr(home: Path, tmp_path: Path) -> None:
    path = write_text(tmp_path / "eksport.csv", sniffer_breaker())

    done = run(home, "import", str(path), "--name", "Kunder")

    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        'Imported "Kunder": 3 rows. Read as CSV (encoding utf-8-sig, delimiter ;). '
        "Each row has 4 columns. 1 warning.",
        "warning: 1 row has fewer cells than the header and was padded with empty cells: row 2.",
    ]


def test_list_json_shape(home: Path, tmp_path: Path) -> None:
    path = write_text(tmp_path / "a.tsv", "Email\tName\na@x.no\tOla\n")
    assert run(home, "import", str(path), "--name", "A", "--delimiter", "tab").returncode == 0

    done = run(home, "list", "--json")

    assert done.returncode == 0, done.stderr
    (item,) = json.loads(done.stdout)
    assert set(item) == {
        "name",
        "path",
        "rows",
        "columns",
        "sha256",
        "imported_at",
        "format",
        "encoding",
        "delimiter",
    }
    assert item["name"] == "A"
    assert item["path"] == str(path)
    assert item["rows"] == 1
    assert item["columns"] == ["Email", "Name"]
    assert re.fullmatch(r"[0-9a-f]{64}", item["sha256"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item["imported_at"])
    assert (item["format"], item["encoding"], item["delimiter"]) == ("csv", "utf-8", "\t")


def test_list_table_and_empty_list(home: Path, tmp_path: Path) -> None:
    assert run(home, "list").stderr.strip() == "(none)"
    path = write_xlsx(tmp_path / "b.xlsx", {"Ark1": [["x"]], "Leads": [["email"], ["a@x.no"]]})
    imported = run(home, "import", str(path), "--name", "Leads", "--sheet", "Leads")
    assert imported.returncode == 0, imported.stderr

    done = run(home, "list")

    header, row = done.stdout.splitlines()
    assert header.split() == ["NAME", "ROWS", "COLUMNS", "FORMAT", "IMPORTED", "PATH"]
    assert row.split()[:4] == ["Leads", "1", "1", "excel"]
    assert row.endswith(str(path))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "{tmp}/missing.csv", "--name", "x"], "missing.csv: no such file"),
        (["import", "{tmp}/head.csv", "--name", "x"], "has a header but no data rows"),
        (["import", "{tmp}/head.csv", "--name", "x", "--delimiter", ":"], "--delimiter ':'"),
        (["remove", "nope"], 'No source named "nope"'),
    ],
)
def test_failures_exit_2_with_one_line(
    home: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    write_text(tmp_path / "head.csv", "email,name\n")

    done = run(home, *(arg.format(tmp=tmp_path) for arg in args))

    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: ") and message in line


def test_reimport_replaces_and_remove_names_segments(home: Path, tmp_path: Path) -> None:
    first = write_text(tmp_path / "v1.csv", "email\na@x.no\n")
    second = write_text(tmp_path / "v2.csv", "email\nb@x.no\nc@x.no\n")
    assert run(home, "import", str(first), "--name", "C").returncode == 0
    assert run(home, "import", str(second), "--name", "C").returncode == 0
    (item,) = json.loads(run(home, "list", "--json").stdout)
    assert (item["rows"], item["path"]) == (2, str(second))
    state = StateStore(home / "data" / "state.sqlite3")
    with state.transaction() as db:
        db.execute(
            "INSERT INTO segments (name, source_id, match, rules, created_at, updated_at) "
            "SELECT 'Oslo', id, 'all', '[]', 'x', 'x' FROM sources WHERE name = 'C'"
        )

    refused = run(home, "remove", "C")

    assert refused.returncode == 2
    assert (
        refused.stderr
        == 'error: Source "C" is used by the segment "Oslo"; remove or change it first.\n'
    )
    with state.transaction() as db:
        db.execute("DELETE FROM segments")
    removed = run(home, "remove", "c")
    assert removed.returncode == 0, removed.stderr
    assert removed.stderr == 'Removed source "C" (2 rows).\n'
    assert json.loads(run(home, "list", "--json").stdout) == []


def test_a_customer_insights_folder_imports_the_entity_asked_for(
    home: Path, tmp_path: Path
) -> None:
    several = run(home, "import", str(SAMPLE), "--name", "CI")
    assert several.returncode == 2
    assert several.stderr == (
        f"error: {SAMPLE / 'model.json'} describes 2 entities: Customer, HighValueCustomers. "
        "Choose one with --entity NAME.\n"
    )

    done = run(home, "import", str(SAMPLE), "--name", "CI", "--entity", "CUSTOMER")

    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        'Imported "CI": 4 rows. Read from the entity "Customer" of a Customer Insights folder, '
        "in 2 partition files. Each row has 9 columns. No warnings."
    ]
    (item,) = json.loads(run(home, "list", "--json").stdout)
    assert set(item) == {
        "name",
        "path",
        "rows",
        "columns",
        "sha256",
        "imported_at",
        "format",
        "encoding",
        "delimiter",
    }
    assert (item["path"], item["format"], item["rows"]) == (str(SAMPLE), "cdm", 4)
    assert item["columns"][3] == "PrimaryEmail"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{sample}", "--entity", "Kunde"], 'has no entity "Kunde"; its entities are: Customer,'),
        (["{tmp}/plain.csv", "--entity", "Customer"], "plain.csv is not a Customer Insights"),
        (["{tmp}/ci"], 'Partition "Contact_1" of entity "Contact"'),
        (["{tmp}/ci/model.json"], "is missing from the folder"),
        (["{tmp}"], "is a folder without a model.json"),
    ],
)
def test_folder_failures_exit_2_with_one_line(
    home: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    write_text(tmp_path / "plain.csv", "email\na@x.no\n")
    write_cdm(tmp_path / "ci", Table("Contact", ["Email"], [Part(None, "")]))

    done = run(
        home, "import", *(a.format(tmp=tmp_path, sample=SAMPLE) for a in args), "--name", "x"
    )

    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: ") and message in line
