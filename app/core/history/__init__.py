"""The history of runs: status, counts, checkpoints and row details."""

from app.core.history.lifecycle import (
    STATUS_WORDS,
    ResumeRefusal,
    RunStatus,
    can_resume,
    status_at,
)
from app.core.history.models import InvalidMember, LedgerEntry, RejectedContact, RowDetail, Run
from app.core.history.report import excel_safe, write_rejected_csv
from app.core.history.store import Lease, NewRun, RunStore, RunTakenOverError

__all__ = [
    "STATUS_WORDS",
    "InvalidMember",
    "Lease",
    "LedgerEntry",
    "NewRun",
    "RejectedContact",
    "ResumeRefusal",
    "RowDetail",
    "Run",
    "RunStatus",
    "RunStore",
    "RunTakenOverError",
    "can_resume",
    "excel_safe",
    "status_at",
    "write_rejected_csv",
]
