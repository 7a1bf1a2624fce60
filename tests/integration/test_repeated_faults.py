"""A week later, under faults: a repeated run with changes and departures ends in the exact state.

The second run meets 500s, resets and answers that never came although the server acted
(commit-then-timeout) on every kind of request, removals included. It still sends exactly the
changed people (a person resent after a lost answer is the same changed person), takes exactly
the departed off the list or tag, conserves its rows, and leaves a ledger after which a third
run has nothing to do.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from tests.integration.conftest import SimFactory
from tests.integration.exporting import HEADER, customer_rows, make_world
from tests.integration.ortto_world import make_ortto_world
from tests.integration.test_removals import every, removing, run, valid_emails
from tests.integration.test_repeated_runs import autopilot_upserts, conserved
from tests.support.ortto_sim import COMMIT_TIMEOUT, ERROR_500, RESET, OrttoSimulator

ROWS = 600
CHANGED_POINTS = "9999"


def faulted(sim: Any, method: str) -> int:
    """How many ``method`` requests the server answered with a fault."""
    return sum(1 for r in sim.requests() if r.method == method and r.fault is not None)


def sent_people(sim: OrttoSimulator) -> Counter[str]:
    """Emails by how many answered merges sent the person (removals, which only take a tag
    off, left out)."""
    seen: Counter[str] = Counter()
    for request in sim.requests("/person/merge"):
        if request.status == 200:
            seen.update(
                p["fields"]["str::email"].lower()
                for p in request.body["people"]
                if not p.get("unset_tags")
            )
    return seen


def next_week(path: Path) -> tuple[set[str], set[str], set[str]]:
    """Rewrite the file: every 8th customer left, every 20th of those who stayed has new points.

    Returns (stay, departed, changed) as lower-cased emails."""
    everyone = customer_rows(ROWS)
    leaves = every(8)
    kept, changed = [], set()
    for line in everyone:
        cells = line.split(";")
        number = int(cells[0])
        if leaves(number):
            continue
        if number % 20 == 0:
            cells[5] = CHANGED_POINTS
            changed.add(cells[3].lower())
        kept.append(";".join(cells))
    path.write_text("\n".join([HEADER, *kept]) + "\n", encoding="utf-8")
    stay = valid_emails(kept)
    return stay, valid_emails(everyone) - stay, changed & stay


def test_autopilot_a_repeated_run_under_faults_sends_and_removes_exactly(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    # A lost answer stalls 2.5 s against a read timeout of 2 s: room for a busy machine to
    # answer the other requests in time.
    sim = make_sim(slow_seconds=2.5)
    world = make_world(tmp_path, sim, rows=ROWS)
    removing(world)
    runner = world.runner(read_timeout=2.0)
    first = run(world, runner)
    assert first.status == "succeeded" and conserved(first)
    list_id = first.lists["Everyone"]
    before = autopilot_upserts(sim)

    stay, departed, changed = next_week(tmp_path / "customers.csv")
    world.ctx.profiles.import_file(tmp_path / "customers.csv", "Customers")
    sim.set_fault_rates({"500": 0.1, "reset": 0.1, "commit_timeout": 0.1}, seed=4, path="*")
    second = run(world, runner)
    sim.clear_faults()
    assert faulted(sim, "DELETE") and faulted(sim, "POST"), "the faults met the second run"

    assert second.status == "succeeded", second.error
    assert conserved(second) and second.not_sent == 0
    assert (second.sent, second.removed) == (len(changed), len(departed))
    assert second.unchanged == len(stay) - len(changed)
    assert set((autopilot_upserts(sim) - before).elements()) == changed
    assert set(sim.list_members(list_id)) == stay
    contacts = sim.contacts()
    assert all(int(CHANGED_POINTS) in contacts[email]["custom"].values() for email in changed)
    assert departed <= set(contacts), "contacts are never deleted"
    assert world.ctx.services.ledger.size("Weekly") == len(stay)

    third = run(world, runner)
    assert (third.sent, third.removed, third.unchanged) == (0, 0, len(stay))
    assert conserved(third)


def test_ortto_a_repeated_run_under_faults_sends_and_removes_exactly(
    tmp_path: Path, ortto: OrttoSimulator
) -> None:
    world = make_ortto_world(tmp_path, ortto, rows=ROWS)
    removing(world)
    runner = world.runner()
    first = run(world, runner)
    assert first.status == "succeeded" and conserved(first)
    before = sent_people(ortto)

    stay, departed, changed = next_week(tmp_path / "customers.csv")
    world.ctx.profiles.import_file(tmp_path / "customers.csv", "Customers")
    ortto.set_fault_rates({ERROR_500: 0.05, RESET: 0.05, COMMIT_TIMEOUT: 0.05}, seed=8)
    second: Any = run(world, runner)
    ortto.clear_faults()
    assert faulted(ortto, "POST"), "the faults met the second run"

    assert second.status == "succeeded", second.error
    assert conserved(second) and second.not_sent == 0
    assert (second.sent, second.removed) == (len(changed), len(departed))
    assert set((sent_people(ortto) - before).elements()) == changed
    assert ortto.tagged("Everyone") == stay
    for email in changed:
        person = ortto.person(email)
        assert person is not None and int(CHANGED_POINTS) in person["fields"].values()
    assert world.ctx.services.ledger.size("Weekly") == len(stay)

    third: Any = run(world, runner)
    assert (third.sent, third.removed, third.unchanged) == (0, 0, len(stay))
    assert conserved(third)
