"""The life of a run: its statuses, when a run that says "running" is alive, what may be resumed.

A run is recorded as running with its process id and a heartbeat, and ends succeeded, succeeded
with rejections, failed or cancelled. "Interrupted" is what a running run is seen as once its
process is gone or its heartbeat is older than 30 s (killed, lost power); it is written only when
a run stopped itself because the destination was not answering (app/core/export/health.py),
which resumes the same way.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from app.core.i18n import N_, _

if TYPE_CHECKING:
    from app.core.history.models import Run

HEARTBEAT_INTERVAL_S = 5.0
STALE_AFTER = timedelta(seconds=30)


class RunStatus(StrEnum):
    """The strings are the ones the JSON prints and the state store keeps."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    SUCCEEDED_WITH_REJECTIONS = "succeeded_with_rejections"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"

    @property
    def finished(self) -> bool:
        """Everything was sent or refused: the run is over and there is nothing to resume."""
        return self in (RunStatus.SUCCEEDED, RunStatus.SUCCEEDED_WITH_REJECTIONS)


# Marked for the catalog: the window shows them translated; the CLI and JSON in English.
STATUS_WORDS = {
    RunStatus.RUNNING: N_("Running"),
    RunStatus.SUCCEEDED: N_("Succeeded"),
    RunStatus.SUCCEEDED_WITH_REJECTIONS: N_("Succeeded with rejections"),
    RunStatus.FAILED: N_("Failed"),
    RunStatus.CANCELLED: N_("Cancelled"),
    RunStatus.INTERRUPTED: N_("Interrupted"),
}

# A finished run cannot be resumed: one sentence for each way of finishing.
_ALREADY_FINISHED = {
    RunStatus.SUCCEEDED: N_("Run {id} already finished: it succeeded; there is nothing to resume."),
    RunStatus.SUCCEEDED_WITH_REJECTIONS: N_(
        "Run {id} already finished: it succeeded with rejections; there is nothing to resume."
    ),
}


# -- liveness ---------------------------------------------------------------------------------


def process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":
        # os.kill(pid, 0) would send CTRL_C_EVENT on Windows; the heartbeat alone decides there.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_interrupted(pid: int | None, heartbeat_at: datetime | None, now: datetime) -> bool:
    """A running run is interrupted when its process is gone or its heartbeat is older than 30 s."""
    if pid is None or heartbeat_at is None:
        return True
    if now - heartbeat_at > STALE_AFTER:
        return True
    return not process_alive(pid)


def status_at(
    recorded: RunStatus, pid: int | None, heartbeat_at: datetime | None, now: datetime
) -> RunStatus:
    """The status of a run as seen at ``now``, from what its process last recorded."""
    if recorded is RunStatus.RUNNING and is_interrupted(pid, heartbeat_at, now):
        return RunStatus.INTERRUPTED
    return recorded


# -- resuming ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResumeRefusal:
    """Why a run may not be resumed, with the message the user reads."""

    run_id: int
    why: Literal["dry run", "running", "finished", "purged", "not started"]
    message: str


def can_resume(run: Run) -> ResumeRefusal | None:
    """None when ``run`` may be resumed (it failed, was cancelled or was interrupted).

    ``run.status`` is the status as seen when the run was read (:func:`status_at`); a run read a
    while ago is judged as it was then, since its heartbeat is only as fresh as that read.
    """
    run_id = run.run_id
    if run.dry_run:
        return ResumeRefusal(
            run_id,
            "dry run",
            _("Run {id} was a dry run; start a new run instead.").format(id=run_id),
        )
    if run.snapshot.get("not_started"):
        return ResumeRefusal(
            run_id,
            "not started",
            _("Run {id} failed before it sent anything; start a new run instead.").format(
                id=run_id
            ),
        )
    if run.status is RunStatus.RUNNING:
        return ResumeRefusal(
            run_id,
            "running",
            _("Run {id} is still running; wait for it or cancel it first.").format(id=run_id),
        )
    if run.status.finished:
        return ResumeRefusal(
            run_id,
            "finished",
            _(_ALREADY_FINISHED[run.status]).format(id=run_id),
        )
    if run.details_purged:
        return ResumeRefusal(
            run_id,
            "purged",
            _("The details of run {id} were deleted; start a new run instead.").format(id=run_id),
        )
    return None
