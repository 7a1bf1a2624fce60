"""The crash matrix: `export run` killed with SIGKILL at chosen moments, then `run resume`.

Each case runs the real command line in a subprocess against a local test server that kills it
at one *kill point*: the Nth request to a path, before the server applies it, after applying it
but before answering, or a few milliseconds after answering (the delay sweeps 0-50 ms, so some
kills land while the program records the answer in its state store, inside the SQLite
transaction). Then it checks that

- the state store is intact and every checkpoint whole (counts, row details and ledger entries
  committed together or not at all);
- `run resume` (or a new `export run` when the kill came before the run was recorded) reaches
  exactly the state of a run that was never killed: the server's data, the ledger and the run's
  counts;
- no batch or removal the store had recorded is sent again, and at most the calls that were in
  flight at the kill are repeated.

Worlds: Autopilot and Ortto, each a first run and a repeated run (the ledger: only changed
contacts are sent) that also removes the people who left. Every world is set up once and copied
for each case; the servers' data is restored between cases.

The default suite runs the hand-picked points below. The long matrix kills at every request of
every world, at each moment and at several delays (about half an hour):

    AUTOPILOT_EXPORTER_CRASH_MATRIX=long scripts/with-keyring .venv/bin/python -m pytest \\
        tests/cli/test_crash_matrix.py

A failing case prints its kill point and the seed of its delay; rerun it with
``CRASH_SEED=<seed>`` and the printed node id.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from app.core.export.engine import default_in_flight
from tests.cli.test_cli_export import Cli
from tests.integration.exporting import HEADER, customer_rows
from tests.support import crash
from tests.support.autopilot_sim import AutopilotSimulator
from tests.support.ortto_sim import OrttoSimulator
from tests.support.simkit.hooks import AFTER, ANSWERED, BEFORE
from tests.support.simkit.recorder import RecordedRequest

AP_KEY = "apk-crash-5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b"
ORTTO_KEY = "ortto-crash-0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d"
LOYALTY = "Loyalty Points"
RATE = 200.0  # the connection's requests per second: fast, with the usual number in flight
ROWS = 600  # six batches
NEW_ROWS = 100  # customers who join before the repeated run
SEGMENT = "Everyone"
LONG = os.environ.get("AUTOPILOT_EXPORTER_CRASH_MATRIX", "") == "long"
SEED = int(os.environ.get("CRASH_SEED", random.randrange(1_000_000)))
COUNTS = [
    "status",
    "planned",
    "sent",
    "rejected",
    "invalid",
    "duplicates",
    "unchanged",
    "not_sent",
    "removed",
    "unique_profiles",
]


# -- kill points ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    world: str  # "<service>-first" or "<service>-repeat"
    label: str  # names the request in the case id
    path: str  # a glob below the base URL
    nth: int  # the Nth matching request; negative: counted from the last one
    moment: str  # simkit.hooks: before, after, answered
    delay_ms: int | None = None  # after the answer; None: drawn from the seed (0-50 ms)
    method: str | None = None
    # From the moment on, wait until the program is inside a write transaction on its state
    # store: the kill lands in the transaction that records the answer (or in another write
    # that was going on just then, such as the record of another batch).
    in_transaction: bool = False

    @property
    def id(self) -> str:
        delay = "" if self.delay_ms is None else f"+{self.delay_ms}ms"
        transaction = "+transaction" if self.in_transaction else ""
        return f"{self.world}:{self.label}{self.nth}:{self.moment}{delay}{transaction}"

    def delay(self) -> float:
        if self.moment != ANSWERED:
            return 0.0
        if self.delay_ms is not None:
            return self.delay_ms / 1000
        return random.Random(f"{SEED}:{self.id}").randint(0, 50) / 1000

    def describe(self, before: list[RecordedRequest], nth: int, after: crash.AfterKill) -> str:
        """Where the kill landed, as the store tells it."""
        hooked = [r for r in before if fnmatchcase(r.path, self.path)]
        hooked = [r for r in hooked if self.method in (None, r.method)]
        ops = crash.operations(hooked[nth - 1])
        own = ""
        if ops:
            own = "; its own call " + ("recorded" if ops <= after.confirmed else "not recorded")
        return (
            f"at the kill: run {after.run_id} {after.status}, {len(after.sends)} sends and "
            f"{len(after.removals)} removals recorded{own}"
        )

    def resolve(self, reference: list[tuple[str, str]]) -> int | None:
        """The request number, from the requests of a run that was not killed; None when that
        run made fewer."""
        matching = sum(
            1
            for method, path in reference
            if fnmatchcase(path, self.path) and self.method in (None, method)
        )
        nth = self.nth if self.nth > 0 else matching + 1 + self.nth
        return nth if 1 <= nth <= matching else None


def _ap(world: str, label: str, path: str, nth: int, moment: str, **kw: Any) -> Point:
    methods = {"lists": "GET", "list": "POST", "contacts": "POST", "delete": "DELETE"}
    return Point(f"autopilot-{world}", label, path, nth, moment, method=methods.get(label), **kw)


def _ortto(world: str, label: str, nth: int, moment: str, **kw: Any) -> Point:
    path = "/person/custom-field/get" if label == "fields" else "/person/merge"
    return Point(f"ortto-{world}", label, path, nth, moment, **kw)


CONTACTS, DELETE, VERIFY = "/contacts", "/list/*/contact/*", "/list/*/contacts"
DEFAULT_POINTS = [
    # Autopilot, first run: the list lookup and creation, six batches, the list check.
    _ap("first", "lists", "/lists", 1, BEFORE),
    _ap("first", "list", "/list", 1, AFTER),
    _ap("first", "contacts", CONTACTS, 1, BEFORE),
    _ap("first", "contacts", CONTACTS, 2, AFTER),
    _ap("first", "contacts", CONTACTS, 3, ANSWERED),
    *(_ap("first", "contacts", CONTACTS, 4, ANSWERED, delay_ms=ms) for ms in (0, 15, 40)),
    _ap("first", "contacts", CONTACTS, -1, ANSWERED),
    _ap("first", "verify", VERIFY, 1, BEFORE),
    _ap("first", "lists", "/lists", 1, AFTER, in_transaction=True),
    _ap("first", "contacts", CONTACTS, 2, AFTER, in_transaction=True),
    # Autopilot, repeated run: changed and new contacts, then DELETEs of who left.
    _ap("repeat", "lists", "/lists", 1, AFTER),
    _ap("repeat", "contacts", CONTACTS, 1, ANSWERED),
    _ap("repeat", "contacts", CONTACTS, -1, AFTER),
    _ap("repeat", "delete", DELETE, 1, BEFORE),
    _ap("repeat", "delete", DELETE, 10, ANSWERED),
    _ap("repeat", "delete", DELETE, 30, AFTER),
    _ap("repeat", "delete", DELETE, -1, ANSWERED, delay_ms=0),
    _ap("repeat", "delete", DELETE, 5, AFTER, in_transaction=True),
    # Ortto, first run: the custom fields (before the run is recorded), six merges.
    _ortto("first", "fields", 1, BEFORE),
    _ortto("first", "merge", 1, BEFORE),
    _ortto("first", "merge", 2, AFTER),
    _ortto("first", "merge", 3, ANSWERED),
    *(_ortto("first", "merge", 5, ANSWERED, delay_ms=ms) for ms in (5, 30)),
    _ortto("first", "merge", -1, AFTER),
    _ortto("first", "merge", 4, AFTER, in_transaction=True),
    # Ortto, repeated run: merges of changed and new people, then two unset_tags merges.
    _ortto("repeat", "merge", 1, ANSWERED),
    _ortto("repeat", "merge", 2, AFTER),
    _ortto("repeat", "merge", -2, BEFORE),
    _ortto("repeat", "merge", -2, ANSWERED),
    _ortto("repeat", "merge", -1, AFTER),
    _ortto("repeat", "merge", -1, AFTER, in_transaction=True),
]


def long_points() -> list[Point]:
    """Every request of every world, each moment, the answer at several delays, and in the
    first write transaction from the moment it is applied."""
    moments = [(BEFORE, None, False), (AFTER, None, False), (AFTER, None, True)]
    moments += [(ANSWERED, ms, False) for ms in (0, 5, 15, 30, 50)]
    most = {"first": 12, "repeat": 140}
    return [
        Point(f"{service}-{world}", "any", "*", nth, moment, delay, None, transaction)
        for service in ("autopilot", "ortto")
        for world, last in most.items()
        for nth in range(1, last + 1)
        for moment, delay, transaction in moments
    ]


POINTS = long_points() if LONG else DEFAULT_POINTS


# -- worlds ---------------------------------------------------------------------------------


def first_rows() -> list[str]:
    return customer_rows(ROWS)


def repeat_rows() -> list[str]:
    """A week later: every fifth customer left, every fourth has new points, 100 joined."""
    rows = []
    for line in customer_rows(ROWS + NEW_ROWS):
        cells = line.split(";")
        number = int(cells[0])
        if number <= ROWS and number % 5 == 0:
            continue
        if number <= ROWS and number % 4 == 0:
            cells[5] = str(int(cells[5]) + 1000)
        rows.append(";".join(cells))
    return rows


@dataclass
class Reference:
    """The run that was not killed."""

    run: dict[str, object]
    server: dict[str, object]
    ledger: set[tuple[str, str, str, str]]
    requests: list[tuple[str, str]]


@dataclass
class World:
    name: str
    sim: crash.Sim
    folder: Path  # home/ and keyring-data/ as the world left them
    data: dict[str, object]  # the server's data then
    last_run: int  # the newest run in that store
    reference: Reference | None = None

    def fresh(self, tmp_path: Path) -> Cli:
        """A copy of the world to kill a run in: its folders, and the server's data restored."""
        assert self.sim.settled(), "the server is still answering the previous case"
        self.sim.restore_data(self.data)
        cli = Cli(tmp_path)
        shutil.copytree(self.folder / "home", cli.home)
        shutil.copytree(self.folder / "keyring-data", tmp_path / "keyring-data")
        return cli

    def store(self, cli: Cli) -> Path:
        return cli.home / "data" / "state.sqlite3"


def setup_commands(service: str, sim: crash.Sim, data: Path) -> list[tuple[tuple[str, ...], str]]:
    key = AP_KEY if service == "autopilot" else ORTTO_KEY
    connection = ["connection", "add", "Conn", "--api-key-stdin", "--accept-privacy-notice"]
    if service == "ortto":
        connection += ["--service", "ortto"]
    connection += ["--base-url", sim.base_url, "--rate-limit", f"{RATE:g}"]
    export = ["export", "add", "Weekly", "--connection", "Conn", "--segment", SEGMENT]
    export += ["--map", "Email=PrimaryEmail", "--map", "FirstName=FirstName"]
    export += ["--map", f"custom:integer:{LOYALTY}=Points", "--remove-departed"]
    return [
        (tuple(connection), key + "\n"),
        (("source", "import", str(data), "--name", "Customers"), ""),
        (("segment", "add", SEGMENT, "--source", "Customers"), ""),
        (tuple(export), ""),
    ]


def write_rows(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def run_json(cli: Cli, *args: str) -> Any:
    done = cli(*args, "--json")
    assert done.returncode == 0, (args, done.stderr)
    return json.loads(done.stdout)


class Worlds:
    """Built when a case first needs one, then shared by every case of the module."""

    def __init__(self, base: Path, sims: dict[str, crash.Sim]) -> None:
        self.base, self.sims = base, sims
        self.empty = {name: sim.save_data() for name, sim in sims.items()}
        self.built: dict[str, World] = {}

    def get(self, name: str) -> World:
        if name not in self.built:
            service, kind = name.split("-")
            world = self._first(service) if kind == "first" else self._repeat(service)
            world.reference = self._reference(world)
            self.built[name] = world
        return self.built[name]

    def _first(self, service: str) -> World:
        sim = self.sims[service]
        folder = self.base / f"{service}-first"
        folder.mkdir()
        sim.restore_data(self.empty[service])
        cli = Cli(folder)
        for args, stdin in setup_commands(service, sim, write_rows(folder / "a.csv", first_rows())):
            done = cli(*args, stdin=stdin)
            assert done.returncode == 0, (args, done.stderr)
        return World(f"{service}-first", sim, folder, sim.save_data(), 0)

    def _repeat(self, service: str) -> World:
        first = self.get(f"{service}-first")
        folder = self.base / f"{service}-repeat"
        folder.mkdir()
        cli = first.fresh(folder)
        run = run_json(cli, "export", "run", "Weekly")
        assert run["status"] == "succeeded", run
        data = write_rows(folder / "b.csv", repeat_rows())
        assert cli("source", "import", str(data), "--name", "Customers").returncode == 0
        sim = first.sim
        assert sim.settled()
        return World(f"{service}-repeat", sim, folder, sim.save_data(), int(run["run_id"]))

    def _reference(self, world: World) -> Reference:
        folder = self.base / f"{world.name}-reference"
        folder.mkdir()
        cli = world.fresh(folder)
        run = run_json(cli, "export", "run", "Weekly")
        assert run["status"] == "succeeded" and run["not_sent"] == 0, run
        if world.name.endswith("repeat"):
            assert run["removed"] > 100 and run["unchanged"] > 100, run
        assert world.sim.settled()
        store = world.store(cli)
        reference = Reference(
            {key: run[key] for key in COUNTS},
            crash.server_state(world.sim),
            crash.ledger(store),
            [(r.method, r.path) for r in world.sim.requests()],
        )
        assert ledger_emails(reference.ledger) == crash.audience(world.sim, SEGMENT)
        return reference


def ledger_emails(entries: set[tuple[str, str, str, str]]) -> set[str]:
    return {email for export, segment, email, _ in entries if segment == SEGMENT}


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worlds]:
    with (
        AutopilotSimulator(keys={AP_KEY}, rate=None, seed=13) as autopilot,
        OrttoSimulator(
            keys={ORTTO_KEY}, rate=None, seed=13, custom_fields={LOYALTY: "integer"}
        ) as ortto,
    ):
        yield Worlds(
            tmp_path_factory.mktemp("crash-worlds"), {"autopilot": autopilot, "ortto": ortto}
        )


# -- the matrix -----------------------------------------------------------------------------


@pytest.mark.parametrize("point", POINTS, ids=[p.id for p in POINTS])
def test_kill_9_then_resume_reaches_the_state_of_a_run_never_killed(
    point: Point, worlds: Worlds, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    world = worlds.get(point.world)
    reference = world.reference
    assert reference is not None
    nth = point.resolve(reference.requests)
    if nth is None:
        pytest.skip(f"a run of {point.world} makes fewer such requests")
    delay = point.delay()
    where = (
        f"kill point {point.id} (request {nth}, delay {delay * 1000:.0f} ms), seed {SEED}; "
        f"replay: CRASH_SEED={SEED} pytest '{request.node.nodeid}'"
    )
    print(where)
    cli = world.fresh(tmp_path)
    sim = world.sim

    killer = crash.Killer(delay, world.store(cli) if point.in_transaction else None)
    hook = sim.on_request(point.path, nth, point.moment, killer, method=point.method)
    process = cli.start("export", "run", "Weekly", "--json")
    try:
        killer.watch(process.pid)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
        killer.close()
    assert hook.fired.is_set(), f"{where}: never reached (exit {process.returncode}) {stderr}"
    if process.returncode != -signal.SIGKILL:
        # The delay outlasted the rest of the run, or the run's last write transactions were
        # too short for the watcher to see: either way it finished, and is checked as such.
        finished_first = point.moment == ANSWERED or point.in_transaction
        assert finished_first and process.returncode == 0, f"{where}: {stderr}"
    # A request the killed process had written to its socket may reach a busy server a moment
    # later: it belongs to the killed run, not to the resume.
    time.sleep(0.5)
    assert sim.settled(), where
    before = sim.requests()
    torn = crash.torn_commit(world.store(cli))
    after_kill = crash.inspect_store(world.store(cli), world.last_run)
    print(point.describe(before, nth, after_kill) + ("; inside a commit" if torn else ""))

    if after_kill.run_id is None:  # killed before the run was recorded: start it again
        run = run_json(cli, "export", "run", "Weekly")
    elif after_kill.status != "running":  # killed on its way out: the run was finished
        run = run_json(cli, "history")[0]
        assert run["run_id"] == after_kill.run_id, where
    else:
        run = run_json(cli, "run", "resume", str(after_kill.run_id))
        assert run["run_id"] == after_kill.run_id, where
    resumed = crash.batches(sim.requests()[len(before) :])

    twice = [sorted(b & after_kill.confirmed)[:3] for b in resumed if b & after_kill.confirmed]
    assert not twice, f"{where}: sent again after the store recorded them: {twice}"
    sent_before = set().union(*crash.batches(before))
    repeated = [b for b in resumed if b & sent_before]
    slots = default_in_flight(RATE)
    assert len(repeated) <= slots, f"{where}: {len(repeated)} calls repeated, {slots} in flight"

    assert {key: run[key] for key in COUNTS} == reference.run, where
    assert crash.server_state(sim) == reference.server, where
    ledger = crash.ledger(world.store(cli))
    assert ledger == reference.ledger, where
    assert ledger_emails(ledger) == crash.audience(sim, SEGMENT), where
    again = Counter(op for b in resumed for op in b)
    assert not again or max(again.values()) == 1, f"{where}: the resumed run repeated itself"
