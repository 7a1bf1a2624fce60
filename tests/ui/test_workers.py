"""The worker adapter: results and progress on the GUI thread, stale answers dropped, the
export's state made explicit."""

from __future__ import annotations

import gc
import logging
import threading
import weakref
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from app.core.cancel import CancelToken
from app.core.export import Progress
from app.ui.background.workers import Report, TaskQueue, Throttle
from app.ui.running.job import CANCELLING, IDLE, RUNNING, ExportJob, passes_at_once


@pytest.fixture
def errors() -> list[BaseException]:
    return []


@pytest.fixture
def queue(errors: list[BaseException]) -> Iterator[TaskQueue]:
    tasks = TaskQueue("test", 2, errors.append)
    yield tasks
    assert tasks.shutdown()
    assert tasks.active_threads() == 0


def test_result_arrives_on_the_gui_thread_and_work_ran_elsewhere(
    qtbot: QtBot, queue: TaskQueue
) -> None:
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker"] = QThread.currentThread()
        return 42

    def done(result: object) -> None:
        seen["result"] = result
        seen["receiver"] = QThread.currentThread()

    with qtbot.waitSignal(queue.idle, timeout=5000):
        queue.submit(work, done)
    assert seen["result"] == 42
    assert seen["receiver"] is qtbot_main_thread()
    assert seen["worker"] is not seen["receiver"]


def qtbot_main_thread() -> QThread:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance().thread()  # type: ignore[union-attr]


def test_an_error_goes_to_the_callback_or_to_the_default_handler(
    qtbot: QtBot, queue: TaskQueue, errors: list[BaseException]
) -> None:
    mine: list[BaseException] = []

    def boom() -> None:
        raise ValueError("broken")

    with qtbot.waitSignal(queue.idle, timeout=5000):
        queue.submit(boom, lambda _: None, mine.append)
    with qtbot.waitSignal(queue.idle, timeout=5000):
        queue.submit(boom, lambda _: None)
    assert [str(e) for e in mine] == ["broken"]
    assert [str(e) for e in errors] == ["broken"]


def test_only_the_newest_result_of_a_key_is_delivered(qtbot: QtBot, queue: TaskQueue) -> None:
    release = threading.Event()
    delivered: list[str] = []
    queue.submit(lambda: release.wait(5) and "old", delivered.append, key="count")
    queue.submit(lambda: "newest", delivered.append, key="count")
    release.set()
    qtbot.waitUntil(lambda: not queue.busy(), timeout=5000)
    assert delivered == ["newest"]


def test_queued_work_of_a_key_is_dropped_when_newer_work_comes(qtbot: QtBot) -> None:
    single = TaskQueue("single", 1, lambda exc: None)
    release = threading.Event()
    ran: list[str] = []
    single.submit(lambda: release.wait(5), lambda _: None)  # occupies the only thread
    single.submit(lambda: ran.append("first"), lambda _: None, key="k")
    single.submit(lambda: ran.append("second"), lambda _: None, key="k")
    release.set()
    qtbot.waitUntil(lambda: not single.busy(), timeout=5000)
    assert single.shutdown()
    assert ran == ["second"]


def test_throttle_passes_phase_changes_and_the_end_but_not_a_flood() -> None:
    now = [0.0]
    emitted: list[Progress] = []
    throttle = Throttle(emitted.append, 0.25, urgent=passes_at_once, clock=lambda: now[0])

    def progress(phase: str, sent: int) -> Progress:
        return Progress(1, phase, "S", 1000, sent, 0, 100.0, 1.0)

    throttle(progress("lists", 0))
    throttle(progress("sending", 100))
    for sent in range(200, 900, 100):
        now[0] += 0.01
        throttle(progress("sending", sent))
    now[0] += 0.3
    throttle(progress("sending", 950))
    throttle(progress("sending", 1000))
    assert [(p.phase, p.sent) for p in emitted] == [
        ("lists", 0),
        ("sending", 100),
        ("sending", 950),
        ("sending", 1000),
    ]


def test_throttle_holds_back_the_newest_value_and_flush_passes_it_on() -> None:
    now = [0.0]
    emitted: list[int] = []
    throttle = Throttle(emitted.append, 0.25, clock=lambda: now[0])
    throttle.flush()  # nothing held back: nothing passed on
    for value in range(1, 6):
        now[0] += 0.01
        throttle(value)
    assert emitted == [1]
    now[0] += 0.3
    throttle(6)  # due: passed on, and nothing is held back any more
    throttle.flush()
    assert emitted == [1, 6]
    throttle(7)
    throttle(8)
    throttle.flush()
    assert emitted == [1, 6, 8]


def test_progress_arrives_on_the_gui_thread_throttled_and_the_last_value_before_the_result(
    qtbot: QtBot, queue: TaskQueue
) -> None:
    gui = qtbot_main_thread()
    seen: list[tuple[str, object]] = []
    threads: set[bool] = set()

    def work(report: Report) -> str:
        for value in range(1, 1001):
            report(value)
        return "done"

    def progressed(value: object) -> None:
        threads.add(QThread.currentThread() is gui)
        seen.append(("progress", value))

    def done(result: object) -> None:
        seen.append(("done", result))

    with qtbot.waitSignal(queue.idle, timeout=5000):
        queue.submit_reporting(work, progressed, done, interval=60.0)
    # The first value passes at once; the other 999 come within the interval, so only the
    # last of them is passed on, when the work ends, and before its result.
    assert seen == [("progress", 1), ("progress", 1000), ("done", "done")]
    assert threads == {True}


def test_the_last_progress_arrives_before_a_failure_too(qtbot: QtBot, queue: TaskQueue) -> None:
    seen: list[object] = []

    def work(report: Report) -> None:
        report("first")
        report("last")
        raise ValueError("broken")

    with qtbot.waitSignal(queue.idle, timeout=5000):
        queue.submit_reporting(work, seen.append, seen.append, seen.append, interval=60.0)
    assert seen[:2] == ["first", "last"]
    assert isinstance(seen[2], ValueError) and len(seen) == 3


def test_progress_of_stale_work_is_not_delivered(qtbot: QtBot, queue: TaskQueue) -> None:
    reported, release = threading.Event(), threading.Event()
    progress: list[object] = []

    def old(report: Report) -> str:
        report("old")
        reported.set()
        release.wait(5)
        return "old"

    queue.submit_reporting(old, progress.append, lambda _: None, key="k")
    assert reported.wait(5)  # its progress is on its way, not delivered: no event ran yet
    queue.submit_reporting(lambda report: report("new"), progress.append, lambda _: None, key="k")
    release.set()
    qtbot.waitUntil(lambda: not queue.busy(), timeout=5000)
    assert progress == ["new"], "what older work reported is dropped like its result"


def test_export_job_states_and_cancel(qtbot: QtBot) -> None:
    job = ExportJob(throttle_s=0.0)
    states: list[str] = []
    job.state_changed.connect(states.append)
    started = threading.Event()

    def work(on_progress: object, cancel: CancelToken) -> object:
        started.set()
        cancel.wait(10)
        return "cancelled" if cancel.is_cancelled() else "timed out"

    assert job.start("test", work)  # type: ignore[arg-type]
    assert job.state == RUNNING
    assert not job.start("second", work)  # type: ignore[arg-type]
    assert started.wait(5)
    with qtbot.waitSignal(job.finished, timeout=5000) as finished:
        job.cancel()
        assert job.state == CANCELLING
    assert finished.args == ["cancelled"]
    assert job.state == IDLE
    assert states == [RUNNING, CANCELLING, IDLE]
    assert job.wait(1000)


def test_export_job_reports_a_failure_and_returns_to_idle(qtbot: QtBot) -> None:
    job = ExportJob()

    def work(on_progress: object, cancel: CancelToken) -> object:
        raise RuntimeError("engine broke")

    with qtbot.waitSignal(job.failed, timeout=5000) as failed:
        job.start("test", work)  # type: ignore[arg-type]
    assert str(failed.args[0]) == "engine broke"
    assert job.state == IDLE
    assert job.wait(1000)


class _Secret:
    """Stands for what a job's closure holds (an API key, a plan); weakly referenced."""


def _collected(ref: weakref.ReferenceType[_Secret]) -> bool:
    gc.collect()
    return ref() is None


def test_a_finished_job_lets_go_of_its_closure(qtbot: QtBot, queue: TaskQueue) -> None:
    secret = _Secret()
    ref = weakref.ref(secret)
    results: list[object] = []

    def work(held: _Secret = secret) -> str:
        return "done" if held is not None else "lost"

    with qtbot.waitSignal(queue.idle, timeout=5000):
        queue.submit(work, results.append)
    del work, secret
    assert results == ["done"]
    qtbot.waitUntil(lambda: queue.active_threads() == 0, timeout=5000)
    assert _collected(ref), "the job, its function or its callbacks are still held"


def test_a_failed_job_lets_go_of_its_closure_too(qtbot: QtBot, queue: TaskQueue) -> None:
    secret = _Secret()
    ref = weakref.ref(secret)
    failures: list[str] = []

    def work(held: _Secret = secret) -> None:
        raise ValueError("refused")

    with qtbot.waitSignal(queue.idle, timeout=5000):
        queue.submit(work, lambda _: None, lambda exc: failures.append(str(exc)))
    del work, secret
    qtbot.waitUntil(lambda: queue.active_threads() == 0, timeout=5000)
    assert failures == ["refused"]
    assert _collected(ref), "the exception's delivery keeps the work alive"


def test_dropped_queued_work_is_let_go_without_running(qtbot: QtBot) -> None:
    single = TaskQueue("single", 1, lambda exc: None)
    release = threading.Event()
    secret = _Secret()
    ref = weakref.ref(secret)
    single.submit(lambda: release.wait(5), lambda _: None)
    single.submit(lambda held=secret: held, lambda _: None, key="k")
    single.submit(lambda: "newer", lambda _: None, key="k")
    del secret
    assert _collected(ref), "dropped work is freed at once, before a thread is free"
    release.set()
    qtbot.waitUntil(lambda: not single.busy(), timeout=5000)
    assert single.shutdown()


def test_a_finished_export_lets_go_of_its_work(qtbot: QtBot) -> None:
    job = ExportJob(throttle_s=0.0)
    plan = _Secret()
    ref = weakref.ref(plan)

    def work(on_progress: object, cancel: CancelToken, held: _Secret = plan) -> object:
        return "finished"

    with qtbot.waitSignal(job.finished, timeout=5000) as finished:
        job.start("test", work)  # type: ignore[arg-type]
    del work, plan
    assert finished.args == ["finished"]
    assert job.wait(1000)
    assert _collected(ref), "the run's plan and key are still held after the run"


def test_shutdown_says_so_and_logs_when_a_worker_is_still_busy(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    single = TaskQueue("slow", 1, lambda exc: None)
    started, release = threading.Event(), threading.Event()

    def work() -> None:
        started.set()
        release.wait(10)

    single.submit(work, lambda _: None)
    assert started.wait(5)
    with caplog.at_level(logging.WARNING):
        assert not single.shutdown(timeout_ms=0)
    assert "slow worker was still busy" in caplog.text
    release.set()
    assert single.shutdown(timeout_ms=5000)
    assert single.active_threads() == 0


def test_a_daemon_queue_delivers_on_the_gui_thread_and_does_not_hold_up_quitting(
    qtbot: QtBot,
) -> None:
    checks = TaskQueue("checks", 2, lambda exc: None, daemon=True)
    seen: dict[str, object] = {}

    def work() -> str:
        seen["thread"] = threading.current_thread()
        return "accepted"

    with qtbot.waitSignal(checks.idle, timeout=5000):
        checks.submit(work, lambda result: seen.setdefault("result", result))
    assert seen["result"] == "accepted"
    worker = seen["thread"]
    assert isinstance(worker, threading.Thread) and worker.daemon
    assert checks.shutdown(timeout_ms=5000)
    assert checks.active_threads() == 0
