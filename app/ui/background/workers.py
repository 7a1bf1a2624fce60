"""Running the synchronous core off the GUI thread.

One adapter for all background work: a plain function runs on a worker thread and only its
result or its exception (data, never a widget) crosses back, through a queued signal of an
object that lives on the GUI thread. :class:`TaskQueue` delivers each result to a callback there.

Work that reports progress (an import, the export) is given a ``report`` callable: what it
reports crosses the same way, throttled by a :class:`Throttle` on the worker's side to a few
values a second, and the last value reported always arrives, before the result.

A *key* names work whose older results are worthless once newer work of the same key was asked
for (a member count while the user types): a queued job of that key is dropped, and the result
of a running one is discarded when it arrives.

Nothing outlives its use: the pool deletes each runnable once it has run (auto-delete), the
function is let go as soon as it returns, and the callbacks when the result is delivered, so a
closure holding an API key or a whole export plan is freed with its job.
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]
Report = Callable[[Any], None]  # what work that reports progress is handed
Urgent = Callable[[Any, Any], bool]  # (value, last value passed on or None): pass it at once


class Throttle:
    """Passes a value on at most every ``interval`` seconds, at once when ``urgent`` says so.

    Values in between are held back, only the newest one; :meth:`flush` passes that one on, so
    the last value reported is never lost. Work may report from several threads at once.
    """

    def __init__(
        self,
        emit: Report,
        interval: float = 0.25,
        *,
        urgent: Urgent | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._emit = emit
        self._interval = interval
        self._urgent = urgent
        self._clock = clock
        self._lock = threading.Lock()
        self._last_time: float | None = None
        self._last: Any = None
        self._held: tuple[Any] | None = None

    def __call__(self, value: Any) -> None:
        with self._lock:
            now = self._clock()
            due = self._last_time is None or now - self._last_time >= self._interval
            if due or (self._urgent is not None and self._urgent(value, self._last)):
                self._pass(value, now)
            else:
                self._held = (value,)

    def flush(self) -> None:
        """Pass on the value held back, if any (when the work has ended)."""
        with self._lock:
            if self._held is not None:
                self._pass(self._held[0], self._clock())

    def _pass(self, value: Any, now: float) -> None:
        self._last_time, self._last, self._held = now, value, None
        self._emit(value)


class JobSignals(QObject):
    """Lives on the GUI thread; workers only emit, so delivery is always queued."""

    succeeded = Signal(int, object)
    failed = Signal(int, object)
    progressed = Signal(int, object)


class Task:
    """One piece of work: its function until a worker takes it, unless it was dropped first.

    With a ``progress`` throttle the function is called as ``fn(progress)``.
    """

    def __init__(
        self, ticket: int, fn: Callable[..., Any], progress: Throttle | None = None
    ) -> None:
        self.ticket = ticket
        self.progress = progress
        self._fn: Callable[..., Any] | None = fn
        self._started = False
        self._lock = threading.Lock()

    def take(self) -> Callable[..., Any] | None:
        """The function for the worker that runs it, once; None when it was dropped."""
        with self._lock:
            fn, self._fn = self._fn, None
            self._started = fn is not None
            return fn

    def drop(self) -> bool:
        """Forget the work if no worker took it yet; True when it will not run."""
        with self._lock:
            if self._started:
                return False
            self._fn = None
            return True


def run_task(task: Task, signals: JobSignals) -> None:
    """Runs on a worker thread: call the function, report its result or its failure."""
    fn = task.take()
    if fn is None:
        return
    progress = task.progress
    try:
        try:
            result = fn() if progress is None else fn(progress)
        finally:
            if progress is not None:
                progress.flush()  # the last value reported arrives before the result
    except BaseException as exc:  # every failure is reported, none kills the worker thread
        fn = None
        # The traceback keeps the frames of the work alive as long as the exception lives;
        # their local values (a key read, rows) are not needed for its text.
        traceback.clear_frames(exc.__traceback__)
        signals.failed.emit(task.ticket, exc)
    else:
        fn = None
        signals.succeeded.emit(task.ticket, result)


class Job(QRunnable):
    """A task on a pool thread; the pool deletes it once run() returns (auto-delete)."""

    def __init__(self, task: Task, signals: JobSignals) -> None:
        super().__init__()
        self._task: Task | None = task
        self._signals: JobSignals | None = signals

    def run(self) -> None:
        task, signals = self._task, self._signals
        self._task = self._signals = None
        if task is not None and signals is not None:
            run_task(task, signals)


@dataclass
class _Pending:
    task: Task
    key: str | None
    on_done: Done
    on_error: Failed | None
    on_progress: Report | None = None


class TaskQueue(QObject):
    """Worker threads with results delivered on the GUI thread.

    ``daemon`` queues run each job on its own daemon thread instead of a pool: for short work
    that changes nothing (checking a key), which the program need not wait for when it quits.
    """

    idle = Signal()  # nothing queued or running any more (tests wait on it)

    def __init__(
        self,
        name: str,
        threads: int,
        on_error: Failed,
        parent: QObject | None = None,
        *,
        keep_threads: bool = False,
        daemon: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.daemon = daemon
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        if keep_threads:
            # One long-lived thread that owns its work (the keyring's connection, for example).
            self._pool.setExpiryTimeout(-1)
        # Parentless and held from Python: a daemon thread may emit after the queue is gone.
        self._signals = JobSignals()
        self._signals.succeeded.connect(self._on_job_succeeded)
        self._signals.failed.connect(self._on_job_failed)
        self._signals.progressed.connect(self._on_job_progressed)
        self._threads: list[threading.Thread] = []
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
        """Run ``fn()`` on a worker; ``on_done(result)`` or ``on_error(exc)`` on the GUI thread."""
        return self._submit(fn, on_done, on_error, key)

    def submit_reporting(
        self,
        fn: Callable[[Report], Any],
        on_progress: Report,
        on_done: Done,
        on_error: Failed | None = None,
        *,
        key: str | None = None,
        interval: float = 0.25,
        urgent: Urgent | None = None,
    ) -> int:
        """Run ``fn(report)`` like :meth:`submit`; what it reports goes to ``on_progress``.

        ``report(value)`` may be called from any thread; ``on_progress(value)`` runs on the GUI
        thread, at most every ``interval`` seconds (at once when ``urgent(value, last)``), and
        always with the last value reported before ``on_done`` or ``on_error``.
        """
        return self._submit(fn, on_done, on_error, key, on_progress, interval, urgent)

    def _submit(
        self,
        fn: Callable[..., Any],
        on_done: Done,
        on_error: Failed | None,
        key: str | None,
        on_progress: Report | None = None,
        interval: float = 0.25,
        urgent: Urgent | None = None,
    ) -> int:
        if self._closed:
            return 0
        ticket = next(self._tickets)
        if key is not None:
            self._drop_queued(key)
            self._latest[key] = ticket
        throttle = None
        if on_progress is not None:
            emit = functools.partial(self._signals.progressed.emit, ticket)
            throttle = Throttle(emit, interval, urgent=urgent)
        task = Task(ticket, fn, throttle)
        self._pending[ticket] = _Pending(task, key, on_done, on_error, on_progress)
        if self.daemon:
            self._start_thread(task)
        else:
            self._pool.start(Job(task, self._signals))
        return ticket

    def busy(self) -> bool:
        return bool(self._pending)

    def is_current(self, key: str, ticket: int) -> bool:
        return self._latest.get(key) == ticket

    def active_threads(self) -> int:
        """Worker threads running work right now."""
        self._threads = [t for t in self._threads if t.is_alive()]
        return self._pool.activeThreadCount() + len(self._threads)

    def wait(self, timeout_ms: int) -> bool:
        """Block up to ``timeout_ms`` until no worker runs (only when quitting); True if none."""
        deadline = time.monotonic() + max(0, timeout_ms) / 1000
        stopped = self._pool.waitForDone(max(0, timeout_ms))
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return stopped and self.active_threads() == 0

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Stop taking work, drop what is queued, wait up to ``timeout_ms`` for what runs.

        True when every worker has finished; False (and a log line) when one still runs.
        """
        self._closed = True
        for pending in self._pending.values():
            pending.task.drop()
        self._pool.clear()
        stopped = self.wait(timeout_ms)
        self._pending.clear()
        if not stopped:
            log.warning("The %s worker was still busy after %d ms", self.objectName(), timeout_ms)
        return stopped

    def _start_thread(self, task: Task) -> None:
        name = f"ui.{self.objectName()}-{task.ticket}"
        thread = threading.Thread(target=run_task, args=(task, self._signals), name=name)
        thread.daemon = True
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()

    def _drop_queued(self, key: str) -> None:
        old = self._latest.get(key)
        pending = self._pending.get(old) if old is not None else None
        if pending is not None and pending.task.drop():
            del self._pending[pending.task.ticket]

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
    def _on_job_progressed(self, ticket: int, value: object) -> None:
        pending = self._pending.get(ticket)
        if pending is None or self._closed or pending.on_progress is None:
            return
        if pending.key is not None and self._latest.get(pending.key) != ticket:
            return  # stale, like its result
        pending.on_progress(value)

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
