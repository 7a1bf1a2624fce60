"""The run lifecycle: statuses, liveness, the status at a given time, and what may be resumed."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.errors import UsageError
from app.core.history import (
    STATUS_WORDS,
    NewRun,
    Run,
    RunStatus,
    RunStore,
    can_resume,
    status_at,
)
from app.core.history.lifecycle import is_interrupted
from app.core.store import StateStore

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
ALIVE = os.getpid()
GONE = 2**22 + 12345  # above Linux's default pid_max


def make_run(status: RunStatus, **changes: object) -> Run:
    run = Run(
        run_id=7,
        export="Weekly",
        status=status,
        dry_run=False,
        started_at=NOW,
        finished_at=None,
        duration_s=1.0,
        planned=10,
        sent=4,
        rejected=0,
        invalid=1,
        duplicates=2,
        unique_profiles=7,
        lists={},
        warnings=(),
        error=None,
    )
    return replace(run, **changes)  # type: ignore[arg-type]


def test_statuses_keep_the_strings_of_the_json_and_the_store() -> None:
    assert [s.value for s in RunStatus] == [
        "running",
        "succeeded",
        "succeeded_with_rejections",
        "failed",
        "cancelled",
        "interrupted",
    ]
    assert RunStatus("cancelled") is RunStatus.CANCELLED
    assert json.dumps(make_run(RunStatus.FAILED).to_json()["status"]) == '"failed"'
    assert f"{RunStatus.SUCCEEDED}" == "succeeded"
    assert set(STATUS_WORDS) == set(RunStatus)
    assert [s for s in RunStatus if s.finished] == [
        RunStatus.SUCCEEDED,
        RunStatus.SUCCEEDED_WITH_REJECTIONS,
    ]


def test_running_run_of_a_dead_process_is_interrupted() -> None:
    now = datetime.now(UTC)
    assert not is_interrupted(os.getpid(), now, now)
    assert is_interrupted(2**22 + 12345, now, now)  # above Linux's default pid_max
    assert is_interrupted(None, None, now)


def test_a_running_run_is_interrupted_once_its_heartbeat_is_older_than_30_s() -> None:
    beat = NOW - timedelta(seconds=30)
    assert status_at(RunStatus.RUNNING, ALIVE, beat, NOW) is RunStatus.RUNNING
    later = NOW + timedelta(microseconds=1)
    assert status_at(RunStatus.RUNNING, ALIVE, beat, later) is RunStatus.INTERRUPTED


def test_a_running_run_whose_process_is_gone_is_interrupted_at_once() -> None:
    assert status_at(RunStatus.RUNNING, GONE, NOW, NOW) is RunStatus.INTERRUPTED
    assert status_at(RunStatus.RUNNING, None, None, NOW) is RunStatus.INTERRUPTED


@pytest.mark.parametrize(
    "status",
    [
        RunStatus.SUCCEEDED,
        RunStatus.SUCCEEDED_WITH_REJECTIONS,
        RunStatus.FAILED,
        RunStatus.CANCELLED,
    ],
)
def test_an_ended_run_keeps_its_status_whatever_its_heartbeat(status: RunStatus) -> None:
    assert status_at(status, GONE, NOW - timedelta(days=1), NOW) is status


@pytest.mark.parametrize("status", [RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.INTERRUPTED])
def test_failed_cancelled_and_interrupted_runs_may_be_resumed(status: RunStatus) -> None:
    assert can_resume(make_run(status)) is None


@pytest.mark.parametrize(
    ("run", "why", "message"),
    [
        (
            make_run(RunStatus.FAILED, dry_run=True),
            "dry run",
            "Run 7 was a dry run; start a new run instead.",
        ),
        (
            make_run(RunStatus.RUNNING),
            "running",
            "Run 7 is still running; wait for it or cancel it first.",
        ),
        (
            make_run(RunStatus.SUCCEEDED),
            "finished",
            "Run 7 already finished: it succeeded; there is nothing to resume.",
        ),
        (
            make_run(RunStatus.SUCCEEDED_WITH_REJECTIONS),
            "finished",
            "Run 7 already finished: it succeeded with rejections; there is nothing to resume.",
        ),
        (
            make_run(RunStatus.CANCELLED, details_purged=True),
            "purged",
            "The details of run 7 were deleted; start a new run instead.",
        ),
    ],
)
def test_refusals_say_why_in_the_users_words(run: Run, why: str, message: str) -> None:
    refusal = can_resume(run)
    assert refusal is not None
    assert (refusal.run_id, refusal.why, refusal.message) == (7, why, message)


def test_a_dry_run_is_refused_before_anything_else() -> None:
    refusal = can_resume(make_run(RunStatus.RUNNING, dry_run=True, details_purged=True))
    assert refusal is not None and refusal.why == "dry run"


class Clock:
    def __init__(self) -> None:
        self.value = NOW

    def __call__(self) -> datetime:
        return self.value


def test_claiming_a_run_follows_the_same_rule(tmp_path: Path) -> None:
    clock = Clock()
    runs = RunStore(StateStore(tmp_path / "state.sqlite3"), now=clock)
    snapshot = {"segments": [{"name": "VIP", "match": "all", "rules": []}]}
    lease = runs.create(NewRun("Weekly", None, False, snapshot, 10, 0, 0, 7), [])
    with pytest.raises(UsageError, match="still running; wait for it"):
        runs.claim_for_resume(lease.run_id)
    clock.value += timedelta(seconds=31)
    assert can_resume(runs.get(lease.run_id)) is None  # interrupted now
    second = runs.claim_for_resume(lease.run_id)
    runs.finish(second, RunStatus.CANCELLED, active_seconds=1.0)
    runs.purge_details(lease.run_id)
    with pytest.raises(UsageError, match="were deleted"):
        runs.claim_for_resume(lease.run_id)
    dry = runs.create(NewRun("Weekly", None, True, snapshot, 10, 0, 0, 7), [])
    runs.finish(dry, RunStatus.CANCELLED, active_seconds=1.0)
    with pytest.raises(UsageError, match="was a dry run"):
        runs.claim_for_resume(dry.run_id)
