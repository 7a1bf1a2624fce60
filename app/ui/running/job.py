"""The one export that may run at a time.

The engine is one blocking call; it runs on a one-thread :class:`TaskQueue` of its own (the
worker adapter every background task uses), with a cancel token passed in and progress passed
out. Progress crosses threads only as the engine's frozen ``Progress`` values, throttled to a
few a second (every phase change and the end at once) so a fast server cannot flood the event
loop. This object owns the run: its explicit state (idle, running, cancelling), which drives
every button that depends on it, its cancel token, and the signals the panel follows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.core.cancel import CancelToken
from app.core.export import Progress
from app.core.history import Run
from app.ui.background.workers import Report, TaskQueue

log = logging.getLogger(__name__)

IDLE = "idle"
RUNNING = "running"
CANCELLING = "cancelling"

ProgressCallback = Callable[[Progress], None]
Work = Callable[[ProgressCallback, CancelToken], Run]


def passes_at_once(progress: Progress, last: Progress | None) -> bool:
    """A progress that is not held back by the throttle: a new phase, or the end."""
    return last is None or progress.phase != last.phase or progress.done >= progress.total


class ExportJob(QObject):
    state_changed = Signal(str)
    started = Signal(str)  # the title, e.g. "Dry run of VIP Norway"
    progress = Signal(object)  # Progress
    finished = Signal(object)  # Run
    failed = Signal(object)  # BaseException

    def __init__(self, parent: QObject | None = None, *, throttle_s: float = 0.25) -> None:
        super().__init__(parent)
        self._worker = TaskQueue("export", 1, self._on_failed, self)
        self._throttle_s = throttle_s
        self._cancel: CancelToken | None = None
        self.state = IDLE
        self.title = ""
        self.last_progress: Progress | None = None

    @property
    def active(self) -> bool:
        return self.state != IDLE

    def start(self, title: str, work: Work) -> bool:
        """Start ``work(on_progress, cancel)`` unless a run is going on; False if refused."""
        if self.active:
            return False
        self.title = title
        self.last_progress = None
        cancel = self._cancel = CancelToken()
        self._set_state(RUNNING)
        self.started.emit(title)

        def run(report: Report) -> Run:
            return work(report, cancel)

        # The worker lets go of ``run`` (and with it the plan and the API key) when it returns.
        self._worker.submit_reporting(
            run,
            self._on_progress,
            self._on_finished,
            self._on_failed,
            interval=self._throttle_s,
            urgent=passes_at_once,
        )
        return True

    def cancel(self) -> None:
        """Ask the run to stop: no new request starts, those in flight finish."""
        if self.state == RUNNING and self._cancel is not None:
            self._cancel.cancel()
            self._set_state(CANCELLING)

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Block until the worker thread is done (only when quitting)."""
        return self._worker.wait(timeout_ms)

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)

    def _on_progress(self, progress: Any) -> None:
        assert isinstance(progress, Progress)
        self.last_progress = progress
        self.progress.emit(progress)

    def _on_finished(self, run: Any) -> None:
        self._end()
        self.finished.emit(run)

    def _on_failed(self, exc: BaseException) -> None:
        self._end()
        self.failed.emit(exc)

    def _end(self) -> None:
        self._cancel = None
        self._set_state(IDLE)
