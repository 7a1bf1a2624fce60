"""The export engine sending to the local Ortto test server, over the real client.

The same guarantees as for Autopilot Journeys (test_export_engine.py): the exact final state
(people, their fields, the segment's tag), every (segment, row) in exactly one state, Ortto's own
verdicts on people reported with its reasons, faults and a refused key survived by resume.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from app.core.cancel import CancelToken
from app.core.errors import UsageError
from app.core.export import Progress
from tests.integration.exporting import SWEDEN, expected_emails
from tests.integration.ortto_world import (
    LOYALTY,
    LOYALTY_ID,
    ORTTO_KEY,
    OrttoWorld,
    make_ortto_world,
)
from tests.support.ortto_sim import COMMIT_TIMEOUT, ERROR_500, HTML_503, RESET, OrttoSimulator

ROWS = 950
LONG = 3000


def conserved(run: Any) -> bool:
    return bool(
        run.planned == run.sent + run.rejected + run.invalid + run.duplicates + run.not_sent
    )


def merged_people(sim: OrttoSimulator) -> list[dict[str, Any]]:
    """Every person of every merge the server answered 200."""
    people: list[dict[str, Any]] = []
    for request in sim.requests("/person/merge"):
        if request.status == 200:
            people += request.body["people"]
    return people


def assert_exact(world: OrttoWorld, expected: set[str], tag: str) -> None:
    sim = world.sim
    assert set(sim.people()) == expected
    assert sim.tagged(tag) == expected
    person = sim.person("person5@example.com")
    assert person is not None
    assert person["fields"]["str::first"] == "First5"
    assert isinstance(person["fields"][LOYALTY_ID], int)
    assert not sim.ever_banned


def test_exact_delivery_of_one_segment_as_a_tag(tmp_path: Path, ortto: OrttoSimulator) -> None:
    world = make_ortto_world(tmp_path, ortto, rows=ROWS)
    run: Any = world.run()
    expected = expected_emails(ROWS)
    assert run.status == "succeeded"
    assert run.service == "ortto"
    assert run.sent == len(expected) and conserved(run)
    assert run.lists == {"Everyone": "Everyone"}
    assert_exact(world, expected, "Everyone")
    bodies = [r.body for r in ortto.requests("/person/merge")]
    assert all(body["async"] is False and body["merge_by"] == ["str::email"] for body in bodies)
    assert all(len(body["people"]) <= 100 for body in bodies)
    # Nobody's email permission is touched when no consent column is mapped.
    assert not any("bol::p" in person["fields"] for person in merged_people(ortto))


def test_a_profile_in_two_segments_gets_both_tags(tmp_path: Path, ortto: OrttoSimulator) -> None:
    from app.core.segments import Segment

    everyone = Segment("Everyone", "Customers", "all", ())
    world = make_ortto_world(tmp_path, ortto, rows=300, segments=(SWEDEN, everyone))
    run: Any = world.run()
    assert run.status == "succeeded" and conserved(run)
    assert ortto.tagged("Sweden") == expected_emails(300, country="SE")
    assert ortto.tagged("Everyone") == expected_emails(300)


def test_suppressed_people_are_rejected_with_ortto_s_reason(
    tmp_path: Path, ortto: OrttoSimulator
) -> None:
    ortto.suppress("person3@example.com", "person4@example.com")
    world = make_ortto_world(tmp_path, ortto, rows=120)
    run: Any = world.run()
    assert run.status == "succeeded_with_rejections"
    assert run.rejected == 2 and conserved(run)
    details = world.ctx.runs.row_details(run.run_id)
    reasons = {d.email: d.reason for d in details if d.state == "rejected"}
    assert set(reasons) == {"person3@example.com", "person4@example.com"}
    assert all("suppressed" in reason.lower() for reason in reasons.values())
    assert ortto.person("person3@example.com") is None


def test_opted_out_people_get_email_permission_off_and_nobody_gets_it_on(
    tmp_path: Path, ortto: OrttoSimulator
) -> None:
    world = make_ortto_world(tmp_path, ortto, rows=60, consent_column="Country")
    # The consent column says "opted out" for nobody here (NO/SE are not yes-words) ...
    world.run()
    assert not any("bol::p" in p["fields"] for p in merged_people(ortto))


def test_twenty_percent_faults_end_in_the_exact_state(
    tmp_path: Path, ortto: OrttoSimulator
) -> None:
    ortto.set_fault_rates(
        {ERROR_500: 0.05, HTML_503: 0.05, RESET: 0.05, COMMIT_TIMEOUT: 0.05}, seed=5
    )
    world = make_ortto_world(tmp_path, ortto, rows=ROWS)
    run: Any = world.run()
    ortto.clear_faults()
    expected = expected_emails(ROWS)
    assert run.status == "succeeded", run.error
    assert run.sent == len(expected) and conserved(run)
    assert_exact(world, expected, "Everyone")


def test_a_missing_custom_field_is_refused_before_anything_is_sent(
    tmp_path: Path,
) -> None:
    with OrttoSimulator(keys={ORTTO_KEY}, rate=300.0, burst=60, seed=3) as sim:
        world = make_ortto_world(tmp_path, sim, rows=50)
        with pytest.raises(UsageError) as refused:
            world.run()
        assert LOYALTY in str(refused.value)
        assert sim.requests("/person/merge") == []
        assert sim.custom_fields() == {}
        assert world.ctx.runs.all() == [], "nothing was started"


def test_a_missing_custom_field_is_created_after_the_user_said_yes(tmp_path: Path) -> None:
    with OrttoSimulator(keys={ORTTO_KEY}, rate=300.0, burst=60, seed=3) as sim:
        world = make_ortto_world(tmp_path, sim, rows=50, create_fields=True)
        run: Any = world.run()
        assert run.status == "succeeded"
        assert {f["name"] for f in sim.custom_fields().values()} == {LOYALTY}
        assert any(LOYALTY in warning for warning in run.warnings)
        assert set(sim.people()) == expected_emails(50)


def test_a_refused_key_in_the_middle_stops_the_run_and_resume_finishes_it(
    tmp_path: Path, ortto: OrttoSimulator
) -> None:
    # Paced slowly enough that most batches are still to be sent when the key is refused.
    world = make_ortto_world(tmp_path, ortto, rows=LONG, rate_limit=10.0)
    merges = 0
    lock = threading.Lock()

    def on_progress(progress: Progress) -> None:
        nonlocal merges
        with lock:
            merges += 1
            if merges == 3:
                ortto.disconnect_key(ORTTO_KEY)

    run: Any = world.run(on_progress=on_progress)
    assert run.status == "failed"
    assert "Ortto" in (run.error or "") and conserved(run)
    assert 0 < run.sent < len(expected_emails(LONG))
    attempts_401 = [r for r in ortto.requests("/person/merge") if r.status == 401]
    assert len(attempts_401) <= 6, "a refused key stops the run, it does not loop"

    ortto.add_key(ORTTO_KEY)
    runner = world.runner()
    resumed: Any = runner.run(runner.plan_resume(run.run_id), ORTTO_KEY, run_id=run.run_id)
    expected = expected_emails(LONG)
    assert resumed.status == "succeeded" and resumed.sent == len(expected)
    assert conserved(resumed)
    assert_exact(world, expected, "Everyone")


def test_cancel_then_resume_sends_each_person_once_more_at_most(
    tmp_path: Path, ortto: OrttoSimulator
) -> None:
    world = make_ortto_world(tmp_path, ortto, rows=LONG, rate_limit=10.0)
    cancel = CancelToken()
    seen = 0

    def on_progress(progress: Progress) -> None:
        nonlocal seen
        seen += 1
        if seen == 2:
            cancel.cancel("test")

    run: Any = world.run(on_progress=on_progress, cancel=cancel)
    assert run.status == "cancelled" and conserved(run)
    runner = world.runner()
    resumed: Any = runner.run(runner.plan_resume(run.run_id), ORTTO_KEY, run_id=run.run_id)
    expected = expected_emails(LONG)
    assert resumed.status == "succeeded" and conserved(resumed)
    assert_exact(world, expected, "Everyone")
    confirmed_batches = len(expected) // 100 + 1
    assert len(ortto.requests("/person/merge")) <= confirmed_batches + 24


def test_a_dry_run_writes_merge_bodies_with_tags_and_names_fields_to_create(
    tmp_path: Path, ortto: OrttoSimulator
) -> None:
    import json

    world = make_ortto_world(tmp_path, ortto, rows=250)
    world.ctx.connections.cache_fields("Ortto", [])  # as last read: the account has none
    runner = world.runner()
    output = tmp_path / "dry.jsonl"
    run: Any = runner.dry_run(runner.plan(world.export), output)
    bodies = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [len(b["people"]) for b in bodies] == [100, 100, len(expected_emails(250)) - 200]
    assert all(p["tags"] == ["Everyone"] for b in bodies for p in b["people"])
    assert any(LOYALTY in warning and "create" in warning for warning in run.warnings)
    assert ortto.requests() == [], "a dry run makes no request"
