"""The one export that may run at a time, on its own worker thread.

The engine is one blocking call; this adapter runs it on a dedicated pool thread, passes a
cancel token in and progress out. Progress crosses threads only as the engine's frozen
``Progress`` values, throttled to a few a second so a fast server cannot flood the event loop.
The state is explicit (idle, running, cancelling) and drives every button that depends on it.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from app.core.cancel import CancelToken
from app.core.export import Progress
from app.core.history import Run

log = logging.getLogger(__name__)

IDLE = "idle"
RUNNING = "running"
CANCELLING = "cancelling"

ProgressCallback = Callable[[Progress], None]
Work = Callable[[ProgressCallback, CancelToken], Run]


class ProgressThrottle:
    """Passes a progress on when the phase changes, the run ends, or ``interval`` has passed."""

    def __init__(
        self,
        emit: ProgressCallback,
        interval: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._emit = emit
        self._interval = interval
        self._clock = clock
        self._last_time: float | None = None
        self._last_phase = ""

    def __call__(self, progress: Progress) -> None:
        now = self._clock()
        due = self._last_time is None or now - self._last_time >= self._interval
        if due or progress.phase != self._last_phase or progress.done >= progress.total:
            self._last_time, self._last_phase = now, progress.phase
            self._emit(progress)


class _Signals(QObject):
    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    """The run on the pool's thread; the pool deletes it once run() returns (auto-delete).

    It lets go of the work (which holds the plan and the API key) as soon as the run ends.
    """

    def __init__(self, work: Work, cancel: CancelToken, signals: _Signals, interval: float):
        super().__init__()
        self._work: Work | None = work
        self._cancel: CancelToken | None = cancel
        self._signals: _Signals | None = signals
        self._interval = interval

    def run(self) -> None:
        work, cancel, signals = self._work, self._cancel, self._signals
        self._work = self._cancel = self._signals = None
        if work is None or cancel is None or signals is None:
            return
        throttle = ProgressThrottle(signals.progress.emit, self._interval)
        try:
            result = work(throttle, cancel)
        except BaseException as exc:  # reported to the window, never lost on the thread
            work = None
            traceback.clear_frames(exc.__traceback__)  # the frames' locals: rows, the key
            signals.failed.emit(exc)
        else:
            work = None
            signals.finished.emit(result)


class ExportJob(QObject):
    state_changed = Signal(str)
    started = Signal(str)  # the title, e.g. "Dry run of VIP Norway"
    progress = Signal(object)  # Progress
    finished = Signal(object)  # Run
    failed = Signal(object)  # BaseException

    def __init__(self, parent: QObject | None = None, *, throttle_s: float = 0.25) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._throttle_s = throttle_s
        self._cancel: CancelToken | None = None
        self._signals: _Signals | None = None
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
        self._cancel = CancelToken()
        signals = _Signals(self)
        signals.progress.connect(self._on_progress)
        signals.finished.connect(self._on_finished)
        signals.failed.connect(self._on_failed)
        self._signals = signals
        self._set_state(RUNNING)
        self.started.emit(title)
        self._pool.start(_Runnable(work, self._cancel, signals, self._throttle_s))
        return True

    def cancel(self) -> None:
        """Ask the run to stop: no new request starts, those in flight finish."""
        if self.state == RUNNING and self._cancel is not None:
            self._cancel.cancel()
            self._set_state(CANCELLING)

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Block until the worker thread is done (only when quitting)."""
        return self._pool.waitForDone(timeout_ms)

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)

    @Slot(object)
    def _on_progress(self, progress: object) -> None:
        assert isinstance(progress, Progress)
        self.last_progress = progress
        self.progress.emit(progress)

    @Slot(object)
    def _on_finished(self, run: object) -> None:
        self._end()
        self.finished.emit(run)

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        self._end()
        self.failed.emit(exc)

    def _end(self) -> None:
        if self._signals is not None:
            self._signals.deleteLater()
        self._signals = None
        self._cancel = None
        self._set_state(IDLE)
