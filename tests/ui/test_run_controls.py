"""Starting runs and what goes on around them: feedback while the key is read, one run per
click, nothing started while all data is deleted, row details deleted off the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.ui.main_window import HISTORY, MainWindow
from app.ui.running.job import IDLE
from tests.support.autopilot_sim import AutopilotSimulator
from tests.support.screens import screenshots
from tests.support.screens.demo import EXPORT, demo_context, seed
from tests.ui.conftest import SIM_KEY, ScriptedDialogs, WindowFactory
from tests.ui.steps import add_connection, click, import_sample, new_export, run_now, settle

LOYAL = "Loyal customers"


def ready_to_run(qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator) -> None:
    add_connection(qtbot, window, "Marketing", SIM_KEY, sim.base_url)
    import_sample(qtbot, window)
    new_export(qtbot, window, "November", "Marketing", [LOYAL])


def hold(window: MainWindow, queue_name: str) -> threading.Event:
    """Keep a one-thread queue busy until the event is set (a slow keyring, a long import)."""
    gate = threading.Event()
    queue = window.ui.vault.queue if queue_name == "keyring" else window.ui.profiles
    queue.submit(lambda: gate.wait(10), lambda _: None)
    return gate


def test_run_now_says_the_key_is_being_read_and_a_second_click_does_nothing(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator, dialogs: ScriptedDialogs
) -> None:
    ready_to_run(qtbot, window, sim)
    view = window.mapping.view
    keyring = hold(window, "keyring")
    with qtbot.waitSignal(window.mapping.launcher.preparing, timeout=10_000):
        click(qtbot, view.run_button)
        assert not view.run_button.isEnabled() and not view.dry_run_button.isEnabled()
    assert window.panel.isVisible()
    assert window.panel.phase.text() == "Reading the API key\u2026"
    assert window.statusBar().currentMessage() == "Reading the API key\u2026"
    assert not view.run_button.isEnabled() and not view.dry_run_button.isEnabled()
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)  # the impatient second click
    with qtbot.waitSignal(window.ui.export.finished, timeout=30_000):
        keyring.set()
    settle(qtbot, window)
    assert dialogs.asked("information") == [], "no 'One run at a time' for a double click"
    assert len(window.ui.app.runs.all()) == 1
    assert view.run_button.isEnabled()


def test_a_run_that_does_not_start_says_why_and_can_be_tried_again(
    qtbot: QtBot,
    keyless_window: MainWindow,
    sim: AutopilotSimulator,
    dialogs: ScriptedDialogs,
) -> None:
    window = keyless_window
    import_sample(qtbot, window)
    new_export(qtbot, window, "November", "Marketing", [LOYAL])
    dialogs.answers["ask_api_key"] = None  # the user closes the key dialog
    with qtbot.waitSignal(window.mapping.launcher.not_started, timeout=10_000):
        click(qtbot, window.mapping.view.run_button)
    message = "The run did not start: the API key is needed."
    assert window.panel.phase.text() == message
    assert window.statusBar().currentMessage() == message
    assert not window.ui.permission.starting
    settle(qtbot, window)
    assert window.mapping.view.run_button.isEnabled()
    assert window.ui.app.runs.all() == []


def test_nothing_runs_or_imports_while_all_data_is_deleted(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator, dialogs: ScriptedDialogs
) -> None:
    ready_to_run(qtbot, window, sim)
    view, segments = window.mapping.view, window.segments.view
    assert view.run_button.isEnabled() and segments.import_button.isEnabled()
    plan = window.mapping.checker.plan
    assert plan is not None
    profiles = hold(window, "profiles")  # the deletion waits behind this
    window.erase_all_data()
    assert window.ui.permission.erasing
    for button in (view.run_button, view.dry_run_button, segments.import_button):
        assert not button.isEnabled(), button.text()
    assert window.import_action is not None and not window.import_action.isEnabled()
    window.mapping.launcher.dry_run(plan)
    assert dialogs.asked("information")[-1][1].startswith("All data is being deleted")
    assert not window.ui.export.active
    profiles.set()
    qtbot.waitUntil(lambda: not window.ui.permission.erasing, timeout=10_000)
    settle(qtbot, window)
    assert window.ui.app.exports.all() == []
    assert segments.import_button.isEnabled() and window.import_action.isEnabled()


def test_row_details_are_deleted_off_the_gui_thread(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator
) -> None:
    ready_to_run(qtbot, window, sim)
    run = run_now(qtbot, window)
    assert run.invalid > 0
    window.tabs.setCurrentIndex(HISTORY)
    window.history.select_run(run.run_id)
    view = window.history.view
    assert view.save_rejected_button.isEnabled()
    gate = hold(window, "profiles")  # the deletion waits behind this, so it cannot finish early
    with qtbot.waitSignal(window.history.purged, timeout=10_000) as purged:
        click(qtbot, view.purge_button)
        assert window.ui.profiles.busy(), "the deletion was queued, not done on the GUI thread"
        assert not window.ui.app.runs.get(run.run_id).details_purged
        gate.set()
    assert purged.args == [run.run_id]
    assert window.ui.app.runs.get(run.run_id).details_purged
    assert not view.save_rejected_button.isEnabled()
    assert "row details of this run were deleted" in view.fields["warnings"].text()


def test_history_names_the_lists_and_keeps_their_ids_aside(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator
) -> None:
    ready_to_run(qtbot, window, sim)
    run = run_now(qtbot, window)
    window.tabs.setCurrentIndex(HISTORY)
    window.history.select_run(run.run_id)
    lists = window.history.view.fields["lists"]
    list_id = run.lists[LOYAL]
    assert list_id
    assert lists.text() == LOYAL
    assert list_id in lists.toolTip()


def test_the_running_screenshot_shows_the_numbers_of_the_export_shown(
    qtbot: QtBot, make_window: WindowFactory, app_home: Path
) -> None:
    context = demo_context()
    seed(context)
    window = make_window(context)
    screenshots._running(window)
    plan = window.mapping.checker.plan
    assert plan is not None and plan.export.name == EXPORT
    assert window.panel.counts.text().startswith(f"0 of {plan.valid:,} contacts")
    assert plan.segments[0].segment.name in window.panel.phase.text()
    assert window.statusBar().currentMessage() == f"Sending '{EXPORT}' to Autopilot\u2026"
    window.ui.export.state = IDLE  # nothing ran: put the job back as the tool does
