"""What the crash matrix reads after a kill: the requests as operations, the state store and
the servers' data in a form two runs can be compared by.

A request is a set of *operations*: ``("send", email)`` for every contact of an upsert or merge,
``("remove", email)`` for every person a removal takes off a list or tag. A batch (or removal
call) is one request's operations.
"""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from tests.support.autopilot_sim import AutopilotSimulator
from tests.support.ortto_sim import OrttoSimulator
from tests.support.simkit.recorder import RecordedRequest

Op = tuple[str, str]
Sim = AutopilotSimulator | OrttoSimulator


def operations(request: RecordedRequest) -> frozenset[Op]:
    """The contacts a request sends and the people it removes (lower-cased emails)."""
    body = request.body if isinstance(request.body, dict) else {}
    if request.method == "POST" and request.path == "/contacts":
        return frozenset(("send", str(c["Email"]).lower()) for c in body.get("contacts", []))
    if request.method == "DELETE" and "/contact/" in request.path:
        return frozenset({("remove", unquote(request.path.rsplit("/", 1)[1]).lower())})
    if request.path == "/person/merge":
        return frozenset(
            ("remove" if p.get("unset_tags") else "send", str(p["fields"]["str::email"]).lower())
            for p in body.get("people", [])
        )
    return frozenset()


def batches(requests: Iterable[RecordedRequest]) -> list[frozenset[Op]]:
    """The operations of each request that has any, in order of arrival."""
    return [ops for ops in map(operations, requests) if ops]


# The byte of the store's -shm file that SQLite's writer holds a POSIX lock on for the whole of
# a write transaction in WAL mode (WAL_WRITE_LOCK, at WALINDEX_LOCK_OFFSET 120 in wal.c).
WAL_WRITE_LOCK = 120


def holds_write_lock(pid: int, store: Path) -> bool:
    """Whether process ``pid`` is inside a write transaction on ``store`` (Linux: /proc/locks)."""
    try:
        inode = os.stat(store.with_name(store.name + "-shm")).st_ino
    except FileNotFoundError:
        return False
    # "4: POSIX  ADVISORY  WRITE 6050 fe:00:2148193 120 120"; waiters' lines have "->".
    with open("/proc/locks", encoding="ascii") as locks:
        for line in locks:
            parts = line.split()
            if (
                len(parts) == 8
                and parts[3:5] == ["WRITE", str(pid)]
                and parts[5].rsplit(":", 1)[1] == str(inode)
                and parts[6] == str(WAL_WRITE_LOCK)
            ):
                return True
    return False


class Killer:
    """A hook action: SIGKILL the run's process at the hook's moment, or ``delay`` seconds
    later, or (with ``store``) at the first moment after that when the process is inside a
    write transaction on that SQLite store.

    A kill that waits does so on a thread of its own, so the server goes on answering (the
    client may send its next request on the same connection). It holds a pidfd: a process
    that ended meanwhile (its pid perhaps reused) is never signalled."""

    def __init__(self, delay: float = 0.0, store: Path | None = None) -> None:
        self.delay, self.store = delay, store
        self._pid = 0
        self._pidfd: int | None = None
        self._known = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, pid: int) -> None:
        self._pid, self._pidfd = pid, os.pidfd_open(pid)
        self._known.set()

    def close(self) -> None:
        """Wait for a kill still on its way (it gives up once the process has ended)."""
        if self._thread is not None:
            self._thread.join()
        if self._pidfd is not None:
            os.close(self._pidfd)

    def __call__(self) -> None:
        if not self._known.wait(30):
            return
        if not self.delay and self.store is None:
            self._kill()
            return
        self._thread = threading.Thread(target=self._later, name="killer", daemon=True)
        self._thread.start()

    def _later(self) -> None:
        if self.delay:
            time.sleep(self.delay)
        while self.store is not None and not holds_write_lock(self._pid, self.store):
            if self._ended():
                return
            time.sleep(0.0002)
        self._kill()

    def _ended(self) -> bool:
        """Whether the process has exited (its pidfd reads as ready then)."""
        assert self._pidfd is not None
        waiting = select.poll()
        waiting.register(self._pidfd, select.POLLIN)
        return bool(waiting.poll(0))

    def _kill(self) -> None:
        assert self._pidfd is not None
        if self._ended():  # it had finished and exited on its own
            return
        signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)


@dataclass(frozen=True)
class AfterKill:
    """What the state store holds for the killed run (None: it was never recorded)."""

    run_id: int | None
    status: str | None  # as recorded: "running" for a run the kill cut short
    sends: frozenset[str]  # emails the store says were confirmed (ledger entries of the run)
    removals: frozenset[str]  # people the store says were taken off (or refused)

    @property
    def confirmed(self) -> frozenset[Op]:
        return frozenset({("send", e) for e in self.sends} | {("remove", e) for e in self.removals})


def inspect_store(path: Path, newer_than: int) -> AfterKill:
    """Check the store's integrity and that every checkpoint is whole (its counts, rows and
    ledger entries were committed together); what the newest run after ``newer_than`` holds."""
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        row = db.execute(
            "SELECT id, removed, status FROM runs WHERE id > ? ORDER BY id DESC", (newer_than,)
        ).fetchone()
        if row is None:
            return AfterKill(None, None, frozenset(), frozenset())
        run_id, removed, status = row
        sent, rejected = db.execute(
            "SELECT COALESCE(SUM(sent), 0), COALESCE(SUM(rejected), 0) FROM run_batches"
            " WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        sends = {
            e for (e,) in db.execute("SELECT email_key FROM ledger WHERE run_id = ?", (run_id,))
        }
        details = dict(
            db.execute(
                "SELECT state, COUNT(*) FROM run_rows WHERE run_id = ? GROUP BY state", (run_id,)
            ).fetchall()
        )
        gone = {
            e.lower()
            for (e,) in db.execute(
                "SELECT email FROM run_rows WHERE run_id = ?"
                " AND state IN ('removed', 'not_removed')",
                (run_id,),
            )
        }
    assert len(sends) == sent, f"run {run_id}: {sent} sent in checkpoints, {len(sends)} in ledger"
    assert details.get("rejected", 0) == rejected, f"run {run_id}: rejected rows and counts"
    assert details.get("removed", 0) == removed, f"run {run_id}: removed rows and count"
    return AfterKill(run_id, status, frozenset(sends), frozenset(gone))


def torn_commit(store: Path) -> bool:
    """Whether the store's write-ahead log ends in frames of a transaction whose commit never
    finished: the kill landed inside a commit. Read before anything opens the store again."""
    wal = store.with_name(store.name + "-wal")
    data = wal.read_bytes() if wal.exists() else b""
    if len(data) < 32:
        return False
    page_size = int.from_bytes(data[8:12], "big") or 65536
    salts = data[16:24]
    torn = False
    for start in range(32, len(data) - 24 + 1, 24 + page_size):
        header = data[start : start + 24]
        if header[8:16] != salts or len(data) < start + 24 + page_size:
            break  # a frame of an earlier log, or one cut short
        torn = int.from_bytes(header[4:8], "big") == 0  # 0: not the commit frame
    return torn


def ledger(path: Path) -> set[tuple[str, str, str, str]]:
    """Every ledger entry: export, segment, email and hash (not the run that wrote it)."""
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT export, segment, email_key, hash FROM ledger").fetchall()
    return {(export, segment, email, digest) for export, segment, email, digest in rows}


def server_state(sim: Sim) -> dict[str, object]:
    """The server's data without its generated ids: people and their fields, lists or tags."""
    if isinstance(sim, AutopilotSimulator):
        contacts = {
            email: (c["fields"], c["custom"], c["unsubscribed"])
            for email, c in sim.contacts().items()
        }
        lists = sorted(
            (item["title"], sorted(sim.list_members(item["list_id"]))) for item in sim.lists()
        )
        return {"contacts": contacts, "lists": lists}
    people = {email: (p["fields"], sorted(p["tags"])) for email, p in sim.people().items()}  # type: ignore[arg-type]
    return {"people": people, "tags": sorted(sim.tags())}


def audience(sim: Sim, segment: str) -> set[str]:
    """Who is on the segment's list (Autopilot) or has its tag (Ortto)."""
    if isinstance(sim, AutopilotSimulator):
        return {
            email
            for item in sim.lists()
            if item["title"] == segment
            for email in sim.list_members(item["list_id"])
        }
    return sim.tagged(segment)
