"""The run history: checkpoints, status at read time, retention and the rejected-rows report."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.history import (
    InvalidMember,
    Lease,
    NewRun,
    RejectedContact,
    RowDetail,
    RunStatus,
    RunStore,
    RunTakenOverError,
    write_rejected_csv,
)
from app.core.store import StateStore

SNAPSHOT = {"segments": [{"name": "VIP", "match": "all", "rules": []}]}


class Now:
    def __init__(self) -> None:
        self.value = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.value


@pytest.fixture
def clock() -> Now:
    return Now()


@pytest.fixture
def runs(tmp_path: Path, clock: Now) -> RunStore:
    return RunStore(StateStore(tmp_path / "state.sqlite3"), now=clock)


def new_run(runs: RunStore, planned: int = 10) -> Lease:
    return runs.create(
        NewRun(
            "Weekly", None, False, SNAPSHOT, planned, invalid=1, duplicates=2, unique_profiles=7
        ),
        [InvalidMember(0, 3, "not-an-email", "Email is not valid")],
    )


def test_counts_add_up_from_batches(runs: RunStore) -> None:
    lease = new_run(runs)
    run_id = lease.run_id
    runs.record_batch(
        lease, 0, 0, sent=4, rejected_rows=[RejectedContact(5, "x@example.com", "refused")]
    )
    runs.record_batch(lease, 0, 1, sent=1, rejected_rows=[])
    run = runs.get(run_id)
    assert (run.sent, run.rejected, run.invalid, run.duplicates) == (5, 1, 1, 2)
    assert run.not_sent == 10 - 5 - 1 - 1 - 2
    assert runs.confirmed_batches(run_id) == {(0, 0), (0, 1)}


def test_recording_a_batch_twice_does_not_count_it_twice(runs: RunStore) -> None:
    lease = new_run(runs)
    run_id = lease.run_id
    runs.record_batch(lease, 0, 0, sent=4, rejected_rows=[])
    runs.record_batch(lease, 0, 0, sent=4, rejected_rows=[])
    assert runs.get(run_id).sent == 4


def test_running_run_with_stale_heartbeat_is_interrupted(runs: RunStore, clock: Now) -> None:
    lease = new_run(runs)
    run_id = lease.run_id
    assert runs.get(run_id).status == RunStatus.RUNNING  # this process is alive, heartbeat fresh
    clock.value += timedelta(seconds=31)
    assert runs.get(run_id).status == RunStatus.INTERRUPTED
    runs.heartbeat(lease)
    assert runs.get(run_id).status == RunStatus.RUNNING


def test_retention_purges_row_details_but_keeps_counts(runs: RunStore, clock: Now) -> None:
    lease = new_run(runs)
    run_id = lease.run_id
    runs.record_batch(
        lease, 0, 0, sent=4, rejected_rows=[RejectedContact(5, "x@example.com", "refused")]
    )
    runs.finish(lease, RunStatus.SUCCEEDED_WITH_REJECTIONS, active_seconds=2.0)
    assert runs.purge_expired(90) == 0
    clock.value += timedelta(days=91)
    assert runs.purge_expired(90) == 1
    run = runs.get(run_id)
    assert run.details_purged and run.sent == 4 and run.rejected == 1
    assert list(runs.row_details(run_id)) == []


def test_row_details_name_segments_in_order(runs: RunStore) -> None:
    lease = new_run(runs)
    run_id = lease.run_id
    runs.record_batch(
        lease, 0, 0, sent=1, rejected_rows=[RejectedContact(1, "a@example.com", "refused")]
    )
    details = list(runs.row_details(run_id))
    assert [(d.segment, d.row_number, d.state) for d in details] == [
        ("VIP", 1, "rejected"),
        ("VIP", 3, "invalid"),
    ]


def test_report_escapes_formulas(tmp_path: Path) -> None:
    rows = [
        RowDetail("=SUM(A1)", 2, "invalid", "+47 123", "-bad"),
        RowDetail("VIP", 3, "rejected", "@home", "ok"),
    ]
    path = tmp_path / "rejected.csv"
    assert write_rejected_csv(rows, path) == 2
    with path.open(encoding="utf-8-sig", newline="") as handle:
        data = list(csv.reader(handle))
    assert data[0] == ["segment", "row", "state", "email", "reason"]
    assert data[1] == ["'=SUM(A1)", "2", "invalid", "'+47 123", "'-bad"]
    assert data[2][3] == "'@home"


def test_only_one_of_two_resumes_claims_the_run(runs: RunStore, clock: Now) -> None:
    from app.core.errors import UsageError

    lease = new_run(runs)
    runs.finish(lease, RunStatus.CANCELLED, active_seconds=1.0)
    first = runs.claim_for_resume(lease.run_id)
    with pytest.raises(UsageError, match="still running"):
        runs.claim_for_resume(lease.run_id)
    # The first attempt keeps writing; the original lease is no longer valid.
    runs.record_batch(first, 0, 0, sent=3, rejected_rows=[])
    with pytest.raises(RunTakenOverError):
        runs.record_batch(lease, 0, 1, sent=3, rejected_rows=[])
    assert runs.get(lease.run_id).sent == 3


def test_a_stale_run_can_be_taken_over_and_the_old_attempt_stops(
    runs: RunStore, clock: Now
) -> None:
    lease = new_run(runs)
    clock.value += timedelta(seconds=31)  # the first attempt stopped beating (suspended, say)
    second = runs.claim_for_resume(lease.run_id)
    with pytest.raises(RunTakenOverError):
        runs.heartbeat(lease)
    with pytest.raises(RunTakenOverError):
        runs.finish(lease, RunStatus.SUCCEEDED, active_seconds=1.0)
    assert runs.finish(second, RunStatus.SUCCEEDED, active_seconds=1.0).status == "succeeded"


def test_purge_deletes_the_dry_run_file_in_the_reports_folder(tmp_path: Path, clock: Now) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    store = RunStore(StateStore(tmp_path / "s.sqlite3"), now=clock, reports_dir=reports)
    lease = new_run(store)
    payloads = reports / "dry-run-1.jsonl"
    payloads.write_text("{}\n")
    store.set_output_path(lease, str(payloads))
    store.finish(lease, RunStatus.SUCCEEDED, active_seconds=0.1)
    store.purge_details(lease.run_id)
    assert not payloads.exists()


def test_an_export_has_one_live_run_and_a_resume_of_another_waits_for_it(
    runs: RunStore, clock: Now
) -> None:
    from app.core.history.store import LiveRunError

    live = new_run(runs)
    with pytest.raises(LiveRunError, match=f"already running as run {live.run_id}"):
        new_run(runs)
    dry = runs.create(NewRun("weekly", None, True, SNAPSHOT, 10, 0, 0, 0), [])
    runs.finish(dry, RunStatus.SUCCEEDED, active_seconds=0.1)  # a dry run sends nothing

    clock.value += timedelta(seconds=31)  # the live run stopped beating: interrupted
    other = new_run(runs)
    with pytest.raises(LiveRunError, match=f"already running as run {other.run_id}"):
        runs.claim_for_resume(live.run_id)
    runs.finish(other, RunStatus.SUCCEEDED, active_seconds=1.0)
    assert runs.claim_for_resume(live.run_id).run_id == live.run_id


def test_a_killed_run_keeps_the_active_time_its_heartbeats_recorded(
    runs: RunStore, clock: Now
) -> None:
    lease = new_run(runs)
    for _ in range(4):  # 20 s of work, a beat every 5 s
        clock.value += timedelta(seconds=5)
        runs.heartbeat(lease)
    clock.value += timedelta(seconds=3)
    runs.record_batch(lease, 0, 0, sent=4, rejected_rows=[])
    assert runs.get(lease.run_id).duration_s == 23.0
    clock.value += timedelta(minutes=10)  # killed: no more beats
    interrupted = runs.get(lease.run_id)
    assert interrupted.status == RunStatus.INTERRUPTED and interrupted.duration_s == 23.0


def test_a_resumed_run_lasts_as_long_as_all_its_attempts(runs: RunStore, clock: Now) -> None:
    lease = new_run(runs)
    clock.value += timedelta(seconds=10)
    runs.heartbeat(lease)
    clock.value += timedelta(hours=1)  # killed after 10 s, resumed an hour later
    resumed = runs.claim_for_resume(lease.run_id)
    clock.value += timedelta(seconds=5)
    runs.heartbeat(resumed)
    clock.value += timedelta(seconds=2)
    assert runs.get(lease.run_id).duration_s == 17.0, "running: the time so far"
    runs.finish(resumed, RunStatus.CANCELLED, active_seconds=7.5)
    assert runs.get(lease.run_id).duration_s == 17.5
    clock.value += timedelta(hours=1)
    again = runs.claim_for_resume(lease.run_id)
    clock.value += timedelta(seconds=5)
    assert runs.finish(again, RunStatus.SUCCEEDED, active_seconds=4.0).duration_s == 21.5
