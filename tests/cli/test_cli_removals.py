"""Removing who left through the real command line (subprocesses), against the local Autopilot
test server: `export add --remove-departed`, the mass-removal guard and `--allow-mass-removal`,
the removed count in the run, the history and the finished line, and kill -9 while removing."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cli.test_cli_export import KEY, Cli, setup_export
from tests.integration.exporting import HEADER, customer_rows
from tests.support.autopilot_sim import AutopilotSimulator


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture
def sim() -> Iterator[AutopilotSimulator]:
    with AutopilotSimulator(keys={KEY}, rate=100.0, burst=20, seed=5) as simulator:
        yield simulator


def valid_emails(lines: list[str]) -> set[str]:
    return {line.split(";")[3].lower() for line in lines if "@" in line.split(";")[3]}


def removing_export(cli: Cli, sim: AutopilotSimulator, tmp_path: Path, rows: int) -> None:
    setup_export(cli, sim, tmp_path, rows=rows)
    done = cli(
        "export",
        "add",
        "Weekly",
        "--connection",
        "Sim",
        "--segment",
        "Everyone",
        "--map",
        "Email=PrimaryEmail",
        "--map",
        "FirstName=FirstName",
        "--map",
        "custom:integer:Loyalty Points=Points",
        "--remove-departed",
        "--replace",
    )
    assert done.returncode == 0, done.stderr
    [export] = cli.json("export", "list", "--json")  # type: ignore[misc]
    assert export["remove_departed"] is True


def leave(
    cli: Cli, tmp_path: Path, rows: int, leaves: Callable[[int], bool]
) -> tuple[set[str], set[str]]:
    """The customers ``leaves`` picks leave (not one whose duplicate row would take its place);
    the source is imported again. (stay, departed)."""
    everyone = customer_rows(rows)
    kept = [
        line
        for line in everyone
        if not (leaves(i := int(line.split(";")[0])) and (i + 1) % 101 != 0)
    ]
    data = tmp_path / "customers.csv"
    data.write_text("\n".join([HEADER, *kept]) + "\n", encoding="utf-8")
    assert cli("source", "import", str(data), "--name", "Customers").returncode == 0
    stay = valid_emails(kept)
    return stay, valid_emails(everyone) - stay


def deletes(sim: AutopilotSimulator) -> Counter[str]:
    seen: Counter[str] = Counter()
    for request in sim.requests():
        if request.method == "DELETE" and request.status in (200, 404):
            seen[request.path.rsplit("/", 1)[1].lower()] += 1
    return seen


def the_list(sim: AutopilotSimulator) -> set[str]:
    [listed] = sim.lists()
    return set(sim.list_members(listed["list_id"]))


def test_a_mass_removal_exits_2_naming_the_flag_and_the_flag_lets_it_proceed(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    removing_export(cli, sim, tmp_path, rows=300)
    first = cli.json("export", "run", "Weekly", "--json")
    assert first["removed"] == 0  # type: ignore[index]
    stay, departed = leave(cli, tmp_path, 300, lambda i: i % 3 != 0)
    before = len(sim.requests())

    refused = cli("export", "run", "Weekly", "--json")
    assert refused.returncode == 2 and refused.stdout == ""
    [line] = refused.stderr.strip().splitlines()[-1:]
    assert "--allow-mass-removal" in line and "'Everyone'" in line
    assert "Nothing was sent or removed" in line
    assert len(sim.requests()) == before, "no request at all"
    assert len(cli.json("history", "--json")) == 1  # type: ignore[arg-type]

    allowed = cli("export", "run", "Weekly", "--allow-mass-removal", "--json")
    assert allowed.returncode == 0, allowed.stderr
    run = json.loads(allowed.stdout)
    assert run["status"] == "succeeded" and run["removed"] == len(departed)
    assert f"{len(departed):,} removed" in allowed.stderr
    assert the_list(sim) == stay and deletes(sim) == Counter(dict.fromkeys(departed, 1))
    assert set(sim.contacts()) >= departed, "contacts are never deleted"
    history = cli.json("history", "--json")
    assert [h["removed"] for h in history] == [len(departed), 0]  # type: ignore[union-attr]
    assert "REMOVED" in cli("history").stdout


def test_kill_9_while_removing_then_resume_repeats_no_recorded_removal(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    seed = int(os.environ.get("KILL_SEED", random.randrange(1_000_000)))
    print(f"kill seed: {seed} (rerun with KILL_SEED={seed})")
    rows = 600
    removing_export(cli, sim, tmp_path, rows=rows)
    assert cli("export", "run", "Weekly").returncode == 0
    stay, departed = leave(cli, tmp_path, rows, lambda i: i % 3 == 0)
    contacts = sim.contacts()
    before = len(sim.requests())
    kill_after = random.Random(seed).randint(5, 120)
    process = cli.start("export", "run", "Weekly", "--json")
    try:  # the list lookup, then DELETEs
        assert sim.wait_for_requests(before + 1 + kill_after, timeout=60), "never got going"
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    history = cli.json("history", "--json")
    assert history[0]["status"] == "interrupted"  # type: ignore[index]
    run_id = history[0]["run_id"]  # type: ignore[index]
    with sqlite3.connect(cli.home / "data" / "state.sqlite3") as db:
        recorded = {
            email
            for (email,) in db.execute(
                "SELECT email FROM run_rows WHERE run_id = ? AND state = 'removed'", (run_id,)
            )
        }
    assert recorded <= departed and len(recorded) < len(departed), "killed while removing"

    resumed = cli.json("run", "resume", str(run_id), "--json")
    assert resumed["run_id"] == run_id and resumed["status"] == "succeeded"  # type: ignore[index]
    assert resumed["removed"] == len(departed)  # type: ignore[index]
    counts = (
        resumed["sent"]  # type: ignore[index]
        + resumed["rejected"]  # type: ignore[index]
        + resumed["invalid"]  # type: ignore[index]
        + resumed["duplicates"]  # type: ignore[index]
        + resumed["unchanged"]  # type: ignore[index]
        + resumed["not_sent"]  # type: ignore[index]
    )
    assert resumed["planned"] == counts and resumed["not_sent"] == 0  # type: ignore[index]
    removals = deletes(sim)
    for email in recorded:
        assert removals[email] == 1, email
    assert set(removals) == departed
    assert the_list(sim) == stay
    assert sim.contacts() == contacts, "no contact deleted or changed"
    again = cli.json("export", "run", "Weekly", "--json")
    assert again["removed"] == 0 and deletes(sim) == removals  # type: ignore[index]
