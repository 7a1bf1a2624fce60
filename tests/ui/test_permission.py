"""What may start now: one object, changed by named transitions, that the buttons follow."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from app.core.cancel import CancelToken
from app.ui.running.job import ExportJob
from app.ui.running.permission import Permission


def _rules(permission: Permission) -> dict[str, bool]:
    return {
        "run": permission.may_start_run(),
        "erase": permission.may_erase(),
        "import": permission.may_import(),
        "remove profiles": permission.may_remove_profiles(),
    }


ALL = {"run": True, "erase": True, "import": True, "remove profiles": True}


def test_each_activity_allows_only_what_does_not_collide_with_it(qtbot: QtBot) -> None:
    permission = Permission(ExportJob())
    assert _rules(permission) == ALL

    permission.begin_import()  # an import holds DuckDB's write connection
    assert _rules(permission) == {**ALL, "run": False, "erase": False, "remove profiles": False}
    permission.end_import()
    assert _rules(permission) == ALL

    permission.begin_erase()
    assert not any(_rules(permission).values())
    permission.end_erase()

    permission.begin_start()  # a run's key is being read
    assert _rules(permission) == {**ALL, "run": False, "erase": False}
    permission.end_start()
    assert _rules(permission) == ALL


def test_a_run_going_on_is_the_export_jobs_own_state(qtbot: QtBot) -> None:
    job = ExportJob()
    permission = Permission(job)
    started = threading.Event()

    def work(on_progress: object, cancel: CancelToken) -> object:
        started.set()
        cancel.wait(10)
        return "cancelled"

    with qtbot.waitSignal(permission.changed, timeout=1000):
        assert job.start("test", work)  # type: ignore[arg-type]
    assert permission.exporting
    assert not any(_rules(permission).values())
    assert started.wait(5)
    with qtbot.waitSignals([job.finished, permission.changed], timeout=5000):
        job.cancel()
        assert permission.exporting, "cancelling is still running"
    assert not permission.exporting
    assert _rules(permission) == ALL
    assert job.wait(1000)


def test_changed_is_emitted_once_per_real_change(qtbot: QtBot) -> None:
    permission = Permission(ExportJob())
    changes: list[str] = []
    permission.changed.connect(lambda: changes.append(_state(permission)))
    permission.begin_start()
    permission.begin_start()  # a resume prepares twice: rebuilding the plan, reading the key
    permission.begin_import()
    permission.end_start()
    permission.end_start()
    permission.end_import()
    permission.begin_erase()
    permission.end_erase()
    permission.end_erase()
    assert changes == ["starting", "importing starting", "importing", "", "erasing", ""]


def _state(permission: Permission) -> str:
    names = ("importing", "erasing", "starting")
    return " ".join(name for name in names if getattr(permission, name))
