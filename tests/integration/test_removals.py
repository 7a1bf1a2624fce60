"""Removing who left (``remove_departed``), on both destinations, against the local test servers.

People who left a segment lose exactly that list membership or tag and nothing else: the contact
stays, with its fields and subscription; someone the destination no longer has in the audience
counts as done; a removal of more than half of a list stops before anything is sent unless
allowed; a cancelled run resumes its removals without repeating one; every run conserves its
rows (removals are not rows of the plan).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.core.cancel import CancelToken
from app.core.export import MassRemoval, Progress
from app.core.export.runner import ExportRunner
from tests.integration.conftest import SIM_KEY, SimFactory
from tests.integration.exporting import HEADER, World, customer_rows, make_world
from tests.integration.ortto_world import ORTTO_KEY, OrttoWorld, make_ortto_world
from tests.integration.test_repeated_runs import conserved
from tests.support.ortto_sim import OrttoSimulator


def valid_emails(lines: list[str]) -> set[str]:
    """The lower-cased emails a correct export of these customer lines delivers."""
    return {line.split(";")[3].lower() for line in lines if "@" in line.split(";")[3]}


def keep_rows(path: Path, rows: int, leaves: Any) -> tuple[set[str], set[str]]:
    """Rewrite the customer file without the rows ``leaves(id)`` picks; (stay, departed)."""
    everyone = customer_rows(rows)
    kept = [line for line in everyone if not leaves(int(line.split(";")[0]))]
    path.write_text("\n".join([HEADER, *kept]) + "\n", encoding="utf-8")
    stay = valid_emails(kept)
    return stay, valid_emails(everyone) - stay


def every(n: int) -> Any:
    """Every n-th customer leaves, except one whose duplicate row would take its place (that
    row becomes the person's first valid one, with other fields: sent, not departed)."""
    return lambda i: i % n == 0 and (i + 1) % 101 != 0


def removing(world: World | OrttoWorld) -> None:
    world.export = world.ctx.exports.save(replace(world.export, remove_departed=True))


def deletes(sim: Any) -> Counter[str]:
    """Emails by how many DELETEs of a list membership the Autopilot server answered."""
    seen: Counter[str] = Counter()
    for request in sim.requests():
        if request.method == "DELETE" and request.status in (200, 404):
            seen[request.path.rsplit("/", 1)[1].lower()] += 1
    return seen


def untags(sim: Any) -> Counter[str]:
    """Emails by how many answered merges took a tag off them."""
    seen: Counter[str] = Counter()
    for request in sim.requests("/person/merge"):
        if request.status == 200:
            for person in request.body["people"]:
                if person.get("unset_tags"):
                    seen[person["fields"]["str::email"]] += 1
    return seen


def run(world: World | OrttoWorld, runner: ExportRunner, **options: Any) -> Any:
    key = ORTTO_KEY if isinstance(world, OrttoWorld) else SIM_KEY
    plan_options = {k: options.pop(k) for k in ("allow_mass_removal",) if k in options}
    return runner.run(runner.plan(world.export, **plan_options), key, **options)


# -- Autopilot ----------------------------------------------------------------------------------


def test_autopilot_people_who_left_lose_only_the_list_membership(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=600)
    removing(world)
    runner = world.runner()
    first = run(world, runner)
    assert first.status == "succeeded" and first.removed == 0 and conserved(first)
    list_id = first.lists["Everyone"]
    before = sim.contacts()

    stay, departed = keep_rows(tmp_path / "customers.csv", 600, every(8))
    world.ctx.profiles.import_file(tmp_path / "customers.csv", "Customers")
    gone_already = sorted(departed)[0]  # taken off the list in Autopilot meanwhile: a 404
    with sim.store.lock:
        del sim.store.lists[list_id].members[gone_already]

    second = run(world, runner)
    assert second.status == "succeeded" and conserved(second)
    assert second.removed == len(departed) and second.sent == 0
    assert second.to_json()["removed"] == len(departed)
    assert set(sim.list_members(list_id)) == stay
    assert sim.contacts() == before, "no contact deleted, no field or subscription touched"
    assert deletes(sim) == Counter(dict.fromkeys(departed, 1))
    answers = {r.path.rsplit("/", 1)[1]: r.status for r in sim.requests() if r.method == "DELETE"}
    assert answers[gone_already] == 404
    assert not any(r.path.startswith("/contact/") for r in sim.requests() if r.method == "DELETE")
    details = world.ctx.runs.row_details(second.run_id, ("removed",))
    assert {row.email for row in details} == departed
    report = {row.state for row in world.ctx.runs.row_details(second.run_id)}
    assert report == {"invalid"}, "removed people are not in the rejected report"
    assert world.ctx.services.ledger.size("Weekly") == len(stay)

    third = run(world, runner)
    assert third.removed == 0 and third.sent == 0 and conserved(third)
    assert deletes(sim) == Counter(dict.fromkeys(departed, 1)), "nobody removed twice"


def test_without_the_option_nobody_is_removed(tmp_path: Path, make_sim: SimFactory) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=200)
    runner = world.runner()
    first = run(world, runner)
    keep_rows(tmp_path / "customers.csv", 200, every(2))
    world.ctx.profiles.import_file(tmp_path / "customers.csv", "Customers")
    second = run(world, runner)
    assert second.removed == 0 and second.status == "succeeded"
    assert not deletes(sim)
    assert len(sim.list_members(first.lists["Everyone"])) == len(valid_emails(customer_rows(200)))


def test_a_removal_of_most_of_a_list_stops_before_sending_unless_allowed(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=300)
    removing(world)
    runner = world.runner()
    first = run(world, runner)
    members = len(valid_emails(customer_rows(300)))
    stay, departed = keep_rows(tmp_path / "customers.csv", 300, lambda i: i % 3 != 0)
    world.ctx.profiles.import_file(tmp_path / "customers.csv", "Customers")
    assert len(departed) * 2 > members
    requests = len(sim.requests())

    with pytest.raises(MassRemoval) as refused:
        run(world, runner)
    message = str(refused.value)
    assert "--allow-mass-removal" in message and "'Everyone'" in message
    assert f"{len(departed):,} of the {members:,}" in message
    assert refused.value.exit_code == 2
    assert refused.value.removals[0].departed == len(departed)
    assert len(sim.requests()) == requests, "nothing was sent or removed"
    assert [r.run_id for r in world.ctx.runs.all()] == [first.run_id], "no run was recorded"

    dry = runner.dry_run(runner.plan(world.export), tmp_path / "dry.jsonl")
    assert any(f"would remove {len(departed):,} people" in w for w in dry.warnings)
    assert any("--allow-mass-removal" in w for w in dry.warnings)
    assert len(sim.requests()) == requests and dry.removed == 0

    allowed = run(world, runner, allow_mass_removal=True)
    assert allowed.status == "succeeded" and allowed.removed == len(departed)
    assert allowed.snapshot["allow_mass_removal"] is True
    assert set(sim.list_members(first.lists["Everyone"])) == stay


def test_autopilot_a_run_cancelled_while_removing_resumes_without_repeating_one(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=900, rate_limit=60.0)
    removing(world)
    runner = world.runner()
    first = run(world, runner)
    stay, departed = keep_rows(tmp_path / "customers.csv", 900, every(6))
    world.ctx.profiles.import_file(tmp_path / "customers.csv", "Customers")

    cancel = CancelToken()
    phases: list[str] = []

    def on_progress(progress: Progress) -> None:
        phases.append(progress.phase)
        if progress.phase == "removing" and progress.removals_done >= 20:
            cancel.cancel("test")

    cut = runner.run(runner.plan(world.export), SIM_KEY, on_progress=on_progress, cancel=cancel)
    assert cut.status == "cancelled" and 20 <= cut.removed < len(departed)
    assert "removing" in phases and conserved(cut)
    assert max(deletes(sim).values()) == 1

    resumed = runner.run(runner.plan_resume(cut.run_id), SIM_KEY, run_id=cut.run_id)
    assert resumed.run_id == cut.run_id and resumed.status == "succeeded"
    assert resumed.removed == len(departed) and conserved(resumed)
    assert deletes(sim) == Counter(dict.fromkeys(departed, 1)), "none repeated"
    assert set(sim.list_members(first.lists["Everyone"])) == stay


# -- Ortto ---------------------------------------------------------------------------------------


def test_ortto_people_who_left_lose_only_the_tag(tmp_path: Path, ortto: OrttoSimulator) -> None:
    world = make_ortto_world(tmp_path, ortto, rows=600)
    removing(world)
    runner = world.runner()
    first = run(world, runner)
    assert first.status == "succeeded" and conserved(first)
    ortto.put_person({"str::email": "someone.else@example.com"}, ["Everyone", "VIP"])
    before = ortto.people()

    stay, departed = keep_rows(tmp_path / "customers.csv", 600, every(8))
    world.ctx.profiles.import_file(tmp_path / "customers.csv", "Customers")
    deleted = sorted(departed)[0]  # deleted in Ortto meanwhile: must not come back
    with ortto.store.lock:
        del ortto.store.people[deleted]

    second = run(world, runner)
    assert second.status == "succeeded" and conserved(second)
    assert second.removed == len(departed) and second.sent == 0
    assert ortto.tagged("Everyone") == stay | {"someone.else@example.com"}
    after = ortto.people()
    assert deleted not in after, "removing nobody's tag created nobody"
    for email, person in before.items():
        if email == deleted:
            continue
        tags = [t for t in person["tags"] if email not in departed or t != "Everyone"]
        assert after[email] == {**person, "tags": tags}, email  # fields and consent untouched
    assert untags(ortto) == Counter(dict.fromkeys(departed, 1))
    for request in ortto.requests("/person/merge"):
        for person in request.body["people"]:
            if person.get("unset_tags"):
                assert person == {
                    "fields": {"str::email": person["fields"]["str::email"]},
                    "unset_tags": ["Everyone"],
                }
                assert request.body["skip_non_existing"] is True
                assert request.body["merge_strategy"] == 3

    third = run(world, runner)
    assert third.removed == 0 and untags(ortto) == Counter(dict.fromkeys(departed, 1))


def test_ortto_a_run_cancelled_while_removing_resumes_without_repeating_one(
    tmp_path: Path, ortto: OrttoSimulator
) -> None:
    world = make_ortto_world(tmp_path, ortto, rows=3000, rate_limit=40.0)
    removing(world)
    runner = world.runner()
    run(world, runner)
    stay, departed = keep_rows(tmp_path / "customers.csv", 3000, every(4))
    world.ctx.profiles.import_file(tmp_path / "customers.csv", "Customers")
    assert len(departed) > 500
    # Removals paced a quarter of a second apart, so the cancel lands between two of them
    # however busy the machine is (at 40 requests/s all of them could be answered first).
    slow = replace(world.ctx.connections.get("Ortto"), rate_limit=4.0)
    world.ctx.connections.save(slow)

    cancel = CancelToken()

    def on_progress(progress: Progress) -> None:
        if progress.phase == "removing" and progress.removals_done >= 100:
            cancel.cancel("test")

    cut = runner.run(runner.plan(world.export), ORTTO_KEY, on_progress=on_progress, cancel=cancel)
    assert cut.status == "cancelled" and 100 <= cut.removed < len(departed)
    assert conserved(cut) and max(untags(ortto).values()) == 1

    resumed = runner.run(runner.plan_resume(cut.run_id), ORTTO_KEY, run_id=cut.run_id)
    assert resumed.status == "succeeded" and resumed.removed == len(departed)
    assert conserved(resumed)
    assert untags(ortto) == Counter(dict.fromkeys(departed, 1)), "none repeated"
    assert ortto.tagged("Everyone") == stay


def test_ortto_a_suppressed_person_who_left_is_kept_for_another_try(
    tmp_path: Path, ortto: OrttoSimulator
) -> None:
    world = make_ortto_world(tmp_path, ortto, rows=200)
    removing(world)
    runner = world.runner()
    run(world, runner)
    stay, departed = keep_rows(tmp_path / "customers.csv", 200, every(10))
    world.ctx.profiles.import_file(tmp_path / "customers.csv", "Customers")
    blocked = sorted(departed)[0]
    ortto.suppress(blocked)

    second = run(world, runner)
    assert second.status == "succeeded" and second.removed == len(departed) - 1
    assert any("could not be taken off its tag" in w for w in second.warnings)
    refused = list(world.ctx.runs.row_details(second.run_id, ("not_removed",)))
    assert [(r.email, r.reason) for r in refused] == [(blocked, "Email is suppressed")]
    assert ortto.tagged("Everyone") == stay | {blocked}

    with ortto.store.lock:
        ortto.store.suppressed.clear()
    third = run(world, runner)
    assert third.removed == 1 and ortto.tagged("Everyone") == stay
