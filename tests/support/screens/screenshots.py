"""Render every tab with the sample data: ``python -m tests.support.screens.screenshots OUTDIR``.

Writes OUTDIR/*.png at 1280x800, then runs itself again for the four tabs: with
``QT_SCALE_FACTOR=2`` (``*.200.png``, the window at 200% scaling), in the dark theme a desktop set
to dark gets (``*.dark.png``) and in Norwegian (``*.nb.png``). It works in a throwaway data
folder, so the user's own data and keyring are never touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QEventLoop
from PySide6.QtWidgets import QApplication

from app.context import AppContext
from app.core.export import Progress
from app.core.i18n import NORWEGIAN_BOKMAL, activate
from app.core.schedule import cron
from app.core.schedule.models import Schedule
from app.core.schedule.service import ScheduleInfo
from app.core.secrets import SecretStore
from app.core.segments import Rule, Segment
from app.ui.application import application, build_main_window
from app.ui.kit.style import apply_style
from app.ui.language import install_qt_catalog
from app.ui.main_window import CONNECTIONS, HISTORY, MAPPING, SEGMENTS, MainWindow
from app.ui.mapping.schedule_dialog import ScheduleDialog
from app.ui.qt_logging import route_qt_messages
from app.ui.running.job import IDLE, RUNNING
from app.ui.segments.sample_data import SAMPLE_SOURCE, sample_file
from tests.support.screens.demo import (
    EXPORT,
    ORTTO_CONNECTION,
    ORTTO_EXPORT,
    demo_context,
    seed,
)
from tests.support.screens.problem_shots import problem_shots

SIZE = (1280, 800)
TAB_SHOTS = ("1-connections", "2-segments", "3-mapping", "4-history")
# Each from a fresh process: the scale, the theme and the language are set before the first
# window. The flag, the suffix of the files and the environment it runs with.
VARIANTS = (
    ("--scaled", ".200", {"QT_SCALE_FACTOR": "2"}),
    ("--dark", ".dark", {}),
    ("--norwegian", ".nb", {}),
)


def settle(window: MainWindow, timeout: float = 30.0) -> None:
    """Let background work and pending counts finish, then paint."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if window.is_settled():
            break
        time.sleep(0.02)
    for _ in range(5):
        # deleteLater only runs from an event loop; this tool drives events by hand.
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QApplication.processEvents()


def _context(home: Path, secret_store: SecretStore | None = None) -> AppContext:
    os.environ["AUTOPILOT_EXPORTER_HOME"] = str(home)
    return demo_context(secret_store)


def _window(context: AppContext) -> MainWindow:
    window = build_main_window(context)
    window.resize(*SIZE)
    window.show()
    settle(window)
    return window


def _save(window: MainWindow, outdir: Path, name: str, suffix: str) -> Path:
    settle(window)
    path = outdir / f"{name}{suffix}.png"
    window.grab().save(str(path))
    print(path)
    return path


def _first_run(outdir: Path, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as home:
        window = _window(_context(Path(home)))
        _save(window, outdir, "0-first-run-connections", suffix)
        window.tabs.setCurrentIndex(SEGMENTS)
        _save(window, outdir, "0-first-run-segments", suffix)
        window.tabs.setCurrentIndex(MAPPING)
        _save(window, outdir, "0-first-run-mapping", suffix)
        _close(window)


def _filled(outdir: Path, suffix: str, only: tuple[str, ...] = ()) -> None:
    with tempfile.TemporaryDirectory() as home:
        context = _context(Path(home))
        seed(context)
        window = _window(context)
        shots: list[tuple[str, Callable[[], None]]] = [
            ("1-connections", lambda: _connections(window)),
            ("1b-connections-ortto", lambda: _connections(window, ORTTO_CONNECTION)),
            ("2-segments", lambda: _segments(window)),
            ("3-mapping", lambda: _mapping(window)),
            ("3b-mapping-ortto", lambda: _mapping(window, ORTTO_EXPORT)),
            ("4-history", lambda: window.tabs.setCurrentIndex(HISTORY)),
            ("5-export-running", lambda: _running(window)),
        ]
        for name, prepare in shots:
            if only and name not in only:
                continue
            prepare()
            _save(window, outdir, name, suffix)
        window.ui.export.state = IDLE
        _close(window)


def _fresh_data(outdir: Path) -> None:
    """A source whose file changed since it was imported, a segment counted back from today,
    and the schedule dialog."""
    with tempfile.TemporaryDirectory() as home:
        context = _context(Path(home))
        seed(context)
        copy = Path(home) / "Customers.csv"
        shutil.copy(sample_file(), copy)
        context.profiles.import_file(copy, SAMPLE_SOURCE)
        lapsed = Segment(
            "Bought in the last 90 days",
            SAMPLE_SOURCE,
            "all",
            (Rule("Country", "eq", "Norway"), Rule("LastPurchase", "within-days", "90")),
        )
        context.segments.add(lapsed)
        later = copy.stat().st_mtime_ns + 3_600 * 10**9  # saved again an hour later
        os.utime(copy, ns=(later, later))
        window = _window(context)
        window.tabs.setCurrentIndex(SEGMENTS)
        row = window.segments.model.find(lambda s: s.name == lapsed.name)
        window.segments.view.segments.selectRow(row)
        _save(window, outdir, "2b-segments-changed-file-and-calendar-rule", "")
        _mapping(window)
        settle(window)
        info = ScheduleInfo(EXPORT, "crontab", cron.KEYRING_NOTE, Schedule(7, 30, 0))
        dialog = ScheduleDialog(EXPORT, info, parent=window)
        dialog.show()
        settle(window)
        path = outdir / "3c-schedule.png"
        dialog.grab().save(str(path))
        print(path)
        dialog.close()
        _close(window)


def _connections(window: MainWindow, name: str | None = None) -> None:
    window.tabs.setCurrentIndex(CONNECTIONS)
    row = 0 if name is None else window.connections.model.find(lambda c: c.name == name)
    window.connections.view.table.selectRow(row)
    window.connections.view.advanced_toggle.setChecked(True)


def _segments(window: MainWindow) -> None:
    window.tabs.setCurrentIndex(SEGMENTS)
    window.segments.view.segments.selectRow(1)


def _mapping(window: MainWindow, name: str = EXPORT) -> None:
    window.tabs.setCurrentIndex(MAPPING)
    row = window.mapping.model.find(lambda e: e.name == name)
    window.mapping.view.exports.selectRow(row)


def _running(window: MainWindow) -> None:
    """The panel as a run of the export shown starts sending, with that export's own numbers.

    Nothing is sent: the job is put in its running state and fed the progress report the
    engine gives when the first batch of the first segment goes out.
    """
    _mapping(window)
    settle(window)
    plan = window.mapping.checker.plan
    assert plan is not None, "the demo export has a plan"
    job = window.ui.export
    job.state = RUNNING  # what a real run sets, so the buttons look as they would
    job.state_changed.emit(RUNNING)
    job.started.emit(window.tr("Sending '{export}' to Autopilot").format(export=EXPORT))
    rate = plan.connection.rate_limit
    run_id = max((run.run_id for run in window.ui.app.runs.all()), default=0) + 1
    segment = plan.segments[0].segment.name
    window.panel.show_progress(
        Progress(run_id, "sending", segment, plan.valid, 0, 0, 0.0, plan.requests / rate)
    )


def _close(window: MainWindow) -> None:
    window.close()
    QApplication.processEvents()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.screens.screenshots")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--scaled", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--norwegian", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dark", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    args.outdir.mkdir(parents=True, exist_ok=True)
    route_qt_messages()
    if args.norwegian:
        activate(NORWEGIAN_BOKMAL)
    app = application()
    if args.norwegian:
        install_qt_catalog(NORWEGIAN_BOKMAL)
        _filled(args.outdir, ".nb", TAB_SHOTS)
        problem_shots(
            _context, _window, lambda window, name: _save(window, args.outdir, name, ".nb")
        )
        return 0
    if args.scaled:
        _filled(args.outdir, ".200", TAB_SHOTS)
        return 0
    if args.dark:
        apply_style(app, dark=True)  # what a desktop set to dark gets
        _filled(args.outdir, ".dark", TAB_SHOTS)
        return 0
    _first_run(args.outdir, "")
    _filled(args.outdir, "")
    _fresh_data(args.outdir)
    problem_shots(_context, _window, lambda window, name: _save(window, args.outdir, name, ""))
    env = dict(os.environ)
    env.pop("AUTOPILOT_EXPORTER_HOME", None)
    command = [sys.executable, "-m", "tests.support.screens.screenshots", str(args.outdir)]
    codes = [
        subprocess.run([*command, flag], env={**env, **extra}, check=False).returncode
        for flag, _suffix, extra in VARIANTS
    ]
    return next((code for code in codes if code), 0)


if __name__ == "__main__":
    sys.exit(main())
