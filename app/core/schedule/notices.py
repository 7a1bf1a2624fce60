"""Which runs the window mentions when it opens: those that failed while it was closed.

The rule is deliberately simple: a real (not dry) run that failed or was interrupted and
started after the window was last closed. Such a run was not started by the window (it was
closed), so it was a scheduled run or one from the command line, and nobody has seen it fail.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from app.core.history import Run
from app.core.history.lifecycle import RunStatus

UNSEEN = (RunStatus.FAILED, RunStatus.INTERRUPTED)


def failed_while_closed(runs: Iterable[Run], closed_at: datetime | None) -> list[Run]:
    """The runs to mention, in the order given (the history's: newest first). Nothing before
    the window was ever closed: the first start has no "since"."""
    if closed_at is None:
        return []
    return [
        run
        for run in runs
        if not run.dry_run and run.status in UNSEEN and run.started_at > closed_at
    ]
