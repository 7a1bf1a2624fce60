"""Customer data on disk is this user's alone, whatever the umask (POSIX).

After a real run through the command line with the usual umask 022, every folder the program
made is 0700 and every file in them 0600: the state store and its WAL, the profiles, the log, a
dry run's payloads. Folders and files an earlier version left readable are tightened at the next
start. A file the user asked for (the rejected-rows CSV) keeps the user's umask.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_cli_export import KEY, Cli, setup_export
from tests.support.autopilot_sim import AutopilotSimulator

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def modes(root: Path) -> dict[str, int]:
    """Every path under the program's folders, relative, with its permission bits."""
    found = {}
    for folder in ("data", "logs", "config"):
        base = root / folder
        for path in [base, *base.rglob("*")]:
            found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def wider_than_private(root: Path) -> dict[str, str]:
    return {
        name: oct(mode)
        for name, mode in modes(root).items()
        if mode != (0o700 if (root / name).is_dir() else 0o600)
    }


def test_after_a_real_run_everything_the_program_wrote_is_private(
    cli: Cli, tmp_path: Path, usual_umask: None
) -> None:
    with AutopilotSimulator(keys={KEY}, rate=100.0, burst=20, seed=5) as sim:
        setup_export(cli, sim, tmp_path, rows=150)
        run = cli.json("export", "run", "Weekly", "--json")
        assert cli("export", "run", "Weekly", "--all", "--dry-run").returncode == 0
    report = tmp_path / "rejected.csv"
    assert cli("run", "rejected", str(run["run_id"]), "--output", str(report)).returncode == 0

    written = modes(cli.home)
    assert any(name.endswith("state.sqlite3") for name in written)
    assert any(name.endswith("profiles.duckdb") for name in written)
    assert any(name.endswith(".log") for name in written)
    assert any("dry-run-" in name for name in written)
    assert wider_than_private(cli.home) == {}
    assert stat.S_IMODE(report.stat().st_mode) == 0o644, "the user's own file keeps the umask"


def test_folders_and_files_left_readable_are_tightened_at_the_next_start(
    cli: Cli, usual_umask: None
) -> None:
    assert cli("source", "list").returncode == 0
    data = cli.home / "data"
    state = data / "state.sqlite3"
    old_report = data / "reports" / "dry-run-1.jsonl"
    old_report.write_text("{}\n", encoding="utf-8")
    for path, mode in ((data, 0o755), (data / "reports", 0o755), (state, 0o644)):
        path.chmod(mode)
    old_report.chmod(0o644)

    assert cli("source", "list").returncode == 0
    assert wider_than_private(cli.home) == {}
