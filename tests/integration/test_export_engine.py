"""The export engine against the local Autopilot simulator, over the real client.

Each test asserts the exact final state in the simulator and that every (segment, row) ends in
exactly one state: planned = sent + rejected + invalid + duplicates + not_sent.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest

from app.core.cancel import CancelToken
from app.core.connections import Connection
from app.core.export import PlanProblems, Progress
from app.core.store import utc_now
from tests.integration.conftest import SIM_KEY, SimFactory
from tests.integration.exporting import SWEDEN, expected_emails, make_world

ROWS = 950


def assert_conserved(run: object) -> None:
    r = run  # Run
    assert r.planned == r.sent + r.rejected + r.invalid + r.duplicates + r.not_sent  # type: ignore[attr-defined]


def upserted_emails(sim: object) -> Counter[str]:
    """How many times each email arrived in a bulk upsert."""
    seen: Counter[str] = Counter()
    for request in sim.requests():  # type: ignore[attr-defined]
        if (
            request.method == "POST"
            and request.path.endswith("/contacts")
            and request.status == 200
        ):
            for contact in request.body["contacts"]:
                seen[contact["Email"].lower()] += 1
    return seen


def test_exact_delivery_of_one_segment(tmp_path: Path, make_sim: SimFactory) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=ROWS)
    runner = world.runner()
    plan = runner.plan(world.export)
    run = runner.run(plan, SIM_KEY)

    expected = expected_emails(ROWS)
    assert run.status == "succeeded"
    assert run.sent == len(expected) == run.unique_profiles
    assert run.invalid == ROWS // 97 and run.duplicates > 0 and run.not_sent == 0
    assert_conserved(run)
    contacts = sim.contacts()
    assert set(contacts) == expected
    sample = contacts["person5@example.com"]
    assert sample["fields"]["FirstName"] == "First5"
    assert set(sample["custom"]) == {"Loyalty Points"} or set(sample["custom"]) == {
        "integer--Loyalty--Points"
    }
    (list_id,) = [lst["list_id"] for lst in sim.lists() if lst["title"] == "Everyone"]
    assert set(sim.list_members(list_id)) == expected
    assert run.lists == {"Everyone": list_id}
    # No consent column mapped: the flag is never sent (sending false would re-subscribe).
    assert not any(
        "unsubscribed" in c
        for r in sim.requests()
        if r.path == "/contacts"
        for c in r.body["contacts"]
    )


def test_profile_in_two_segments_goes_to_both_lists(tmp_path: Path, make_sim: SimFactory) -> None:
    from app.core.segments import Segment

    sim = make_sim()
    everyone = Segment("Everyone", "Customers", "all", ())
    world = make_world(tmp_path, sim, rows=ROWS, segments=(SWEDEN, everyone))
    runner = world.runner()
    run = runner.run(runner.plan(world.export), SIM_KEY)

    sweden, all_ = expected_emails(ROWS, country="SE"), expected_emails(ROWS)
    lists = {lst["title"]: lst["list_id"] for lst in sim.lists()}
    assert set(sim.list_members(lists["Sweden"])) == sweden
    assert set(sim.list_members(lists["Everyone"])) == all_
    assert run.sent == len(sweden) + len(all_)  # counted once per segment
    assert run.unique_profiles == len(all_)
    assert_conserved(run)


def test_existing_list_is_reused_not_duplicated(tmp_path: Path, make_sim: SimFactory) -> None:
    sim = make_sim()
    existing = sim.create_list("everyone ")
    world = make_world(tmp_path, sim, rows=120)
    runner = world.runner()
    run = runner.run(runner.plan(world.export), SIM_KEY)
    assert [lst["title"] for lst in sim.lists()] == ["everyone "]
    assert run.lists == {"Everyone": existing}


@pytest.mark.parametrize("kinds", [("500",), ("503_html",), ("reset",), ("commit_timeout",)])
def test_faults_end_in_exact_state(
    tmp_path: Path, make_sim: SimFactory, kinds: tuple[str, ...]
) -> None:
    sim = make_sim(slow_seconds=1.5)
    sim.set_fault_rates({kind: 0.2 for kind in kinds}, path="/contacts")
    world = make_world(tmp_path, sim, rows=ROWS)
    runner = world.runner()
    run = runner.run(runner.plan(world.export), SIM_KEY)
    sim.clear_faults()
    assert run.status == "succeeded", run.error
    assert set(sim.contacts()) == expected_emails(ROWS)
    assert run.sent == len(expected_emails(ROWS))
    assert_conserved(run)


def test_contact_missing_from_the_answer_is_rejected(tmp_path: Path, make_sim: SimFactory) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=3)
    # Autopilot answers 200 but leaves person3 out of email_contact_map: it was not stored.
    answer = {
        "contact_ids": ["person_1", "person_2"],
        "email_contact_map": {"PERSON1@example.com": "person_1", "person2@example.com": "person_2"},
    }
    sim.fail_next("status", 1, path="/contacts", status=200, body=answer)
    runner = world.runner()
    run = runner.run(runner.plan(world.export), SIM_KEY)
    assert run.status == "succeeded_with_rejections"
    assert (run.sent, run.rejected) == (2, 1)
    details = [d for d in world.ctx.runs.row_details(run.run_id) if d.state == "rejected"]
    assert [(d.row_number, d.email) for d in details] == [(3, "person3@example.com")]
    assert_conserved(run)


# A 200 with JSON that names no contact (a portal, a changed API) says nothing about them.
NOBODY = {"status": "ok"}


def test_an_answer_about_nobody_is_asked_again_never_taken_as_everyone_refused(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=250)
    sim.fail_next("status", 1, path="/contacts", status=200, body=NOBODY)
    runner = world.runner()
    run = runner.run(runner.plan(world.export), SIM_KEY)
    assert run.status == "succeeded" and run.rejected == 0
    assert run.sent == len(expected_emails(250))
    assert_conserved(run)


def test_answers_about_nobody_fail_the_run_resumably_with_nobody_rejected(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=250)
    sim.fail_next("status", 1000, path="/contacts", status=200, body=NOBODY)
    runner = world.runner()
    failed = runner.run(runner.plan(world.export), SIM_KEY)
    assert failed.status == "failed" and failed.rejected == 0 and failed.sent == 0
    assert "shape this program does not know" in (failed.error or "")
    assert_conserved(failed)
    sim.clear_faults()
    resumed = runner.run(runner.plan_resume(failed.run_id), SIM_KEY, run_id=failed.run_id)
    assert resumed.status == "succeeded" and resumed.sent == len(expected_emails(250))
    assert set(sim.contacts()) == expected_emails(250)


def test_a_refusal_of_every_contact_fails_the_run_with_its_reason_and_rejects_nobody(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=250)
    refusal = {"message": "Custom field integer--Points must be a number"}
    sim.fail_next("status", 1000, path="/contacts", status=400, body=refusal)
    runner = world.runner()
    failed = runner.run(runner.plan(world.export), SIM_KEY)
    assert failed.status == "failed" and failed.rejected == 0 and failed.sent == 0
    assert "must be a number" in (failed.error or "")
    posts = [r for r in sim.requests("/contacts") if r.method == "POST"]
    assert len(posts) < 50, "stopped long before two requests per contact"
    assert_conserved(failed)


def test_a_run_whose_every_row_is_invalid_fails_naming_the_commonest_reason(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    from dataclasses import replace

    from app.core.mapping import FieldMapping, Mapping

    sim = make_sim()
    world = make_world(tmp_path, sim, rows=120)
    # A number field fed from a text column: no row can be sent.
    wrong = Mapping(
        fields=(
            FieldMapping("Email", "PrimaryEmail"),
            FieldMapping("custom:integer:Loyalty Points", "FirstName"),
        )
    )
    export = world.ctx.exports.save(replace(world.export, mapping=wrong))
    runner = world.runner()
    run = runner.run(runner.plan(export), SIM_KEY)
    assert run.status == "failed" and run.sent == 0 and run.invalid == run.planned
    assert "Every row to send is invalid" in (run.error or "")
    assert "Loyalty Points" in (run.error or ""), run.error
    assert sim.requests() == [], "nothing was asked of Autopilot"
    assert_conserved(run)


def test_key_revoked_mid_run_stops_and_resumes_without_resending(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    sim = make_sim()
    sim.revoke_after_upserts(SIM_KEY, 3)
    world = make_world(tmp_path, sim, rows=ROWS)
    runner = world.runner()
    cancel = CancelToken()
    run = runner.run(runner.plan(world.export), SIM_KEY, cancel=cancel)
    assert run.status == "failed"
    assert not cancel.is_cancelled(), "the run stopped itself without cancelling its caller"
    assert "API key" in (run.error or "")
    assert SIM_KEY not in (run.error or "")
    assert 0 < run.sent < len(expected_emails(ROWS))
    first_pass = upserted_emails(sim)

    sim.add_key("apk-new-key-after-regeneration-0001")
    resumed = runner.run(
        runner.plan_resume(run.run_id), "apk-new-key-after-regeneration-0001", run_id=run.run_id
    )
    assert resumed.run_id == run.run_id
    assert resumed.status == "succeeded"
    assert set(sim.contacts()) == expected_emails(ROWS)
    assert resumed.sent == len(expected_emails(ROWS))
    total = upserted_emails(sim)
    confirmed_before = {e for e, n in first_pass.items() if n}
    # Nothing that was confirmed in the first pass was sent again.
    assert all(total[e] == first_pass[e] for e in confirmed_before)
    assert_conserved(resumed)


def test_cancel_stops_new_requests_and_resume_completes(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    sim = make_sim(rate=40.0, burst=2)
    world = make_world(tmp_path, sim, rows=ROWS, rate_limit=20.0)
    runner = world.runner()
    cancel = CancelToken()
    seen: list[Progress] = []

    def on_progress(progress: Progress) -> None:
        seen.append(progress)
        if progress.sent >= 200:
            cancel.cancel()

    run = runner.run(runner.plan(world.export), SIM_KEY, on_progress=on_progress, cancel=cancel)
    assert run.status == "cancelled"
    assert [p.phase for p in seen].count("cancelling") == 1
    assert 200 <= run.sent < len(expected_emails(ROWS))
    assert_conserved(run)
    requests_at_cancel = len(sim.requests())
    assert set(sim.contacts()) != expected_emails(ROWS)

    resumed = runner.run(runner.plan_resume(run.run_id), SIM_KEY, run_id=run.run_id)
    assert resumed.status == "succeeded"
    assert set(sim.contacts()) == expected_emails(ROWS)
    assert len(sim.requests()) > requests_at_cancel
    assert max(upserted_emails(sim).values()) == 1  # nothing confirmed was sent twice
    assert seen and seen[-1].total == len(expected_emails(ROWS))


def test_over_the_cap_is_refused_before_sending(tmp_path: Path, make_sim: SimFactory) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=300, profile_cap=100)
    with pytest.raises(PlanProblems) as caught:
        world.runner().plan(world.export)
    message = str(caught.value)
    assert "over the limit of 100" in message
    assert f"{len(expected_emails(300))}" in message
    assert sim.requests() == []


def test_dry_run_sends_nothing_and_writes_payloads(tmp_path: Path, make_sim: SimFactory) -> None:
    import json

    sim = make_sim()
    world = make_world(tmp_path, sim, rows=250)
    runner = world.runner()
    out = tmp_path / "payloads.jsonl"
    run = runner.dry_run(runner.plan(world.export), out)
    assert run.dry_run and run.status == "succeeded" and run.sent == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    emails = {c["Email"].lower() for line in lines for c in line["contacts"]}
    assert emails == expected_emails(250)
    assert all(len(line["contacts"]) <= 100 for line in lines)
    assert sim.requests() == []


def test_resume_refused_when_the_source_changed(tmp_path: Path, make_sim: SimFactory) -> None:
    from app.core.errors import UsageError

    sim = make_sim()
    sim.revoke_after_upserts(SIM_KEY, 1)
    world = make_world(tmp_path, sim, rows=300)
    runner = world.runner()
    run = runner.run(runner.plan(world.export), SIM_KEY)
    assert run.status == "failed"
    changed = tmp_path / "changed.csv"
    changed.write_text("CustomerId;PrimaryEmail;FirstName;Points\n1;a@example.com;A;1\n")
    world.ctx.profiles.import_file(changed, "Customers")
    with pytest.raises(UsageError, match="changed since run"):
        runner.plan_resume(run.run_id)
    refusal = runner.resume_refusal(world.ctx.runs.get(run.run_id))
    assert refusal is not None and "changed since run" in refusal, "said before it is asked"


def test_resume_after_the_connection_was_removed_says_which_and_what_to_do(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    from app.core.errors import UsageError

    sim = make_sim()
    sim.revoke_after_upserts(SIM_KEY, 1)
    world = make_world(tmp_path, sim, rows=300)
    runner = world.runner()
    run = runner.run(runner.plan(world.export), SIM_KEY)
    assert run.status == "failed"
    assert runner.resume_refusal(run) is None
    world.ctx.exports.remove("Weekly")
    world.ctx.keys.remove("Sim")
    with pytest.raises(UsageError) as refused:
        runner.plan_resume(run.run_id)
    message = str(refused.value)
    assert message == runner.resume_refusal(world.ctx.runs.get(run.run_id))
    assert "connection 'Sim'" in message and "was removed" in message
    assert "Add it again under the same name" in message
    new_key = "apk-new-key-for-the-connection-added-again-01"
    sim.add_key(new_key)
    world.ctx.keys.save(
        Connection("Sim", base_url=sim.base_url, rate_limit=150.0, consent_at=utc_now()), new_key
    )
    resumed = runner.run(runner.plan_resume(run.run_id), new_key, run_id=run.run_id)
    assert resumed.status == "succeeded" and set(sim.contacts()) == expected_emails(300)


def test_finished_run_cannot_be_resumed(tmp_path: Path, make_sim: SimFactory) -> None:
    from app.core.errors import UsageError

    sim = make_sim()
    world = make_world(tmp_path, sim, rows=20)
    runner = world.runner()
    run = runner.run(runner.plan(world.export), SIM_KEY)
    with pytest.raises(UsageError, match="already finished"):
        runner.plan_resume(run.run_id)


def test_no_thread_outlives_a_run(tmp_path: Path, make_sim: SimFactory) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=200)
    runner = world.runner()
    runner.run(runner.plan(world.export), SIM_KEY)
    engine_threads = [
        t.name for t in threading.enumerate() if t.name.startswith(("export-send", "run-heartbeat"))
    ]
    assert engine_threads == []


def test_an_error_on_the_main_thread_still_records_confirmed_batches(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=ROWS)
    runner = world.runner()
    calls = 0

    def broken_progress(progress: Progress) -> None:
        nonlocal calls
        calls += 1
        if progress.phase == "sending" and progress.sent >= 200:
            raise RuntimeError("a progress consumer failed")

    run = runner.run(runner.plan(world.export), SIM_KEY, on_progress=broken_progress)
    assert run.status == "failed"
    # Every contact Autopilot stored was recorded as sent: nothing confirmed is sent again.
    assert run.sent == len(sim.contacts())
    assert_conserved(run)


def test_cancel_while_looking_up_lists_is_prompt(tmp_path: Path, make_sim: SimFactory) -> None:
    sim = make_sim()
    sim.fail_next("503_html", 50, path="/lists")
    world = make_world(tmp_path, sim, rows=50)
    runner = world.runner(backoff_base=0.2, backoff_cap=0.5)
    cancel = CancelToken()

    def on_progress(progress: Progress) -> None:
        if progress.phase == "lists":
            cancel.cancel()

    run = runner.run(runner.plan(world.export), SIM_KEY, on_progress=on_progress, cancel=cancel)
    assert run.status == "cancelled"
    assert len([r for r in sim.requests() if r.path == "/lists"]) <= 1
    assert run.sent == 0 and run.not_sent == run.planned - run.invalid - run.duplicates
