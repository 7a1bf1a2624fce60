"""Property-based fault tests: random weeks of exports against both local test servers.

Hypothesis draws a population (random size, invalid and duplicate rows), overlapping segments,
whether people who left are removed, and for every week who leaves, who changes, who joins and a
mix of faults: 500s, load-balancer 503 pages, resets, slow answers, commit-then-timeout,
trickling and huge answers, 429s asking to wait, whole-batch 400s and (Ortto) suppressed people.
Each week's run is resumed until it finishes (the faults are switched off after a few tries).
After every week:

- the counts conserve and match the model (``fault_model``): planned, invalid, duplicates,
  unchanged, sent + rejected, removed, nothing left not sent;
- every (segment, person) the run counts as sent was in a request the server answered 200
  (heard by the client), and every rejection follows a 400 or a suppression;
- the ledger is exactly the previous one with this run's confirmations and removals;
- the server holds exactly the ledger's people on each list or tag, with the values last
  confirmed, except for requests the server applied while the client never heard the answer
  (which the product cannot know about; they are resent or removed next time they matter).

Examples: ``AUTOPILOT_EXPORTER_HYPOTHESIS=long`` runs many more, with fresh random draws; the
default profile is small and derandomized so CI is reproducible. A failure prints the example
and a ``@reproduce_failure`` blob.
"""

from __future__ import annotations

import os
import random
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.context import AppContext, build_context
from app.core.connections import Connection
from app.core.connections.client import open_client
from app.core.destinations import Limits
from app.core.destinations.errors import DestinationError
from app.core.export import Export
from app.core.history import Run
from app.core.secrets import MemorySecretStore
from app.core.store import utc_now
from tests.integration.conftest import SIM_KEY
from tests.integration.fault_model import (
    MAPPING,
    SEGMENTS,
    UNHEARD,
    Expected,
    Pair,
    Row,
    Week,
    autopilot_sends,
    autopilot_values,
    csv_text,
    ortto_sends,
    ortto_values,
)
from tests.integration.ortto_world import LOYALTY, ORTTO_KEY
from tests.support.autopilot_sim import AutopilotSimulator
from tests.support.ortto_sim import OrttoSimulator

settings.register_profile(
    "ci",
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "long", parent=settings.get_profile("ci"), max_examples=300, derandomize=False
)
PROFILE = settings.get_profile(os.environ.get("AUTOPILOT_EXPORTER_HYPOTHESIS", "ci"))

FINISHED = ("succeeded", "succeeded_with_rejections")
TRIES_WITH_FAULTS = 4  # attempts (first run and resumes) before the faults are switched off
SLOW_S = 0.45  # how long the server stalls a slow or commit-then-timeout answer
READ_TIMEOUT_S = 0.3
RATE_KINDS = ("500", "503_html", "reset", "slow", "commit_timeout", "trickle")


# -- what hypothesis draws -------------------------------------------------------------------


@dataclass(frozen=True)
class Faults:
    rates: dict[str, float]
    seed: int
    throttles: int  # 429s asking to wait, on any path
    refusals: int  # whole-request 400s on the bulk path (split, or the run fails)
    suppressed_share: float  # Ortto: share of people suppressed this week
    max_attempts: int


@dataclass(frozen=True)
class WeekPlan:
    leave_share: float
    change_share: float
    join: int
    faults: Faults


@dataclass(frozen=True)
class Scenario:
    people: int
    seed: int
    bad_share: float
    dup_share: float
    segments: tuple[str, ...]
    remove_departed: bool
    weeks: tuple[WeekPlan, ...]


def faults(ortto: bool) -> st.SearchStrategy[Faults]:
    share = st.sampled_from([0.0, 0.0, 0.03, 0.08, 0.15])
    rates = st.fixed_dictionaries({kind: share for kind in RATE_KINDS})
    return st.builds(
        Faults,
        rates=rates.map(lambda r: {k: v for k, v in r.items() if v}),
        seed=st.integers(0, 2**31),
        throttles=st.integers(0, 3),
        refusals=st.integers(0, 4 if ortto else 14),
        suppressed_share=st.sampled_from([0.0, 0.05, 0.2] if ortto else [0.0]),
        max_attempts=st.integers(2, 5),
    )


def scenarios(ortto: bool) -> st.SearchStrategy[Scenario]:
    week = st.builds(
        WeekPlan,
        leave_share=st.sampled_from([0.0, 0.1, 0.3, 0.7]),
        change_share=st.sampled_from([0.0, 0.1, 0.5]),
        join=st.integers(0, 30),
        faults=faults(ortto),
    )
    optional = st.tuples(st.booleans(), st.booleans())
    return st.builds(
        Scenario,
        people=st.integers(1, 150),
        seed=st.integers(0, 2**31),
        bad_share=st.sampled_from([0.0, 0.05, 0.2]),
        dup_share=st.sampled_from([0.0, 0.05, 0.2]),
        segments=optional.map(
            lambda o: ("Everyone",) + (("Sweden",) if o[0] else ()) + (("Top",) if o[1] else ())
        ),
        remove_departed=st.booleans(),
        weeks=st.lists(week, min_size=1, max_size=3).map(tuple),
    )


# -- the population, week by week ------------------------------------------------------------


@dataclass
class Person:
    number: int
    first: str
    country: str
    points: int
    bad: bool
    dup: bool


def populations(scenario: Scenario) -> Iterator[list[Row]]:
    """Each week's rows: people leave, change and join; a duplicate row repeats a person's data
    with the email in capitals, at the end of the file."""
    rng = random.Random(scenario.seed)
    made = 0

    def person() -> Person:
        nonlocal made
        made += 1
        country = rng.choice(["NO", "NO", "SE"])
        # The first person stays and is valid: a run with no valid row at all fails by design.
        bad = made > 1 and rng.random() < scenario.bad_share
        dup = rng.random() < scenario.dup_share
        return Person(made, f"First{made}", country, rng.randrange(1000), bad, dup)

    present = [person() for _ in range(scenario.people)]
    for index, plan in enumerate(scenario.weeks):
        if index:
            present = [p for p in present if p.number == 1 or rng.random() >= plan.leave_share]
            for p in present:
                if rng.random() < plan.change_share:
                    p.points, p.first = (p.points + 337) % 1000, f"First{p.number}w{index}"
            present += [person() for _ in range(plan.join)]
        rows = [_row(p, p.bad, upper=False) for p in present]
        rows += [_row(p, False, upper=True) for p in present if p.dup and not p.bad]
        yield rows


def _row(p: Person, bad: bool, *, upper: bool) -> Row:
    email = f"bad{p.number}" if bad else f"person{p.number}@example.com"
    return Row(p.number, email.upper() if upper else email, p.first, p.country, p.points)


# -- one world per example --------------------------------------------------------------------


@dataclass
class FaultWorld:
    ctx: AppContext
    sim: Any
    ortto: bool
    export: Export
    csv: Path

    @property
    def key(self) -> str:
        return ORTTO_KEY if self.ortto else SIM_KEY


@contextmanager
def fault_world(scenario: Scenario, ortto: bool, first: list[Row]) -> Iterator[FaultWorld]:
    sim: Any
    if ortto:
        sim = OrttoSimulator(
            keys={ORTTO_KEY},
            rate=300.0,
            burst=60,
            seed=scenario.seed,
            custom_fields={LOYALTY: "integer"},
            slow_seconds=SLOW_S,
        )
    else:
        sim = AutopilotSimulator(
            keys={SIM_KEY}, rate=300.0, burst=60, seed=scenario.seed, slow_seconds=SLOW_S
        )
    with tempfile.TemporaryDirectory(prefix="fault-props-") as home, sim:
        ctx = build_context({"AUTOPILOT_EXPORTER_HOME": home}, secret_store=MemorySecretStore())
        csv = Path(home) / "customers.csv"
        csv.write_text(csv_text(first), encoding="utf-8")
        ctx.profiles.import_file(csv, "Customers")
        for name in scenario.segments:
            ctx.segments.add(SEGMENTS[name])
        service = "ortto" if ortto else "autopilot"
        connection = Connection(
            "Dest", base_url=sim.base_url, rate_limit=200.0, consent_at=utc_now(), service=service
        )
        ctx.keys.save(connection, ORTTO_KEY if ortto else SIM_KEY)
        export = ctx.exports.save(
            Export(
                "Weekly",
                "Dest",
                scenario.segments,
                MAPPING,
                remove_departed=scenario.remove_departed,
            )
        )
        yield FaultWorld(ctx, sim, ortto, export, csv)


def arm(world: FaultWorld, week: Week, mix: Faults, known: set[str]) -> set[str]:
    """Switch on the week's faults; returns the email keys suppressed (Ortto) this week, among
    the week's people and those the destination has (who may have left)."""
    sim = world.sim
    sim.clear_faults()
    sim.set_fault_rates(mix.rates, seed=mix.seed, path="*")
    if world.ortto:
        wait = {"error": {"code": "rate-limit", "message": "rate limit", "try-in-seconds": 0.02}}
        sim.fail_next("status", mix.throttles, path="*", status=429, body=wait)
    else:
        sim.fail_next(
            "status", mix.throttles, path="*", status=429, headers={"Retry-After": "0.02"}
        )
    sim.fail_next("status", mix.refusals, status=400)
    if not world.ortto:
        return set()
    rng = random.Random(mix.seed)
    people = sorted({row.key for row in week.rows if row.valid} | known)
    suppressed = {key for key in people if rng.random() < mix.suppressed_share}
    with sim.store.lock:
        sim.store.suppressed.clear()
    sim.suppress(*suppressed)
    return suppressed


def run_to_the_end(world: FaultWorld, mix: Faults) -> Run:
    """Run the export, resuming until it finishes; faults go off after a few tries."""
    limits = Limits(
        read_timeout=READ_TIMEOUT_S,
        connect_timeout=0.5,
        max_attempts=mix.max_attempts,
        backoff_base=0.005,
        backoff_cap=0.05,
    )
    runner = replace(world.ctx.runner, client_factory=lambda c, k: open_client(c, k, limits))
    run: Run | None = None
    for attempt in range(1, TRIES_WITH_FAULTS + 3):
        if attempt > TRIES_WITH_FAULTS:
            world.sim.clear_faults()
        if world.ortto:
            world.sim.reset_guard()  # a ban lasts 15 s; the client's own budget is tested elsewhere
        try:
            if run is None:
                run = runner.run(runner.plan(world.export, allow_mass_removal=True), world.key)
            else:
                run = runner.run(runner.plan_resume(run.run_id), world.key, run_id=run.run_id)
        except DestinationError:
            continue  # refused while preparing (custom fields), before a run was recorded
        if run.status.value in FINISHED:
            return run
    raise AssertionError(f"the run did not finish without faults: {run}")


# -- the invariants ---------------------------------------------------------------------------


def ledger_rows(ctx: AppContext) -> dict[Pair, tuple[str, int]]:
    db = sqlite3.connect(f"file:{ctx.paths.state_db}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT segment, email_key, hash, run_id FROM ledger WHERE export = 'Weekly'"
        ).fetchall()
    finally:
        db.close()
    return {(s, k): (h, int(r)) for s, k, h, r in rows}


@dataclass
class Heard:
    """What the server's log says about one week: pairs it confirmed to the client, pairs it
    applied without the client hearing, and emails it refused with a 400."""

    confirmed: set[Pair]
    unheard: set[Pair]
    unheard_removals: set[Pair]
    refused: set[str]


def heard(
    world: FaultWorld, since: int, lists: dict[str, str | None], suppressed: set[str]
) -> Heard:
    segment_of = {audience: name for name, audience in lists.items() if audience}
    out = Heard(set(), set(), set(), set())
    for request in world.sim.requests()[since:]:
        if world.ortto:
            items = [(a, k, s == "-tag") for a, k, s in ortto_sends(request)]
        else:
            items = [(a, k, False) for a, k in autopilot_sends(request)]
            if request.method == "DELETE" and "/contact/" in request.path:
                parts = request.path.split("/")  # /list/{id}/contact/{email}
                items = [(parts[2], parts[4].lower(), True)]
        for audience, key, removal in items:
            pair = (segment_of.get(audience, "?"), key)
            if request.status == 400:
                out.refused.add(key)
            elif request.fault in UNHEARD:
                (out.unheard_removals if removal else out.unheard).add(pair)
            # Ortto answers 200 for a batch with suppressed people in it; they are refused.
            elif (
                request.status == 200
                and not request.fault
                and not removal
                and key not in suppressed
            ):
                out.confirmed.add(pair)
    return out


def check_week(
    world: FaultWorld, week: Week, run: Run, exp: Expected, log: Heard, suppressed: set[str]
) -> None:
    # The counts, from the rows alone.
    hashes = week.hashes()
    to_send = {pair for pair, h in hashes.items() if exp.ledger.get(pair) != h}
    assert (run.planned, run.invalid, run.duplicates) == (
        week.planned(),
        week.invalid(),
        week.duplicates(),
    )
    assert run.unchanged == len(hashes) - len(to_send)
    assert run.not_sent == 0 and run.sent + run.rejected == len(to_send)

    # Sent means heard confirmed; rejected means refused; together exactly what changed.
    ledger = ledger_rows(world.ctx)
    sent = {pair for pair, (_, run_id) in ledger.items() if run_id == run.run_id}
    details = world.ctx.runs.row_details
    rejected = {(d.segment, d.email.lower()) for d in details(run.run_id, ("rejected",))}
    assert run.sent == len(sent) and run.rejected == len(rejected)
    assert sent <= log.confirmed, f"counted as sent, never confirmed: {sent - log.confirmed}"
    assert not sent & rejected and sent | rejected == to_send
    assert {key for _, key in rejected} <= log.refused | suppressed

    # Who left: removed, or refused (suppressed, a 400) and kept for the next run.
    departed: set[Pair] = set()
    if world.export.remove_departed:
        departed = {(s, k) for (s, k) in exp.ledger if k not in week.keys(s)}
    kept = {(d.segment, d.email.lower()) for d in details(run.run_id, ("not_removed",))}
    assert kept <= departed and {k for _, k in kept} <= log.refused | suppressed
    removed = departed - kept
    assert run.removed == len(removed)

    # The ledger: the last one, with this run's confirmations and removals.
    for pair in sent:
        exp.ledger[pair] = hashes[pair]
    for pair in removed:
        del exp.ledger[pair]
    assert {pair: h for pair, (h, _) in ledger.items()} == exp.ledger

    # What the server holds: the ledger's people with their last confirmed values.
    values = week.values()
    unheard_only = log.unheard - sent
    exp.unsure_values |= {k for _, k in unheard_only}
    exp.unsure_values -= {k for _, k in sent}
    exp.values.update({k: values[k] for _, k in sent})
    exp.unsure_members |= unheard_only | (log.unheard_removals & kept)
    exp.unsure_members -= sent | removed
    check_server(world, run, exp)


def check_server(world: FaultWorld, run: Run, exp: Expected) -> None:
    held = ortto_values(world.sim) if world.ortto else autopilot_values(world.sim)
    assert set(exp.values) <= set(held)
    for key, value in held.items():
        if key not in exp.unsure_values:
            assert exp.values.get(key) == value, key
    for segment, audience in run.lists.items():
        if not audience:
            continue
        if world.ortto:
            members = world.sim.tagged(audience)
        else:
            members = set(world.sim.list_members(audience))
        in_ledger = {k for (s, k) in exp.ledger if s == segment}
        unsure = {k for (s, k) in exp.unsure_members if s == segment}
        assert members ^ in_ledger <= unsure, (segment, members ^ in_ledger)


def quiet(sim: Any) -> None:
    """Wait until every request the server received was applied and recorded (a slow answer
    is applied after the client gave up on it)."""
    received = sim.counters().get("requests", 0)
    assert sim.wait_for_requests(received, timeout=10.0)


def play(scenario: Scenario, ortto: bool) -> None:
    weeks = list(populations(scenario))
    with fault_world(scenario, ortto, weeks[0]) as world:
        exp = Expected()
        for plan, rows in zip(scenario.weeks, weeks, strict=True):
            week = Week(rows, scenario.segments)
            world.csv.write_text(csv_text(rows), encoding="utf-8")
            world.ctx.profiles.import_file(world.csv, "Customers")
            since = len(world.sim.requests())
            suppressed = arm(world, week, plan.faults, {k for _, k in exp.ledger})
            run = run_to_the_end(world, plan.faults)
            world.sim.clear_faults()
            quiet(world.sim)
            log = heard(world, since, run.lists, suppressed)
            check_week(world, week, run, exp, log, suppressed)


@PROFILE
@given(scenarios(ortto=False))
def test_autopilot_weeks_of_faulty_runs_end_in_the_exact_state(scenario: Scenario) -> None:
    play(scenario, ortto=False)


@PROFILE
@given(scenarios(ortto=True))
def test_ortto_weeks_of_faulty_runs_end_in_the_exact_state(scenario: Scenario) -> None:
    play(scenario, ortto=True)
