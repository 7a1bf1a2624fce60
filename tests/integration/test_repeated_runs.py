"""Repeated runs send only what changed, on both destinations (the ledger).

Every run conserves its rows: planned = sent + rejected + invalid + duplicates + unchanged +
not_sent; a second run of the same data sends nothing; a change reaches exactly the changed
people; ``send_all`` sends everyone again.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from app.core.cancel import CancelToken
from app.core.export import Progress
from app.core.export.runner import ExportRunner
from tests.integration.conftest import SIM_KEY, SimFactory
from tests.integration.exporting import HEADER, World, customer_rows, expected_emails, make_world
from tests.integration.ortto_world import ORTTO_KEY, make_ortto_world
from tests.support.ortto_sim import OrttoSimulator

ROWS = 600


def conserved(run: Any) -> bool:
    states = run.sent + run.rejected + run.invalid + run.duplicates + run.unchanged + run.not_sent
    return bool((run.planned == states and run.not_sent == 0) or run.status != "succeeded")


def change_every_twentieth(path: Path, rows: int) -> set[str]:
    """Rewrite the customer file with new points for every 20th row; the emails that changed."""
    lines, changed = [], set()
    for line in customer_rows(rows):
        cells = line.split(";")
        if int(cells[0]) % 20 == 0:
            cells[5] = "9999"
            if "@" in cells[3]:
                changed.add(cells[3].lower())
        lines.append(";".join(cells))
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return changed & expected_emails(rows)


def autopilot_upserts(sim: Any) -> Counter[str]:
    seen: Counter[str] = Counter()
    for request in sim.requests("/contacts"):
        if request.method == "POST" and request.status == 200:
            seen.update(c["Email"].lower() for c in request.body["contacts"])
    return seen


def ortto_merges(sim: Any) -> Counter[str]:
    seen: Counter[str] = Counter()
    for request in sim.requests("/person/merge"):
        if request.status == 200:
            seen.update(p["fields"]["str::email"].lower() for p in request.body["people"])
    return seen


def run_autopilot(world: World, runner: ExportRunner, **plan: Any) -> Any:
    return runner.run(runner.plan(world.export, **plan), SIM_KEY)


def test_autopilot_a_second_run_of_the_same_data_sends_nothing(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=ROWS)
    runner = world.runner()
    first = run_autopilot(world, runner)
    assert first.status == "succeeded" and first.unchanged == 0 and conserved(first)
    before = autopilot_upserts(sim)

    second = run_autopilot(world, runner)
    assert second.status == "succeeded"
    assert second.sent == 0 and second.unchanged == len(expected_emails(ROWS))
    assert conserved(second) and second.to_json()["unchanged"] == second.unchanged
    assert autopilot_upserts(sim) == before, "nothing was sent again"


def test_autopilot_a_change_sends_exactly_the_changed_people_and_all_sends_everyone(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=ROWS)
    runner = world.runner()
    run_autopilot(world, runner)
    before = autopilot_upserts(sim)

    changed = change_every_twentieth(tmp_path / "customers.csv", ROWS)
    world.ctx.profiles.import_file(tmp_path / "customers.csv", "Customers")
    second = run_autopilot(world, runner)
    after = autopilot_upserts(sim)
    assert second.sent == len(changed) and conserved(second)
    assert set((after - before).elements()) == changed
    assert sim.contacts()[sorted(changed)[0]]["custom"]  # the new value arrived

    everyone = run_autopilot(world, runner, send_all=True)
    assert everyone.sent == len(expected_emails(ROWS)) and everyone.unchanged == 0
    assert conserved(everyone)


def test_autopilot_a_cancelled_run_resumed_leaves_nothing_to_send(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=3000, rate_limit=20.0)
    runner = world.runner()
    cancel = CancelToken()
    seen = 0

    def on_progress(progress: Progress) -> None:
        nonlocal seen
        seen += 1
        if seen == 3:
            cancel.cancel("test")

    run = runner.run(runner.plan(world.export), SIM_KEY, on_progress=on_progress, cancel=cancel)
    assert run.status == "cancelled" and run.sent > 0
    resumed = runner.run(runner.plan_resume(run.run_id), SIM_KEY, run_id=run.run_id)
    assert resumed.status == "succeeded" and resumed.unchanged == 0
    assert resumed.sent == len(expected_emails(3000)) and conserved(resumed)
    again = run_autopilot(world, runner)
    assert again.sent == 0 and again.unchanged == len(expected_emails(3000))


def test_a_new_connection_starts_the_record_afresh_and_says_so(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    from dataclasses import replace

    sim = make_sim()
    world = make_world(tmp_path, sim, rows=200)
    runner = world.runner()
    run_autopilot(world, runner)
    other = make_sim()
    connection = world.ctx.connections.get("Sim")
    world.ctx.connections.save(replace(connection, base_url=other.base_url))
    again = run_autopilot(world, runner)
    assert again.sent == len(expected_emails(200)) and again.unchanged == 0
    assert any("starts afresh" in warning for warning in again.warnings)
    assert set(other.contacts()) == expected_emails(200)


def test_removing_the_export_forgets_what_was_sent(tmp_path: Path, make_sim: SimFactory) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=100)
    run_autopilot(world, world.runner())
    assert world.ctx.services.ledger.size("Weekly") > 0
    world.ctx.exports.remove("Weekly")
    assert world.ctx.services.ledger.size("Weekly") == 0


def test_a_dry_run_writes_only_what_changed(tmp_path: Path, make_sim: SimFactory) -> None:
    import json

    sim = make_sim()
    world = make_world(tmp_path, sim, rows=ROWS)
    runner = world.runner()
    run_autopilot(world, runner)
    changed = change_every_twentieth(tmp_path / "customers.csv", ROWS)
    world.ctx.profiles.import_file(tmp_path / "customers.csv", "Customers")
    output = tmp_path / "dry.jsonl"
    dry = runner.dry_run(runner.plan(world.export), output)
    written = {
        c["Email"].lower()
        for line in output.read_text(encoding="utf-8").splitlines()
        for c in json.loads(line)["contacts"]
    }
    assert written == changed and dry.unchanged == len(expected_emails(ROWS)) - len(changed)


def test_ortto_repeated_runs_send_only_what_changed(tmp_path: Path, ortto: OrttoSimulator) -> None:
    world = make_ortto_world(tmp_path, ortto, rows=ROWS)
    runner = world.runner()
    first: Any = world.run()
    assert first.status == "succeeded" and conserved(first)
    before = ortto_merges(ortto)

    second: Any = world.run()
    assert second.sent == 0 and second.unchanged == len(expected_emails(ROWS))
    assert ortto_merges(ortto) == before and conserved(second)

    changed = change_every_twentieth(tmp_path / "customers.csv", ROWS)
    world.ctx.profiles.import_file(tmp_path / "customers.csv", "Customers")
    third: Any = world.run()
    assert third.sent == len(changed) and conserved(third)
    assert set((ortto_merges(ortto) - before).elements()) == changed
    person = ortto.person(sorted(changed)[0])
    assert person is not None and 9999 in person["fields"].values()
    assert ortto.tagged("Everyone") == expected_emails(ROWS)

    everyone = runner.run(runner.plan(world.export, send_all=True), ORTTO_KEY)
    assert everyone.sent == len(expected_emails(ROWS)) and conserved(everyone)
