"""Running the synchronous core off the GUI thread.

One adapter for all background work: a :class:`Job` (a ``QRunnable``) calls a plain function on
a pool thread and reports through a separate signals object; only the function's result or its
exception (data, never a widget) crosses back, through queued signals. :class:`TaskQueue` owns a
pool and delivers each result to a callback on the GUI thread.

A *key* names work whose older results are worthless once newer work of the same key was asked
for (a member count while the user types): a queued job of that key is dropped, and the result
of a running one is discarded when it arrives.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class JobSignals(QObject):
    """Lives on the GUI thread; the worker only emits, so delivery is always queued."""

    succeeded = Signal(int, object)
    failed = Signal(int, object)


class Job(QRunnable):
    def __init__(self, ticket: int, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the queue keeps it until its result is delivered
        self.ticket = ticket
        self.signals = JobSignals()
        self._fn = fn

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # every failure is reported, none kills the pool thread
            self.signals.failed.emit(self.ticket, exc)
        else:
            self.signals.succeeded.emit(self.ticket, result)


@dataclass
class _Pending:
    job: Job
    key: str | None
    on_done: Done
    on_error: Failed | None


class TaskQueue(QObject):
    """A pool of worker threads with results delivered on the GUI thread."""

    idle = Signal()  # nothing queued or running any more (tests wait on it)

    def __init__(
        self,
        name: str,
        threads: int,
        on_error: Failed,
        parent: QObject | None = None,
        *,
        keep_threads: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        if keep_threads:
            # One long-lived thread that owns its work (the keyring's connection, for example).
            self._pool.setExpiryTimeout(-1)
        self._default_error = on_error
        self._tickets = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._latest: dict[str, int] = {}
        self._closed = False

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Done,
        on_error: Failed | None = None,
        *,
        key: str | None = None,
    ) -> int:
        """Run ``fn()`` on the pool; ``on_done(result)`` or ``on_error(exc)`` on the GUI thread."""
        if self._closed:
            return 0
        ticket = next(self._tickets)
        if key is not None:
            self._drop_queued(key)
            self._latest[key] = ticket
        job = Job(ticket, fn)
        job.signals.succeeded.connect(self._on_job_succeeded)
        job.signals.failed.connect(self._on_job_failed)
        self._pending[ticket] = _Pending(job, key, on_done, on_error)
        self._pool.start(job)
        return ticket

    def busy(self) -> bool:
        return bool(self._pending)

    def is_current(self, key: str, ticket: int) -> bool:
        return self._latest.get(key) == ticket

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Stop taking work, drop what is queued, wait for what runs; True when all stopped."""
        self._closed = True
        self._pool.clear()
        stopped = self._pool.waitForDone(timeout_ms)
        self._pending.clear()
        return stopped

    def _drop_queued(self, key: str) -> None:
        old = self._latest.get(key)
        pending = self._pending.get(old) if old is not None else None
        if pending is not None and self._pool.tryTake(pending.job):
            del self._pending[old]  # type: ignore[arg-type]

    def _take(self, ticket: int) -> _Pending | None:
        pending = self._pending.pop(ticket, None)
        if pending is None or self._closed:
            return None
        if pending.key is not None and self._latest.get(pending.key) != ticket:
            return None  # stale: newer work of the same key was asked for
        return pending

    @Slot(int, object)
    def _on_job_succeeded(self, ticket: int, result: object) -> None:
        pending = self._take(ticket)
        if pending is not None:
            pending.on_done(result)
        self._check_idle()

    @Slot(int, object)
    def _on_job_failed(self, ticket: int, exc: object) -> None:
        pending = self._take(ticket)
        if pending is not None:
            assert isinstance(exc, BaseException)
            (pending.on_error or self._default_error)(exc)
        self._check_idle()

    def _check_idle(self) -> None:
        if not self._pending:
            self.idle.emit()
