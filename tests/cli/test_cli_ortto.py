"""The command line with an Ortto connection, against the local Ortto test server.

The contract of DESIGN.md section 4 (`--service ortto`, `--create-fields`, `service` in the
JSON, tags instead of lists), through real processes as a user or a script runs them.
"""

from __future__ import annotations

import csv
import os
import random
import signal
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_cli_export import Cli, valid_batches
from tests.integration.exporting import HEADER, customer_rows, expected_emails
from tests.support.ortto_sim import OrttoSimulator

KEY = "ortto-cli-6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d"
LOYALTY = "Loyalty Points"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture
def ortto() -> Iterator[OrttoSimulator]:
    with OrttoSimulator(
        keys={KEY}, rate=200.0, burst=40, seed=9, custom_fields={LOYALTY: "integer"}
    ) as simulator:
        yield simulator


def setup_ortto_export(
    cli: Cli,
    sim: OrttoSimulator,
    tmp_path: Path,
    rows: int,
    *,
    rate: str = "100",
    create_fields: bool = False,
) -> None:
    data = tmp_path / "customers.csv"
    data.write_text("\n".join([HEADER, *customer_rows(rows)]) + "\n", encoding="utf-8")
    add_export = [
        "export",
        "add",
        "Weekly",
        "--connection",
        "Ortto",
        "--segment",
        "Everyone",
        "--map",
        "Email=PrimaryEmail",
        "--map",
        "FirstName=FirstName",
        "--map",
        f"custom:integer:{LOYALTY}=Points",
    ]
    if create_fields:
        add_export.append("--create-fields")
    steps: list[tuple[tuple[str, ...], str | None]] = [
        (
            (
                "connection",
                "add",
                "Ortto",
                "--service",
                "ortto",
                "--api-key-stdin",
                "--accept-privacy-notice",
                "--base-url",
                sim.base_url,
                "--rate-limit",
                rate,
            ),
            KEY + "\n",
        ),
        (("source", "import", str(data), "--name", "Customers"), None),
        (("segment", "add", "Everyone", "--source", "Customers"), None),
        (tuple(add_export), None),
    ]
    for args, stdin in steps:
        done = cli(*args, stdin=stdin)
        assert done.returncode == 0, (args, done.stderr)


def merged(sim: OrttoSimulator) -> Counter[str]:
    counts: Counter[str] = Counter()
    for request in sim.requests("/person/merge"):
        if request.body:
            counts.update(p["fields"]["str::email"].lower() for p in request.body["people"])
    return counts


def test_a_full_run_tags_everyone_and_says_so_in_the_json(
    cli: Cli, ortto: OrttoSimulator, tmp_path: Path
) -> None:
    setup_ortto_export(cli, ortto, tmp_path, rows=450)
    [connection] = cli.json("connection", "list", "--json")  # type: ignore[misc]
    assert connection["service"] == "ortto"
    assert "region" in connection
    run = cli.json("export", "run", "Weekly", "--json")
    assert isinstance(run, dict)
    expected = expected_emails(450)
    assert run["status"] == "succeeded" and run["service"] == "ortto"
    assert run["lists"] == {"Everyone": "Everyone"}
    assert run["sent"] == len(expected)
    assert ortto.tagged("Everyone") == expected == set(ortto.people())
    assert "Everyone" in cli.outputs[-1], "the finished run says how to use the tag"
    # Sent in the X-Api-Key header and nowhere in the data folder or the output.
    for path in cli.home.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert not any(KEY in text for text in cli.outputs)


def test_a_missing_custom_field_needs_the_users_yes(cli: Cli, tmp_path: Path) -> None:
    with OrttoSimulator(keys={KEY}, rate=200.0, burst=40, seed=9) as sim:
        setup_ortto_export(cli, sim, tmp_path, rows=120)
        refused = cli("export", "run", "Weekly")
        assert refused.returncode == 2, refused.stderr
        assert LOYALTY in refused.stderr and "--create-fields" in refused.stderr
        errors = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and errors[0] == refused.stderr.strip().splitlines()[-1]
        assert sim.requests("/person/merge") == [] and sim.custom_fields() == {}

        dry = cli("export", "run", "Weekly", "--dry-run", "--output", str(tmp_path / "d.jsonl"))
        assert dry.returncode == 0 and sim.custom_fields() == {}

        again = cli(
            "export", "add", "Weekly", "--connection", "Ortto", "--segment", "Everyone",
            "--map", "Email=PrimaryEmail", "--map", f"custom:integer:{LOYALTY}=Points",
            "--create-fields", "--replace",
        )  # fmt: skip
        assert again.returncode == 0, again.stderr
        run = cli.json("export", "run", "Weekly", "--json")
        assert isinstance(run, dict) and run["status"] == "succeeded"
        assert [f["name"] for f in sim.custom_fields().values()] == [LOYALTY]


def test_suppressed_people_are_in_the_rejected_rows_with_ortto_s_reason(
    cli: Cli, ortto: OrttoSimulator, tmp_path: Path
) -> None:
    ortto.suppress("person7@example.com")
    setup_ortto_export(cli, ortto, tmp_path, rows=100)
    done = cli("export", "run", "Weekly", "--json")
    assert done.returncode == 0, done.stderr
    report = tmp_path / "rejected.csv"
    run_id = cli.json("history", "--json")[0]["run_id"]  # type: ignore[index]
    assert cli("run", "rejected", str(run_id), "--output", str(report)).returncode == 0
    with report.open(encoding="utf-8-sig") as handle:
        rejected = [r for r in csv.DictReader(handle) if r["state"] == "rejected"]
    assert [r["email"] for r in rejected] == ["person7@example.com"]
    assert "suppressed" in rejected[0]["reason"].lower()


def test_a_wrong_ortto_key_is_refused_and_nothing_is_saved(cli: Cli, ortto: OrttoSimulator) -> None:
    done = cli(
        "connection", "add", "Ortto", "--service", "ortto", "--api-key-stdin",
        "--accept-privacy-notice", "--base-url", ortto.base_url,
        stdin="ortto-wrong-key-000000000000\n",
    )  # fmt: skip
    assert done.returncode == 2
    assert "Ortto" in done.stderr
    assert cli.json("connection", "list", "--json") == []


def test_kill_9_then_resume_merges_no_confirmed_batch_twice(
    cli: Cli, ortto: OrttoSimulator, tmp_path: Path
) -> None:
    seed = int(os.environ.get("KILL_SEED", random.randrange(1_000_000)))
    print(f"kill seed: {seed} (rerun with KILL_SEED={seed})")
    rows = 3000
    setup_ortto_export(cli, ortto, tmp_path, rows=rows, rate="20")
    kill_after = random.Random(seed).randint(2, 20)
    process = cli.start("export", "run", "Weekly", "--json")
    try:
        assert ortto.wait_for_requests(kill_after + 2, timeout=60), "the run never got going"
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    history = cli.json("history", "--json")
    assert isinstance(history, list) and history[0]["status"] == "interrupted"
    run_id = history[0]["run_id"]
    with sqlite3.connect(cli.home / "data" / "state.sqlite3") as db:
        confirmed = {
            n for (n,) in db.execute("SELECT batch_no FROM run_batches WHERE run_id = ?", (run_id,))
        }
    before = merged(ortto)
    resumed = cli.json("run", "resume", str(run_id), "--json")
    assert isinstance(resumed, dict) and resumed["status"] == "succeeded"
    assert ortto.tagged("Everyone") == expected_emails(rows)
    after = merged(ortto)
    batches = valid_batches(rows)
    for number in confirmed:
        for email in batches[number]:
            assert after[email] == before[email] == 1, (number, email)
    assert resumed["planned"] == (
        resumed["sent"] + resumed["rejected"] + resumed["invalid"] + resumed["duplicates"]
    )
