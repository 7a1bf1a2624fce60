"""The export commands end to end through the real command line (subprocesses), against the
local Autopilot simulator: connection, source, segment, export, run, history, resume, report."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.exporting import HEADER, customer_rows, expected_emails
from tests.support.autopilot_sim import AutopilotSimulator

ROOT = Path(__file__).resolve().parents[2]
KEY = "apk-cli-0b7e5d1c9a8f4e3d2c1b0a9f8e7d6c5b"
NEW_KEY = "apk-cli-regenerated-00112233445566778899"


class Cli:
    def __init__(self, tmp_path: Path) -> None:
        self.home = tmp_path / "home"
        self.env = dict(
            os.environ,
            AUTOPILOT_EXPORTER_HOME=str(self.home),
            # A key must survive between processes: keyrings.alt's file, under tmp_path.
            PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
            XDG_DATA_HOME=str(tmp_path / "keyring-data"),
        )
        self.outputs: list[str] = []

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "app", *args]

    def start(self, *args: str) -> subprocess.Popen[str]:
        """The command running in the background, its output piped, as the tests read it."""
        return subprocess.Popen(
            self.command(*args),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def __call__(
        self, *args: str, stdin: str | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            self.command(*args),
            input=stdin,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**self.env, **env},
            timeout=300,
        )
        self.outputs += [done.stdout, done.stderr]
        return done

    def json(self, *args: str) -> object:
        done = self(*args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture
def sim() -> Iterator[AutopilotSimulator]:
    with AutopilotSimulator(keys={KEY}, rate=100.0, burst=20, seed=5) as simulator:
        yield simulator


def setup_export(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path, rows: int, rate: str = "50"
) -> None:
    data = tmp_path / "customers.csv"
    data.write_text("\n".join([HEADER, *customer_rows(rows)]) + "\n", encoding="utf-8")
    steps = [
        (
            (
                "connection",
                "add",
                "Sim",
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
        (
            (
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
            ),
            None,
        ),
    ]
    for args, stdin in steps:
        done = cli(*args, stdin=stdin)
        assert done.returncode == 0, (args, done.stderr)


def test_full_run_history_report_and_no_key_anywhere(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    setup_export(cli, sim, tmp_path, rows=450)
    run = cli.json("export", "run", "Weekly", "--json")
    assert run["status"] == "succeeded"
    assert run["sent"] == len(expected_emails(450)) and run["not_sent"] == 0
    assert run["planned"] == run["sent"] + run["rejected"] + run["invalid"] + run["duplicates"]
    assert set(sim.contacts()) == expected_emails(450)
    history = cli.json("history", "--json")
    assert [h["run_id"] for h in history] == [run["run_id"]]
    assert set(history[0]) >= {
        "run_id",
        "export",
        "status",
        "dry_run",
        "started_at",
        "finished_at",
        "duration_s",
        "planned",
        "sent",
        "rejected",
        "invalid",
        "duplicates",
        "not_sent",
        "unique_profiles",
        "lists",
        "warnings",
        "error",
    }
    report = tmp_path / "rejected.csv"
    assert cli("run", "rejected", str(run["run_id"]), "--output", str(report)).returncode == 0
    with report.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == run["invalid"] + run["rejected"]
    assert {r["state"] for r in rows} == {"invalid"}

    connections = cli.json("connection", "list", "--json")
    assert connections[0]["key_stored"] is True
    assert "keyrings.alt" in connections[0]["keyring_backend"]
    # The key is in no file under the data directory and in no output.
    for path in cli.home.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert not any(KEY in text for text in cli.outputs)


def test_dry_run_needs_no_key_and_sends_nothing(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    setup_export(cli, sim, tmp_path, rows=120)
    cli("connection", "remove", "Sim")  # refused: the export uses it
    requests_before = len(sim.requests())
    out = tmp_path / "dry.jsonl"
    run = cli.json("export", "run", "Weekly", "--dry-run", "--output", str(out), "--json")
    assert run["dry_run"] is True and run["lists"] is None and run["sent"] == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert sum(len(json.loads(line)["contacts"]) for line in lines) == len(expected_emails(120))
    assert len(sim.requests()) == requests_before


def test_bad_configuration_exits_2_with_one_line(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    setup_export(cli, sim, tmp_path, rows=30)
    cases = [
        (
            "connection",
            "add",
            "Bad",
            "--api-key-stdin",
            "--accept-privacy-notice",
            "--base-url",
            sim.base_url,
        ),  # wrong key
        ("connection", "add", "NoConsent", "--api-key-stdin", "--base-url", sim.base_url),
        (
            "connection",
            "add",
            "Plain",
            "--api-key-stdin",
            "--accept-privacy-notice",
            "--base-url",
            "http://example.com/v1",
        ),
        ("connection", "remove", "Sim"),  # used by an export
        ("export", "run", "Nope"),
        (
            "export",
            "add",
            "X",
            "--connection",
            "Sim",
            "--segment",
            "Everyone",
            "--map",
            "FirstName=FirstName",
        ),  # no Email
        (
            "export",
            "add",
            "X",
            "--connection",
            "Sim",
            "--segment",
            "Everyone",
            "--map",
            "Email=NoSuchColumn",
        ),
        (
            "export",
            "add",
            "Weekly",
            "--connection",
            "Sim",
            "--segment",
            "Everyone",
            "--map",
            "Email=PrimaryEmail",
        ),  # exists
        ("run", "resume", "999"),
    ]
    for args in cases:
        done = cli(*args, stdin="apk-wrong-key-1234567890\n")
        assert done.returncode == 2, (args, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert [c["name"] for c in cli.json("connection", "list", "--json")] == ["Sim"]


def test_unreachable_autopilot_exits_1_and_saves_nothing(cli: Cli) -> None:
    done = cli(
        "connection",
        "add",
        "Down",
        "--api-key-stdin",
        "--accept-privacy-notice",
        "--base-url",
        "http://127.0.0.1:9/v1",
        stdin=KEY + "\n",
    )
    assert done.returncode == 1, done.stderr
    assert cli.json("connection", "list", "--json") == []


def test_no_keyring_refuses_commands_that_need_a_key(cli: Cli, sim: AutopilotSimulator) -> None:
    done = cli(
        "connection",
        "add",
        "Sim",
        "--api-key-stdin",
        "--accept-privacy-notice",
        "--base-url",
        sim.base_url,
        stdin=KEY + "\n",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    assert done.returncode == 2
    assert "keyring" in done.stderr
    assert cli.json("connection", "list", "--json") == []
    assert sim.requests() == []


def test_over_the_cap_exits_2_before_sending(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    setup_export(cli, sim, tmp_path, rows=200)
    assert (
        cli(
            "connection",
            "add",
            "Sim",
            "--api-key-stdin",
            "--accept-privacy-notice",
            "--base-url",
            sim.base_url,
            "--profile-cap",
            "50",
            "--replace",
            stdin=KEY + "\n",
        ).returncode
        == 0
    )
    before = len(sim.requests())
    done = cli("export", "run", "Weekly")
    assert done.returncode == 2
    assert "over the limit of 50" in done.stderr
    assert len(sim.requests()) == before


def valid_batches(rows: int) -> list[list[str]]:
    """The batches a correct run sends, in order: valid first-seen emails, 100 at a time."""
    seen: list[str] = []
    keys: set[str] = set()
    for line in customer_rows(rows):
        email = line.split(";")[3]
        key = email.lower()
        if "@" in email and key not in keys:
            keys.add(key)
            seen.append(key)
    return [seen[i : i + 100] for i in range(0, len(seen), 100)]


def upserts(sim: AutopilotSimulator) -> Counter[str]:
    counts: Counter[str] = Counter()
    for request in sim.requests():
        if request.path == "/contacts" and request.method == "POST":
            counts.update(c["Email"].lower() for c in request.body["contacts"])
    return counts


def test_kill_9_then_resume_sends_no_confirmed_batch_twice(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    seed = int(os.environ.get("KILL_SEED", random.randrange(1_000_000)))
    print(f"kill seed: {seed} (rerun with KILL_SEED={seed})")
    rows = 3000
    setup_export(cli, sim, tmp_path, rows=rows, rate="20")
    kill_after = random.Random(seed).randint(2, 20)
    process = cli.start("export", "run", "Weekly", "--json")
    try:
        assert sim.wait_for_requests(kill_after + 2, timeout=60), "the run never got going"
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    history = cli.json("history", "--json")
    assert history[0]["status"] == "interrupted"
    run_id = history[0]["run_id"]
    with sqlite3.connect(cli.home / "data" / "state.sqlite3") as db:
        confirmed = {
            n for (n,) in db.execute("SELECT batch_no FROM run_batches WHERE run_id = ?", (run_id,))
        }
    before = upserts(sim)

    resumed = cli.json("run", "resume", str(run_id), "--json")
    assert resumed["run_id"] == run_id and resumed["status"] == "succeeded"
    assert set(sim.contacts()) == expected_emails(rows)
    after = upserts(sim)
    batches = valid_batches(rows)
    for number in confirmed:
        for email in batches[number]:
            assert after[email] == before[email] == 1, (number, email)
    assert resumed["sent"] == len(expected_emails(rows))
    assert resumed["planned"] == (
        resumed["sent"] + resumed["rejected"] + resumed["invalid"] + resumed["duplicates"]
    )
    # A finished run cannot be resumed again.
    assert cli("run", "resume", str(run_id)).returncode == 2


def test_sigterm_cancels_and_the_run_is_resumable(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    setup_export(cli, sim, tmp_path, rows=2000, rate="10")
    process = cli.start("export", "run", "Weekly", "--json")
    assert sim.wait_for_requests(4, timeout=60)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 1, stderr
    run = json.loads(stdout)
    assert run["status"] == "cancelled"
    assert f"run resume {run['run_id']}" in stderr
    resumed = cli.json("run", "resume", str(run["run_id"]), "--json")
    assert resumed["status"] == "succeeded"
    assert max(upserts(sim).values()) == 1


def hanging(sim: AutopilotSimulator, timeout: float = 60.0) -> bool:
    """Wait until a request has arrived that is not answered (the server is stalling on it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sim.dispatcher.lock:
            arrived = sim.dispatcher.counters["requests"]
        if arrived > len(sim.requests()):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("path", ["/lists", "/contacts"])
def test_sigterm_ends_the_run_within_two_seconds_while_autopilot_hangs(
    cli: Cli, tmp_path: Path, path: str
) -> None:
    with AutopilotSimulator(keys={KEY}, rate=100.0, burst=20, seed=5, slow_seconds=120) as sim:
        setup_export(cli, sim, tmp_path, rows=300, rate="20")
        sim.fail_next("slow", 1000, path=path)  # no answer for two minutes, every time
        process = cli.start("export", "run", "Weekly", "--json")
        assert hanging(sim), "a request to Autopilot is on the wire, its answer never coming"
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)
        reader.start()
        deadline = time.monotonic() + 30
        while not any("waiting for Autopilot to answer" in line for line in lines):
            assert time.monotonic() < deadline, "the progress never said it was waiting"
            time.sleep(0.1)
        assert not any("left" in line for line in lines[-1:]), "no estimate while waiting"
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        stdout = process.stdout.read()
        process.wait(timeout=60)
        took = time.monotonic() - signalled
        reader.join(timeout=5)
        process.stdout.close()
        process.stderr.close()
        stderr = "".join(lines)
        assert took < 2.0, f"the process ended {took:.1f} s after SIGTERM"
        assert process.returncode == 1, stderr
        run = json.loads(stdout)
        assert run["status"] == "cancelled" and run["sent"] == 0
        sim.clear_faults()
        resumed = cli.json("run", "resume", str(run["run_id"]), "--json")
        assert resumed["status"] == "succeeded"
        assert set(sim.contacts()) == expected_emails(300)


def test_connection_test_exits_1_when_the_key_does_not_work(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    setup_export(cli, sim, tmp_path, rows=5)
    assert cli("connection", "test", "Sim").returncode == 0
    sim.revoke_key(KEY)
    done = cli("connection", "test", "Sim")
    assert done.returncode == 1
    assert "API key" in done.stderr and KEY not in done.stderr
    assert cli("connection", "test", "Nope").returncode == 2


def test_connection_remove_works_without_a_keyring(cli: Cli, sim: AutopilotSimulator) -> None:
    assert (
        cli(
            "connection",
            "add",
            "Spare",
            "--api-key-stdin",
            "--accept-privacy-notice",
            "--base-url",
            sim.base_url,
            stdin=KEY + "\n",
        ).returncode
        == 0
    )
    done = cli(
        "connection", "remove", "Spare", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring"
    )
    assert done.returncode == 0, done.stderr
    assert cli.json("connection", "list", "--json") == []


def test_erase_all_deletes_everything_and_the_keys(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    setup_export(cli, sim, tmp_path, rows=30)
    cli.json("export", "run", "Weekly", "--dry-run", "--json")
    assert cli("erase-all").returncode == 2  # needs --yes
    done = cli("erase-all", "--yes")
    assert done.returncode == 0, done.stderr
    for noun in ("connection", "source", "segment", "export"):
        assert cli.json(noun, "list", "--json") == []
    assert cli.json("history", "--json") == []
    assert list((cli.home / "data" / "reports").iterdir()) == []
    lookup = "import keyring; print(keyring.get_password('autopilot-exporter', 'sim'))"
    stored = subprocess.run(
        [sys.executable, "-c", lookup], capture_output=True, text=True, env=cli.env, check=True
    )
    assert stored.stdout.strip() == "None"


def test_a_repeated_run_sends_only_what_changed_and_all_sends_everyone(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    setup_export(cli, sim, tmp_path, rows=300, rate="100")
    first = cli.json("export", "run", "Weekly", "--json")
    second = cli.json("export", "run", "Weekly", "--json")
    everyone = cli.json("export", "run", "Weekly", "--all", "--json")
    expected = len(expected_emails(300))
    assert isinstance(first, dict) and isinstance(second, dict) and isinstance(everyone, dict)
    assert (first["sent"], first["unchanged"]) == (expected, 0)
    assert (second["sent"], second["unchanged"], second["status"]) == (0, expected, "succeeded")
    assert (everyone["sent"], everyone["unchanged"]) == (expected, 0)
    for run in (first, second, everyone):
        assert run["planned"] == (
            run["sent"] + run["rejected"] + run["invalid"] + run["duplicates"]
            + run["unchanged"] + run["not_sent"]
        )  # fmt: skip
        assert run["removed"] == 0
    assert max(upserts(sim).values()) == 2, "sent by the first run and by --all, not the second"
