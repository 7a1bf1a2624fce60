"""`export schedule` through the real command line: set, show, off, and a removed export's
schedule going with it. The crontab is the file one from tests/conftest.py, or the real crontab
in a throwaway spool."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_cli_export import KEY, Cli, setup_export
from tests.support.autopilot_sim import AutopilotSimulator
from tests.support.schedulers import real_crontab


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture
def sim() -> Iterator[AutopilotSimulator]:
    with AutopilotSimulator(keys={KEY}, rate=100.0, burst=20, seed=5) as simulator:
        yield simulator


ADD = ("export", "add", "Weekly", "--connection", "Sim", "--segment", "Everyone", "--map",
       "Email=PrimaryEmail")  # fmt: skip


def show(cli: Cli) -> dict[str, str]:
    done = cli("export", "schedule", "Weekly", "--show")
    assert done.returncode == 0, done.stderr
    return {line[:10].strip(): line[11:] for line in done.stdout.splitlines()}


def round_trip(cli: Cli, table: Path | None) -> None:
    done = cli("export", "schedule", "weekly", "--daily", "07:30")
    assert done.returncode == 0, done.stderr
    assert "every day at 07:30" in done.stderr and "--refresh" not in done.stderr
    shown = show(cli)
    assert shown["export"] == "Weekly"
    assert shown["schedule"] == "every day at 07:30"
    assert shown["next run"][11:16] == "07:30" and shown["scheduler"] == "crontab"
    if table is not None:
        entry = [line for line in table.read_text().splitlines() if not line.startswith("#")]
        assert len(entry) == 1 and entry[0].startswith("30 7 * * * AUTOPILOT_EXPORTER_HOME=")
        assert entry[0].split(" # ")[0].endswith(" export run Weekly --refresh")

    done = cli("export", "schedule", "Weekly", "--weekly", "MON", "6:05")
    assert done.returncode == 0, done.stderr
    assert show(cli)["schedule"] == "every Monday at 06:05"

    done = cli("export", "schedule", "Weekly", "--off")
    assert done.returncode == 0 and "removed" in done.stderr
    shown = show(cli)
    assert shown["schedule"] == "none" and "next run" not in shown
    again = cli("export", "schedule", "Weekly", "--off")
    assert again.returncode == 0 and "had no schedule" in again.stderr


def test_daily_show_off_round_trip(cli: Cli, sim: AutopilotSimulator, tmp_path: Path) -> None:
    setup_export(cli, sim, tmp_path, rows=5)
    round_trip(cli, tmp_path / "crontab")


def test_round_trip_with_the_real_crontab(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    crontab = real_crontab(tmp_path / "spool")
    cli.env["AUTOPILOT_EXPORTER_CRONTAB"] = shlex.join(crontab)
    setup_export(cli, sim, tmp_path, rows=5)
    round_trip(cli, None)
    assert not (tmp_path / "crontab").exists()  # the file crontab was not used


def test_bad_input_is_one_line_and_exit_2(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    setup_export(cli, sim, tmp_path, rows=5)
    cases = [
        (("Weekly", "--weekly", "funday", "07:30"), "not a day of the week"),
        (("Weekly", "--daily", "25:00"), "HH:MM"),
        (("Nope", "--daily", "07:30"), "No export named 'Nope'"),
        (("Nope", "--off"), "No export named 'Nope'"),
        (("Weekly",), "one of the arguments"),
        (("Weekly", "--daily", "07:30", "--off"), "not allowed with"),
    ]
    for args, words in cases:
        done = cli("export", "schedule", *args)
        assert done.returncode == 2, (args, done.stderr)
        assert words in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "crontab").exists()


def test_replace_keeps_it_and_remove_and_erase_take_it(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    setup_export(cli, sim, tmp_path, rows=5)
    assert cli("export", "schedule", "Weekly", "--weekly", "fri", "16:00").returncode == 0
    replaced = cli(*ADD, "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert show(cli)["schedule"] == "every Friday at 16:00"

    removed = cli("export", "remove", "Weekly")
    assert removed.returncode == 0 and "schedule of export 'Weekly' was removed" in removed.stderr
    assert "autopilot-exporter:" not in (tmp_path / "crontab").read_text()

    assert cli(*ADD).returncode == 0
    assert cli("export", "schedule", "Weekly", "--daily", "05:00").returncode == 0
    erased = cli("erase-all", "--yes")
    assert erased.returncode == 0 and "was removed too" in erased.stderr
    assert "autopilot-exporter:" not in (tmp_path / "crontab").read_text()
