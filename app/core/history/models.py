"""A run of an export, as the history shows it and the CLI prints it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.core.history.lifecycle import RunStatus
from app.core.store import to_iso


@dataclass(frozen=True)
class Run:
    run_id: int
    export: str
    status: RunStatus  # as seen when the run was read (lifecycle.status_at)
    dry_run: bool
    started_at: datetime
    finished_at: datetime | None
    duration_s: float
    planned: int
    sent: int
    rejected: int
    invalid: int
    duplicates: int
    unique_profiles: int
    lists: dict[str, str | None]
    warnings: tuple[str, ...]
    error: str | None
    snapshot: dict[str, Any] = field(repr=False, default_factory=dict)
    output_path: str | None = None
    details_purged: bool = False
    # Valid rows not sent because the destination already confirmed exactly them (the ledger).
    unchanged: int = 0
    # People taken off an audience because they left its segment; not rows of the plan.
    removed: int = 0

    @property
    def service(self) -> str:
        """The destination the run sent to (runs from before there were two: Autopilot)."""
        connection = self.snapshot.get("connection") or {}
        return str(connection.get("service") or "autopilot")

    @property
    def not_sent(self) -> int:
        # Not clamped at zero: a negative number would reveal a counting bug instead of hiding it.
        return (
            self.planned
            - self.sent
            - self.rejected
            - self.invalid
            - self.duplicates
            - self.unchanged
        )

    def to_json(self) -> dict[str, object]:
        """DESIGN.md section 4: one object per run."""
        data: dict[str, object] = {
            "run_id": self.run_id,
            "export": self.export,
            "status": self.status.value,
            "dry_run": self.dry_run,
            "started_at": to_iso(self.started_at),
            "finished_at": to_iso(self.finished_at),
            "duration_s": round(self.duration_s, 3),
            "planned": self.planned,
            "sent": self.sent,
            "rejected": self.rejected,
            "invalid": self.invalid,
            "duplicates": self.duplicates,
            "unchanged": self.unchanged,
            "not_sent": self.not_sent,
            "removed": self.removed,
            "unique_profiles": self.unique_profiles,
            "service": self.service,
            "lists": None if self.dry_run else dict(self.lists),
            "warnings": list(self.warnings),
            "error": self.error,
        }
        if self.dry_run:
            data["output"] = self.output_path
        return data


@dataclass(frozen=True)
class LedgerEntry:
    """An email the destination confirmed for a segment, and the hash of what it confirmed."""

    segment: str
    email_key: str
    hash: str


@dataclass(frozen=True)
class RowDetail:
    """A rejected or invalid row, for the report (personal data: kept for the retention period)."""

    segment: str
    row_number: int
    state: str
    email: str
    reason: str


@dataclass(frozen=True)
class InvalidMember:
    """A member of the export's segment ``segment_index`` that is never sent, and why."""

    segment_index: int
    row_number: int
    email: str
    reason: str


@dataclass(frozen=True)
class RejectedContact:
    """A contact of a batch that Autopilot refused or did not confirm, and why."""

    row_number: int
    email: str
    reason: str
