"""The history of runs: status, counts, checkpoints and row details."""

from app.core.history.models import (
    CANCELLED,
    FAILED,
    FINISHED,
    INTERRUPTED,
    RESUMABLE,
    RUNNING,
    STATUS_WORDS,
    SUCCEEDED,
    SUCCEEDED_WITH_REJECTIONS,
    RowDetail,
    Run,
)
from app.core.history.report import excel_safe, write_rejected_csv
from app.core.history.store import Lease, NewRun, RunStore, RunTakenOverError

__all__ = [
    "CANCELLED",
    "FAILED",
    "FINISHED",
    "INTERRUPTED",
    "RESUMABLE",
    "RUNNING",
    "STATUS_WORDS",
    "SUCCEEDED",
    "SUCCEEDED_WITH_REJECTIONS",
    "Lease",
    "NewRun",
    "RowDetail",
    "Run",
    "RunStore",
    "RunTakenOverError",
    "excel_safe",
    "write_rejected_csv",
]
