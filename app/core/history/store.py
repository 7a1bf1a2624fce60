"""Runs, per-batch checkpoints and row details in the state store.

A batch is written only after Autopilot confirmed it, in one transaction with its rejected rows,
so after any interruption the store says exactly which batches need not be sent again.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.core.errors import NotFoundError
from app.core.history import models as m
from app.core.history.liveness import is_interrupted
from app.core.store import StateStore, from_iso, to_iso, utc_now

Now = Callable[[], datetime]


@dataclass(frozen=True)
class NewRun:
    export: str
    export_id: int | None
    dry_run: bool
    snapshot: dict[str, Any]
    planned: int
    invalid: int
    duplicates: int
    unique_profiles: int
    warnings: tuple[str, ...] = ()
    output_path: str | None = None


class RunStore:
    def __init__(self, state: StateStore, *, now: Now = utc_now) -> None:
        self._state = state
        self._now = now

    # -- writing ---------------------------------------------------------------------------

    def create(self, run: NewRun, invalid_rows: Iterable[tuple[int, int, str, str]]) -> int:
        """Record a new run as running, with its invalid rows (segment, row, email, reason)."""
        now = to_iso(self._now())
        with self._state.transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs (export_id, export_name, dry_run, status, started_at, snapshot,"
                " planned, invalid, duplicates, unique_profiles, warnings, output_path, pid,"
                " heartbeat_at) VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run.export_id,
                    run.export,
                    int(run.dry_run),
                    now,
                    json.dumps(run.snapshot),
                    run.planned,
                    run.invalid,
                    run.duplicates,
                    run.unique_profiles,
                    json.dumps(list(run.warnings)),
                    run.output_path,
                    os.getpid(),
                    now,
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO run_rows (run_id, segment_index, row_number, state, email, reason)"
                " VALUES (?, ?, ?, 'invalid', ?, ?)",
                ((run_id, seg, row, email, reason) for seg, row, email, reason in invalid_rows),
            )
        return run_id

    def claim_for_resume(self, run_id: int) -> None:
        """Mark a resumable run as running again in this process."""
        now = to_iso(self._now())
        with self._state.transaction() as db:
            db.execute(
                "UPDATE runs SET status = 'running', pid = ?, heartbeat_at = ?, error = NULL,"
                " finished_at = NULL WHERE id = ?",
                (os.getpid(), now, run_id),
            )

    def record_batch(
        self,
        run_id: int,
        segment_index: int,
        batch_no: int,
        sent: int,
        rejected_rows: Iterable[tuple[int, str, str]],
    ) -> None:
        """One confirmed batch and its rejected rows (row, email, reason), atomically."""
        rows = list(rejected_rows)
        now = to_iso(self._now())
        with self._state.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO run_batches (run_id, segment_index, batch_no, sent,"
                " rejected, confirmed_at) VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, segment_index, batch_no, sent, len(rows), now),
            )
            db.executemany(
                "INSERT INTO run_rows (run_id, segment_index, row_number, state, email, reason)"
                " VALUES (?, ?, ?, 'rejected', ?, ?)",
                ((run_id, segment_index, row, email, reason) for row, email, reason in rows),
            )
            db.execute("UPDATE runs SET heartbeat_at = ? WHERE id = ?", (now, run_id))

    def set_output_path(self, run_id: int, path: str) -> None:
        with self._state.transaction() as db:
            db.execute("UPDATE runs SET output_path = ? WHERE id = ?", (path, run_id))

    def set_lists(self, run_id: int, lists: dict[str, str | None]) -> None:
        with self._state.transaction() as db:
            db.execute("UPDATE runs SET lists = ? WHERE id = ?", (json.dumps(lists), run_id))

    def heartbeat(self, run_id: int) -> None:
        with self._state.transaction() as db:
            db.execute(
                "UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'",
                (to_iso(self._now()), run_id),
            )

    def finish(
        self,
        run_id: int,
        status: str,
        *,
        active_seconds: float,
        warnings: Iterable[str] = (),
        error: str | None = None,
    ) -> m.Run:
        with self._state.transaction() as db:
            row = db.execute("SELECT warnings FROM runs WHERE id = ?", (run_id,)).fetchone()
            merged = list(dict.fromkeys([*json.loads(row["warnings"]), *warnings]))
            db.execute(
                "UPDATE runs SET status = ?, finished_at = ?, active_seconds = active_seconds + ?,"
                " warnings = ?, error = ? WHERE id = ?",
                (status, to_iso(self._now()), active_seconds, json.dumps(merged), error, run_id),
            )
        return self.get(run_id)

    # -- reading ---------------------------------------------------------------------------

    def confirmed_batches(self, run_id: int) -> set[tuple[int, int]]:
        with self._state.read() as db:
            rows = db.execute(
                "SELECT segment_index, batch_no FROM run_batches WHERE run_id = ?", (run_id,)
            ).fetchall()
        return {(row[0], row[1]) for row in rows}

    def sent_by_segment(self, run_id: int) -> dict[int, int]:
        with self._state.read() as db:
            rows = db.execute(
                "SELECT segment_index, SUM(sent) FROM run_batches WHERE run_id = ?"
                " GROUP BY segment_index",
                (run_id,),
            ).fetchall()
        return {int(row[0]): int(row[1]) for row in rows}

    _SELECT = (
        "SELECT r.*, COALESCE(b.sent, 0) AS sent, COALESCE(b.rejected, 0) AS rejected FROM runs r"
        " LEFT JOIN (SELECT run_id, SUM(sent) AS sent, SUM(rejected) AS rejected"
        " FROM run_batches GROUP BY run_id) b ON b.run_id = r.id"
    )

    def _from_row(self, row: sqlite3.Row) -> m.Run:
        status = row["status"]
        if status == m.RUNNING and is_interrupted(
            row["pid"], from_iso(row["heartbeat_at"]), self._now()
        ):
            status = m.INTERRUPTED
        started = from_iso(row["started_at"]) or self._now()
        duration = float(row["active_seconds"])
        if status == m.RUNNING and duration == 0:
            duration = max(0.0, (self._now() - started).total_seconds())
        return m.Run(
            run_id=row["id"],
            export=row["export_name"],
            status=status,
            dry_run=bool(row["dry_run"]),
            started_at=started,
            finished_at=from_iso(row["finished_at"]),
            duration_s=duration,
            planned=row["planned"],
            sent=row["sent"],
            rejected=row["rejected"],
            invalid=row["invalid"],
            duplicates=row["duplicates"],
            unique_profiles=row["unique_profiles"],
            lists=json.loads(row["lists"]),
            warnings=tuple(json.loads(row["warnings"])),
            error=row["error"],
            snapshot=json.loads(row["snapshot"]),
            output_path=row["output_path"],
            details_purged=row["details_purged_at"] is not None,
        )

    def get(self, run_id: int) -> m.Run:
        with self._state.read() as db:
            row = db.execute(self._SELECT + " WHERE r.id = ?", (run_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No run with id {run_id}; `history` lists the runs.")
        return self._from_row(row)

    def all(self, export: str | None = None) -> list[m.Run]:
        """Newest first."""
        query: str = self._SELECT
        args: tuple[str, ...] = ()
        if export is not None:
            query, args = query + " WHERE r.export_name = ? COLLATE NOCASE", (export,)
        with self._state.read() as db:
            rows = db.execute(query + " ORDER BY r.id DESC", args).fetchall()
        return [self._from_row(row) for row in rows]

    def row_details(self, run_id: int) -> Iterator[m.RowDetail]:
        """Rejected and invalid rows in segment and row order."""
        run = self.get(run_id)
        names = [s["name"] for s in run.snapshot.get("segments", [])]
        with self._state.read() as db:
            cursor = db.execute(
                "SELECT segment_index, row_number, state, email, reason FROM run_rows"
                " WHERE run_id = ? ORDER BY segment_index, row_number",
                (run_id,),
            )
            for seg, row_number, state, email, reason in cursor:
                name = names[seg] if seg < len(names) else str(seg)
                yield m.RowDetail(name, row_number, state, email, reason)

    # -- retention -------------------------------------------------------------------------

    def purge_details(self, run_id: int) -> None:
        """Delete a run's personal data (row details, checkpoints); the counts stay."""
        self.get(run_id)
        with self._state.transaction() as db:
            self._purge(db, run_id)

    def _purge(self, db: sqlite3.Connection, run_id: int) -> None:
        # Batch checkpoints stay: they hold only counts, and the run's totals are derived from them.
        db.execute("DELETE FROM run_rows WHERE run_id = ?", (run_id,))
        db.execute(
            "UPDATE runs SET details_purged_at = ? WHERE id = ?", (to_iso(self._now()), run_id)
        )

    def purge_expired(self, retention_days: int = 90) -> int:
        """Purge row details of runs that started more than ``retention_days`` ago."""
        cutoff = to_iso(self._now() - timedelta(days=retention_days))
        with self._state.transaction() as db:
            ids = [
                row[0]
                for row in db.execute(
                    "SELECT id FROM runs WHERE started_at < ? AND details_purged_at IS NULL",
                    (cutoff,),
                )
            ]
            for run_id in ids:
                self._purge(db, run_id)
        return len(ids)
