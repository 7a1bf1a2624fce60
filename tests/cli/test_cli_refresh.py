"""`source refresh`, `export run --refresh` and runs that cannot start, through the real
command line (subprocesses) against the local Autopilot simulator."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_cli_export import KEY, Cli, setup_export
from tests.integration.exporting import HEADER, customer_rows, expected_emails
from tests.support.autopilot_sim import AutopilotSimulator

LOCKED = "tests.support.locked_keyring.LockedKeyring"
NO_KEYRING = "keyring.backends.fail.Keyring"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture
def sim() -> Iterator[AutopilotSimulator]:
    with AutopilotSimulator(keys={KEY}, rate=100.0, burst=20, seed=5) as simulator:
        yield simulator


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def _sources(cli: Cli) -> list[dict[str, object]]:
    listed = cli.json("source", "list", "--json")
    assert isinstance(listed, list)
    return listed


def test_refresh_if_changed_then_changed_then_refused(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    setup_export(cli, sim, tmp_path, rows=30)
    data = tmp_path / "customers.csv"
    before = _sources(cli)

    same = cli("source", "refresh", "Customers", "--if-changed")

    assert same.returncode == 0, same.stderr
    assert same.stdout == ""
    assert same.stderr.startswith('Source "Customers" is unchanged: ')
    assert _sources(cli) == before

    _write(data, [HEADER, *customer_rows(35)])
    done = cli("source", "refresh", "Customers", "--if-changed")

    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        'Refreshed "Customers": 35 rows (30 before). Read as CSV (encoding utf-8, delimiter ;). '
        "Each row has 6 columns. No warnings."
    ]
    (after,) = _sources(cli)
    assert set(after) >= {"name", "path", "rows", "columns", "sha256", "imported_at"}
    assert after["rows"] == 35 and after["sha256"] != before[0]["sha256"]

    _write(data, ["CustomerId;FirstName;PrimaryEmail", "1;A;a@example.com"])
    refused = cli("source", "refresh", "Customers")

    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1
    assert refused.stderr.startswith('error: Source "Customers" was not refreshed: ')
    assert '(the export "Weekly" uses "Points")' in refused.stderr
    assert _sources(cli) == [after], "the old data stays"


def test_refresh_of_a_file_that_is_gone(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "c.csv"
    _write(data, ["Email", "a@x.no"])
    assert cli("source", "import", str(data), "--name", "C").returncode == 0
    before = _sources(cli)
    data.unlink()

    done = cli("source", "refresh", "C", "--if-changed")

    assert done.returncode == 2
    assert done.stderr.startswith(f'error: Source "C" was not refreshed: its file {data} is gone')
    assert _sources(cli) == before
    assert cli("source", "refresh", "Nope").returncode == 2


def test_export_run_refresh_sends_the_new_rows(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    setup_export(cli, sim, tmp_path, rows=40)
    first = cli.json("export", "run", "Weekly", "--refresh", "--json")
    assert isinstance(first, dict) and first["status"] == "succeeded"
    _write(tmp_path / "customers.csv", [HEADER, *customer_rows(45)])

    done = cli("export", "run", "Weekly", "--refresh", "--json")

    assert done.returncode == 0, done.stderr
    assert 'Refreshed "Customers": 45 rows (40 before)' in done.stderr
    run = json.loads(done.stdout)
    assert run["sent"] == len(expected_emails(45) - expected_emails(40))
    assert set(sim.contacts()) == expected_emails(45)


@pytest.mark.parametrize("backend", [LOCKED, NO_KEYRING], ids=["locked", "absent"])
def test_a_run_without_a_readable_key_is_a_failed_run_in_the_history(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path, backend: str
) -> None:
    setup_export(cli, sim, tmp_path, rows=10)
    requests = len(sim.requests())

    done = cli("export", "run", "Weekly", "--refresh", PYTHON_KEYRING_BACKEND=backend)

    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: ") and "keyring" in line
    (run,) = cli.json("history", "--json")  # type: ignore[misc]
    assert (run["status"], run["planned"], run["sent"], run["dry_run"]) == (
        "failed",
        0,
        0,
        False,
    )
    assert run["error"] == line.removeprefix("error: ")
    assert len(sim.requests()) == requests, "nothing was sent"
    resume = cli("run", "resume", str(run["run_id"]))
    assert resume.returncode == 2
    assert "failed before it sent anything" in resume.stderr


def test_a_refused_refresh_is_a_failed_run_and_resume_refuses_after_a_refresh(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    setup_export(cli, sim, tmp_path, rows=300)
    sim.revoke_after_upserts(KEY, 1)
    broken = cli("export", "run", "Weekly")
    assert broken.returncode == 1
    (failed,) = cli.json("history", "--json")  # type: ignore[misc]
    data = tmp_path / "customers.csv"

    _write(data, ["CustomerId;FirstName;PrimaryEmail", "1;A;a@example.com"])
    refused = cli("export", "run", "Weekly", "--refresh")

    assert refused.returncode == 2
    newest = cli.json("history", "--json")[0]  # type: ignore[index]
    assert newest["status"] == "failed" and newest["run_id"] != failed["run_id"]
    assert newest["error"] == refused.stderr.strip().removeprefix("error: ")
    assert "was not refreshed" in newest["error"]

    _write(data, [HEADER, *customer_rows(301)])
    assert cli("source", "refresh", "Customers").returncode == 0
    resume = cli("run", "resume", str(failed["run_id"]))
    assert resume.returncode == 2
    assert "changed since run" in resume.stderr
