"""Starting the main window as a user does, and watching it: for the self-test and for timing.

The self-test's window step and the start-up probe both go through ``main_window_frame``, as
``run_gui`` does: the frame is shown, filled after its first paint, then looks up the keyring.

``AUTOPILOT_EXPORTER_SELF_TEST=startup autopilot-exporter --self-test`` runs the start-up probe:
it starts the window in a throwaway data folder, prints the times of its first paint, of the
end of its filling and of its ready signal, and quits. packaging/measure.py times the start to
that paint next to a bare PySide6 window frozen the same way. This module imports little, so
the probe's own cost stays out of what it measures.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.paths import HOME_ENV

if TYPE_CHECKING:
    from app.context import AppContext

PROBE_ENV = "AUTOPILOT_EXPORTER_SELF_TEST"
WINDOW_TIMEOUT_MS = 10_000


class WindowNotShown(Exception):
    """The window did not open, paint, fill or get ready; the message says which."""


@contextmanager
def isolated_environment() -> Iterator[Path]:
    """Offscreen Qt and a throwaway AUTOPILOT_EXPORTER_HOME, both undone afterwards."""
    saved = {key: os.environ.get(key) for key in (HOME_ENV, "QT_QPA_PLATFORM")}
    home = Path(tempfile.mkdtemp(prefix="autopilot-exporter-self-test-"))
    os.environ[HOME_ENV] = str(home)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        yield home
    finally:
        _close_log_files()  # Windows cannot delete a folder with an open log file
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(home, ignore_errors=True)


def _close_log_files() -> None:
    import logging

    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_autopilot_exporter", False):
            root.removeHandler(handler)
            handler.close()


@dataclass
class Shown:
    window: Any  # app.ui.main_window.MainWindow
    started_at: float  # time.time() when the window was made
    painted_at: float = 0.0  # time.time() of the frame's first paint
    built_at: float = 0.0  # ... of the end of filling it (the tabs and the workers exist)
    ready_at: float = 0.0  # ... of its ready signal (keyring known, tabs show their data)

    def ms(self, at: float) -> int:
        return round((at - self.started_at) * 1000)


@contextmanager
def shown_main_window(ctx: AppContext) -> Iterator[Shown]:
    """The main window started as a user starts it, until it is ready; then closed.

    The same start as ``run_gui``: the frame is shown, filled after its first paint, then
    looks up the keyring. Waits on the window's own events and signals, bounded by
    WINDOW_TIMEOUT_MS, never on time.
    """
    from PySide6.QtCore import QEventLoop, QThreadPool, QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.application import main_window_frame

    started_at = time.time()
    said: list[str] = []
    window = main_window_frame(ctx, unattended_dialogs(said))
    app = QApplication.instance()
    loop = QEventLoop()
    shown = Shown(window, started_at)
    events = ("painted", "built", "ready")

    def mark(what: str) -> None:
        setattr(shown, f"{what}_at", time.time())
        if all(getattr(shown, f"{event}_at") for event in events):
            QTimer.singleShot(0, loop.quit)

    for event in events:
        getattr(window, event).connect(lambda event=event: mark(event))
    window.could_not_open.connect(loop.quit)
    timeout = QTimer(singleShot=True, interval=WINDOW_TIMEOUT_MS)
    timeout.timeout.connect(loop.quit)
    timeout.start()
    window.show()
    loop.exec()
    timeout.stop()
    try:
        if window.start_failed or said:
            raise WindowNotShown(" / ".join(said) or "the window could not open (see the log)")
        missing = [event for event in events if not getattr(shown, f"{event}_at")]
        if missing or not window.isVisible():
            what = " and ".join(missing) or "visible"
            raise WindowNotShown(f"the window was not {what} within {WINDOW_TIMEOUT_MS} ms")
        yield shown
    finally:
        window.close()  # saves the window's place (in the temporary folder) and stops workers
        window.deleteLater()
        QThreadPool.globalInstance().waitForDone(WINDOW_TIMEOUT_MS)
        if app is not None:
            app.processEvents()


def unattended_dialogs(said: list[str]) -> Any:
    """Dialogs that ask nothing: messages are kept in ``said`` (no one is there to click OK)."""
    from app.ui.dialogs import Dialogs

    class Unattended(Dialogs):
        def information(self, title: str, message: str) -> None:
            said.append(f"{title}: {message}")

        def warning(self, title: str, message: str) -> None:
            said.append(f"{title}: {message}")

        def error_details(self, title: str, message: str, details: str) -> None:
            last = details.strip().splitlines()[-1:]  # the exception's line of the traceback
            said.append(" ".join([f"{title}: {message}", *last]))

        def confirm(self, title: str, message: str, action: str) -> bool:
            said.append(f"{title}: {message}")
            return False

    return Unattended()


def run_startup_probe() -> int:
    """Start the window as a user does and quit when it is ready: what packaging/measure.py times.

    Prints ``first paint at <time.time()>``, ``built at ...`` and ``ready at ...``, so the
    caller can subtract its own launch time.
    """
    from app.context import build_context

    with isolated_environment():
        ctx = build_context(open_log=False)  # as run_gui's caller does
        with shown_main_window(ctx) as shown:
            print(f"first paint at {shown.painted_at:.6f}", flush=True)
            print(f"built at {shown.built_at:.6f}", flush=True)
            print(f"ready at {shown.ready_at:.6f}", flush=True)
    return 0
