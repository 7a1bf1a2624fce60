"""Runs, per-batch checkpoints and row details in the state store.

A batch is written only after Autopilot confirmed it, in one transaction with its rejected rows,
so after any interruption the store says exactly which batches need not be sent again.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.core import advice
from app.core.errors import AppError, NotFoundError, UsageError
from app.core.history import models as m
from app.core.history.lifecycle import RunStatus, can_resume, status_at
from app.core.i18n import _, moment
from app.core.store import StateStore, from_iso, to_iso, utc_now

Now = Callable[[], datetime]


@dataclass(frozen=True)
class Lease:
    """The right to write one run: only the attempt that created or claimed it holds it.

    ``earlier_seconds`` is the active time of the run's earlier attempts and ``since`` when this
    attempt began: every heartbeat records the run's active time so far, so a run that is killed
    keeps the time it had, and a resumed run's duration is that of all its attempts.
    """

    run_id: int
    owner: str
    earlier_seconds: float = 0.0
    since: datetime | None = None

    def active_seconds(self, now: datetime) -> float:
        """The run's active time up to ``now``, this attempt included."""
        if self.since is None:
            return self.earlier_seconds
        return self.earlier_seconds + max(0.0, (now - self.since).total_seconds())


class RunTakenOverError(AppError):
    """Another process resumed this run; this attempt must stop writing and sending."""

    exit_code = 1


class LiveRunError(UsageError):
    """The export already has a live run, in this or another process."""


def _no_run(run_id: int) -> str:
    return _("No run with id {id}. {advice}").format(id=run_id, advice=advice.RUN_IDS)


def _new_owner() -> str:
    return f"{os.getpid()}-{secrets.token_hex(8)}"


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
    unchanged: int = 0


class RunStore:
    def __init__(
        self, state: StateStore, *, now: Now = utc_now, reports_dir: Path | None = None
    ) -> None:
        self._state = state
        self._now = now
        # Dry-run payload files the program wrote itself live here; purging a run deletes its file.
        self._reports_dir = reports_dir.resolve() if reports_dir is not None else None

    @property
    def folder(self) -> Path:
        """The folder of the state store (what a full disk or a read-only folder is about)."""
        return self._state.path.parent

    # -- writing ---------------------------------------------------------------------------

    def create(self, run: NewRun, invalid_rows: Iterable[m.InvalidMember]) -> Lease:
        """Record a new run as running, with its invalid rows."""
        moment = self._now()
        now = to_iso(moment)
        owner = _new_owner()
        with self._state.transaction() as db:
            if not run.dry_run:
                self._refuse_a_second_live_run(db, run.export, moment)
            cursor = db.execute(
                "INSERT INTO runs (export_id, export_name, dry_run, status, started_at, snapshot,"
                " planned, invalid, duplicates, unchanged, unique_profiles, warnings, output_path,"
                " pid, heartbeat_at, owner)"
                " VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run.export_id,
                    run.export,
                    int(run.dry_run),
                    now,
                    json.dumps(run.snapshot),
                    run.planned,
                    run.invalid,
                    run.duplicates,
                    run.unchanged,
                    run.unique_profiles,
                    json.dumps(list(run.warnings)),
                    run.output_path,
                    os.getpid(),
                    now,
                    owner,
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO run_rows (run_id, segment_index, row_number, state, email, reason)"
                " VALUES (?, ?, ?, 'invalid', ?, ?)",
                (
                    (run_id, row.segment_index, row.row_number, row.email, row.reason)
                    for row in invalid_rows
                ),
            )
        return Lease(run_id, owner, 0.0, moment)

    def record_not_started(
        self, export: str, error: str, *, dry_run: bool = False, snapshot: dict[str, Any] | None
    ) -> m.Run:
        """A run that could not start (its key unreadable, its source not refreshed) as a failed
        run with that message, so a run nobody watched (a schedule) leaves a trace in the
        history. Nothing was planned or sent; it cannot be resumed."""
        now = to_iso(self._now())
        recorded = {**(snapshot or {}), "export": export, "not_started": True}
        with self._state.transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs (export_name, dry_run, status, started_at, finished_at,"
                " snapshot, error) VALUES (?, ?, 'failed', ?, ?, ?, ?)",
                (export, int(dry_run), now, now, json.dumps(recorded), error),
            )
            run_id = int(cursor.lastrowid or 0)
        return self.get(run_id)

    def claim_for_resume(self, run_id: int) -> Lease:
        """Take over a resumable run, atomically: of two resumes at once, one is refused."""
        owner = _new_owner()
        now = self._now()
        with self._state.transaction() as db:
            row = db.execute(self._SELECT + " WHERE r.id = ?", (run_id,)).fetchone()
            if row is None:
                raise NotFoundError(_no_run(run_id))
            refusal = can_resume(self._from_row(row, now))
            if refusal is not None:
                raise UsageError(refusal.message)
            if not row["dry_run"]:
                self._refuse_a_second_live_run(db, row["export_name"], now, other_than=run_id)
            db.execute(
                "UPDATE runs SET status = 'running', pid = ?, heartbeat_at = ?, error = NULL,"
                " finished_at = NULL, owner = ? WHERE id = ?",
                (os.getpid(), to_iso(now), owner, run_id),
            )
        # A killed attempt's time is what its last heartbeat recorded; an ended one's, all of it.
        return Lease(run_id, owner, float(row["active_seconds"]), now)

    def refuse_if_live(self, export: str) -> None:
        """LiveRunError when ``export`` has a live run (said early; the start checks again)."""
        with self._state.read() as db:
            self._refuse_a_second_live_run(db, export, self._now())

    def _refuse_a_second_live_run(
        self, db: sqlite3.Connection, export: str, now: datetime, other_than: int | None = None
    ) -> None:
        """One export has at most one live run, across the window and every command: two
        would send every contact twice and share one rate limit. Checked in the transaction
        that starts a run, so of two starts at once one is refused."""
        rows = db.execute(
            self._SELECT + " WHERE r.export_name = ? COLLATE NOCASE AND r.status = 'running'"
            " AND r.dry_run = 0 AND r.id IS NOT ?",
            (export, other_than),
        ).fetchall()
        for row in rows:
            live = self._from_row(row, now)
            if live.status is RunStatus.RUNNING:
                raise LiveRunError(
                    _(
                        "Export '{export}' is already running as run {id} (process {pid}, "
                        "started {when}); wait for it to finish, or cancel it, then try again."
                    ).format(
                        export=live.export,
                        id=live.run_id,
                        pid=row["pid"],
                        when=moment(live.started_at),
                    )
                )

    @staticmethod
    def _check_owner(db: sqlite3.Connection, lease: Lease) -> None:
        row = db.execute("SELECT owner FROM runs WHERE id = ?", (lease.run_id,)).fetchone()
        if row is None or row["owner"] != lease.owner:
            raise RunTakenOverError(
                _(
                    "Run {id} was resumed by another window or command; this copy stopped sending."
                ).format(id=lease.run_id)
            )

    def check_lease(self, lease: Lease) -> None:
        """RunTakenOverError when another process took the run over (before sending more)."""
        with self._state.read() as db:
            self._check_owner(db, lease)

    def record_batch(
        self,
        lease: Lease,
        segment_index: int,
        batch_no: int,
        sent: int,
        rejected_rows: Iterable[m.RejectedContact],
        confirmed: Iterable[m.LedgerEntry] = (),
    ) -> None:
        """One confirmed batch, its rejected rows and the ledger entries of the emails the
        destination confirmed, atomically."""
        rows = list(rejected_rows)
        now = to_iso(self._now())
        run_id = lease.run_id
        with self._state.transaction() as db:
            self._check_owner(db, lease)
            db.execute(
                "INSERT OR IGNORE INTO run_batches (run_id, segment_index, batch_no, sent,"
                " rejected, confirmed_at) VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, segment_index, batch_no, sent, len(rows), now),
            )
            db.executemany(
                "INSERT INTO run_rows (run_id, segment_index, row_number, state, email, reason)"
                " VALUES (?, ?, ?, 'rejected', ?, ?)",
                ((run_id, segment_index, row.row_number, row.email, row.reason) for row in rows),
            )
            export = db.execute("SELECT export_name FROM runs WHERE id = ?", (run_id,)).fetchone()
            db.executemany(
                "INSERT OR REPLACE INTO ledger (export, segment, email_key, hash, run_id)"
                " VALUES (?, ?, ?, ?, ?)",
                ((export[0], e.segment, e.email_key, e.hash, run_id) for e in confirmed),
            )
            self._beat(db, lease)

    def record_removals(
        self,
        lease: Lease,
        segment_index: int,
        segment: str,
        removed: Iterable[str],
        refused: Mapping[str, str] = {},
    ) -> int:
        """People the destination took off a segment's audience, atomically: forgotten by the
        export's ledger, counted in ``runs.removed`` and kept as row details (state ``removed``,
        or ``not_removed`` with the reason). Returns how many were counted: those the ledger
        still held, so a removal recorded twice counts once."""
        done = list(dict.fromkeys(removed))
        run_id = lease.run_id
        with self._state.transaction() as db:
            self._check_owner(db, lease)
            export = db.execute("SELECT export_name FROM runs WHERE id = ?", (run_id,)).fetchone()
            counted = 0
            for key in done:
                cursor = db.execute(
                    "DELETE FROM ledger WHERE export = ? AND segment = ? AND email_key = ?",
                    (export[0], segment, key),
                )
                counted += cursor.rowcount
            # A person refused before and taken off now (a resume) keeps one detail row.
            db.executemany(
                "DELETE FROM run_rows WHERE run_id = ? AND segment_index = ?"
                " AND state = 'not_removed' AND email = ?",
                ((run_id, segment_index, key) for key in [*done, *refused]),
            )
            db.executemany(
                "INSERT INTO run_rows (run_id, segment_index, row_number, state, email, reason)"
                " VALUES (?, ?, 0, ?, ?, ?)",
                [
                    *((run_id, segment_index, "removed", key, "") for key in done),
                    *(
                        (run_id, segment_index, "not_removed", key, reason)
                        for key, reason in refused.items()
                    ),
                ],
            )
            db.execute("UPDATE runs SET removed = removed + ? WHERE id = ?", (counted, run_id))
            self._beat(db, lease)
        return counted

    def set_output_path(self, lease: Lease, path: str) -> None:
        with self._state.transaction() as db:
            self._check_owner(db, lease)
            db.execute("UPDATE runs SET output_path = ? WHERE id = ?", (path, lease.run_id))

    def set_lists(self, lease: Lease, lists: dict[str, str | None]) -> None:
        with self._state.transaction() as db:
            self._check_owner(db, lease)
            db.execute("UPDATE runs SET lists = ? WHERE id = ?", (json.dumps(lists), lease.run_id))

    def heartbeat(self, lease: Lease) -> None:
        with self._state.transaction() as db:
            self._check_owner(db, lease)
            self._beat(db, lease)

    def _beat(self, db: sqlite3.Connection, lease: Lease) -> None:
        """This attempt is alive: the heartbeat, and the run's active time so far."""
        now = self._now()
        db.execute(
            "UPDATE runs SET heartbeat_at = ?, active_seconds = ? WHERE id = ?"
            " AND status = 'running'",
            (to_iso(now), lease.active_seconds(now), lease.run_id),
        )

    def finish(
        self,
        lease: Lease,
        status: RunStatus,
        *,
        active_seconds: float,
        warnings: Iterable[str] = (),
        error: str | None = None,
    ) -> m.Run:
        run_id = lease.run_id
        with self._state.transaction() as db:
            self._check_owner(db, lease)
            row = db.execute("SELECT warnings FROM runs WHERE id = ?", (run_id,)).fetchone()
            merged = list(dict.fromkeys([*json.loads(row["warnings"]), *warnings]))
            db.execute(
                "UPDATE runs SET status = ?, finished_at = ?, active_seconds = ?,"
                " warnings = ?, error = ? WHERE id = ?",
                (
                    status.value,
                    to_iso(self._now()),
                    lease.earlier_seconds + active_seconds,
                    json.dumps(merged),
                    error,
                    run_id,
                ),
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

    def _from_row(self, row: sqlite3.Row, now: datetime) -> m.Run:
        """The run as seen at ``now``."""
        status = status_at(RunStatus(row["status"]), row["pid"], from_iso(row["heartbeat_at"]), now)
        started = from_iso(row["started_at"]) or now
        duration = float(row["active_seconds"])  # up to the last heartbeat, or the end
        beat = from_iso(row["heartbeat_at"])
        if status is RunStatus.RUNNING and beat is not None:
            duration += max(0.0, (now - beat).total_seconds())
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
            unchanged=row["unchanged"],
            removed=row["removed"],
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
            raise NotFoundError(_no_run(run_id))
        return self._from_row(row, self._now())

    def all(self, export: str | None = None) -> list[m.Run]:
        """Newest first."""
        query: str = self._SELECT
        args: tuple[str, ...] = ()
        if export is not None:
            query, args = query + " WHERE r.export_name = ? COLLATE NOCASE", (export,)
        with self._state.read() as db:
            rows = db.execute(query + " ORDER BY r.id DESC", args).fetchall()
        now = self._now()
        return [self._from_row(row, now) for row in rows]

    def row_details(
        self, run_id: int, states: tuple[str, ...] = ("rejected", "invalid")
    ) -> Iterator[m.RowDetail]:
        """Rows in those states (by default: rejected and invalid) in segment and row order.
        People removed (``removed``, ``not_removed``) have row number 0 and are in email order."""
        run = self.get(run_id)
        names = [s["name"] for s in run.snapshot.get("segments", [])]
        marks = ", ".join("?" for _ in states) or "NULL"
        with self._state.read() as db:
            cursor = db.execute(
                "SELECT segment_index, row_number, state, email, reason FROM run_rows"  # noqa: S608
                f" WHERE run_id = ? AND state IN ({marks})"
                " ORDER BY segment_index, row_number, email",
                (run_id, *states),
            )
            for seg, row_number, state, email, reason in cursor:
                name = names[seg] if seg < len(names) else str(seg)
                yield m.RowDetail(name, row_number, state, email, reason)

    # -- retention -------------------------------------------------------------------------

    def purge_details(self, run_id: int) -> None:
        """Delete a run's personal data (row details, its dry-run file); the counts stay."""
        self.get(run_id)
        with self._state.transaction() as db:
            self._purge(db, run_id)

    def _purge(self, db: sqlite3.Connection, run_id: int) -> None:
        # Batch checkpoints stay: they hold only counts, and the run's totals are derived from them.
        db.execute("DELETE FROM run_rows WHERE run_id = ?", (run_id,))
        row = db.execute("SELECT output_path FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is not None and row["output_path"] and self._reports_dir is not None:
            output = Path(row["output_path"]).resolve()
            if output.is_relative_to(self._reports_dir):
                output.unlink(missing_ok=True)
        db.execute(
            "UPDATE runs SET details_purged_at = ? WHERE id = ?", (to_iso(self._now()), run_id)
        )

    def purge_expired(self, retention_days: int = 90) -> int:
        """Purge row details of runs that ended more than ``retention_days`` ago."""
        cutoff = to_iso(self._now() - timedelta(days=retention_days))
        with self._state.transaction() as db:
            ids = [
                row[0]
                for row in db.execute(
                    "SELECT id, output_path FROM runs WHERE COALESCE(finished_at, started_at) < ?"
                    " AND details_purged_at IS NULL AND status != 'running'",
                    (cutoff,),
                )
            ]
            for run_id in ids:
                self._purge(db, run_id)
        return len(ids)
