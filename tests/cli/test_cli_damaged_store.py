"""A damaged state store is named as damage, never taken for a fresh install, and can be restored.

Backups are taken by the program itself (SQLite's online backup at start, at most daily, and
before migrations); these tests damage the real file the way disks and crashes do (emptied,
overwritten, a page scribbled on) and go through the real command line.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_cli_export import Cli

HEADER = "Id;FirstName;PrimaryEmail\n"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def with_a_segment(cli: Cli, tmp_path: Path) -> Path:
    data = tmp_path / "people.csv"
    data.write_text(HEADER + "1;Kari;kari@example.no\n2;Ola;ola@example.no\n", encoding="utf-8")
    assert cli("source", "import", str(data), "--name", "People").returncode == 0
    assert cli("segment", "add", "Everyone", "--source", "People").returncode == 0
    return cli.home / "data" / "state.sqlite3"


def segments(cli: Cli) -> list[str]:
    return [s["name"] for s in cli.json("segment", "list", "--json")]  # type: ignore[index]


def backups(cli: Cli) -> list[Path]:
    return sorted((cli.home / "data" / "backups").glob("state-*.sqlite3"))


def scribble_on_a_page(state: Path) -> None:
    """Overwrite the second page of the file (a table's b-tree) with garbage."""
    db = sqlite3.connect(state)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    with state.open("r+b") as handle:
        handle.seek(page)
        handle.write(b"\xa5" * page)


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda state: state.write_bytes(b""), "The file is empty."),
        (lambda state: state.write_bytes(b"PK\x03\x04" + b"\0" * 4000), "not a SQLite database"),
        (scribble_on_a_page, "malformed"),
    ],
    ids=["emptied", "overwritten", "page-scribbled"],
)
def test_damage_is_named_and_the_newest_good_backup_restores_the_data(
    cli: Cli, tmp_path: Path, damage: object, said: str
) -> None:
    state = with_a_segment(cli, tmp_path)
    assert len(backups(cli)) == 1  # the second start took the day's backup, before the segment
    backups(cli)[0].unlink()
    assert segments(cli) == ["Everyone"]  # so this start takes one again, with the segment
    assert len(backups(cli)) == 1

    damage(state)  # type: ignore[operator]
    refused = cli("segment", "list")
    assert refused.returncode == 2
    [line] = refused.stderr.strip().splitlines()
    assert "damaged" in line and said in line and "restore-state" in line
    assert "Unexpected" not in line and "Traceback" not in refused.stderr
    assert state.read_bytes()[:6] != b"SQLite" or said == "malformed", "left as it was"

    restored = cli("restore-state")
    assert restored.returncode == 0, restored.stderr
    assert "damaged store is kept" in restored.stderr
    assert segments(cli) == ["Everyone"]
    assert list(state.parent.glob("state.sqlite3.damaged-*")), "the damaged file was kept"


def test_an_empty_state_file_is_never_a_fresh_start_even_without_a_backup(cli: Cli) -> None:
    state = cli.home / "data" / "state.sqlite3"
    state.parent.mkdir(parents=True)
    state.write_bytes(b"")
    refused = cli("connection", "list")
    assert refused.returncode == 2 and "No good backup" in refused.stderr
    assert state.read_bytes() == b"", "nothing was written over it"
    assert cli("restore-state").returncode == 2


def test_restore_state_leaves_a_sound_store_alone(cli: Cli, tmp_path: Path) -> None:
    with_a_segment(cli, tmp_path)
    refused = cli("restore-state")
    assert refused.returncode == 2 and "is sound" in refused.stderr
    listed = cli("restore-state", "--list")
    assert listed.returncode == 0 and "good" in listed.stdout


def scribble_on_blocks(profiles: Path) -> None:
    """Garbage over every other block of DuckDB's file after its headers."""
    size = profiles.stat().st_size
    with profiles.open("r+b") as handle:
        for position in range(12288 + 4096, size - 64, 8192):
            handle.seek(position)
            handle.write(b"\xa5" * 64)


def test_damaged_profile_data_is_named_and_rebuilt_from_the_files(cli: Cli, tmp_path: Path) -> None:
    kept = tmp_path / "kept.csv"
    kept.write_text(HEADER + "".join(f"{i};P{i};p{i}@example.no\n" for i in range(3000)), "utf-8")
    gone = tmp_path / "gone.csv"
    gone.write_text(HEADER + "1;Kari;kari@example.no\n", encoding="utf-8")
    for path, name in ((kept, "Kept"), (gone, "Gone")):
        assert cli("source", "import", str(path), "--name", name).returncode == 0
    assert cli("segment", "add", "Everyone", "--source", "Kept").returncode == 0
    scribble_on_blocks(cli.home / "data" / "profiles.duckdb")
    gone.unlink()

    counted = cli("segment", "list")
    assert "damaged" in counted.stderr and "rebuild-profiles" in counted.stderr
    assert "Unexpected" not in counted.stderr

    rebuilt = cli("rebuild-profiles")
    assert rebuilt.returncode == 1, "one source could not be rebuilt"
    [line] = rebuilt.stderr.strip().splitlines()
    assert "1 source imported again" in line and '"Gone"' in line
    [segment] = cli.json("segment", "list", "--json")  # type: ignore[misc]
    assert segment["members"] == 3000
    assert list((cli.home / "data").glob("profiles.duckdb.damaged-*")), "kept for a specialist"
