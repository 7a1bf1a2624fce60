"""The whole way through, against the local Autopilot simulator, as a marketer would go."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.core.connections import Connection
from app.core.destinations.autopilot.fields import FIELDS
from app.core.export import Export
from app.core.export.engine import start_run
from app.core.history import Run, RunStatus
from app.core.mapping import Mapping
from app.core.segments import Rule, Segment
from app.core.store import utc_now
from app.ui.main_window import HISTORY, MainWindow
from app.ui.segments.sample_data import SAMPLE_SOURCE, sample_file
from tests.support.autopilot_sim import AutopilotSimulator
from tests.ui.conftest import SIM_KEY, ScriptedDialogs, WindowFactory
from tests.ui.steps import (
    add_connection,
    click,
    define_segment,
    import_files,
    import_sample,
    new_export,
    run_now,
    settle,
)

SEGMENT = "Loyal Norwegians"


def expected_emails(path: Path, keep: Callable[[dict[str, str]], bool], column: str) -> set[str]:
    """Independently of the program: valid, de-duplicated, lower-cased emails of kept rows."""
    found: set[str] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            email = row[column].strip()
            if not keep(row):
                continue
            try:
                validate_email(email, check_deliverability=False)
            except EmailNotValidError:
                continue
            found.add(email.lower())
    return found


def loyal_norwegian(row: dict[str, str]) -> bool:
    return row["Country"].strip().lower() == "norway" and int(row["LoyaltyPoints"]) >= 500


def list_members(sim: AutopilotSimulator, title: str) -> set[str]:
    lists = [item for item in sim.lists() if item["title"] == title]
    assert len(lists) == 1, sim.lists()
    return set(sim.list_members(lists[0]["list_id"]))


def test_from_an_api_key_and_a_file_to_a_list_in_autopilot(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator
) -> None:
    add_connection(qtbot, window, "Marketing", SIM_KEY, sim.base_url)
    import_sample(qtbot, window)
    define_segment(
        qtbot,
        window,
        SEGMENT,
        SAMPLE_SOURCE,
        [Rule("Country", "eq", "Norway"), Rule("LoyaltyPoints", "ge", "500")],
    )
    new_export(qtbot, window, "November", "Marketing", [SEGMENT])
    run = run_now(qtbot, window)

    expected = expected_emails(sample_file(), loyal_norwegian, "PrimaryEmail")
    assert run.status == RunStatus.SUCCEEDED
    assert run.sent == len(expected) == run.unique_profiles
    assert set(sim.contacts()) == expected
    assert list_members(sim, SEGMENT) == expected
    assert not any(c["unsubscribed"] for c in sim.contacts().values())
    assert run.planned == run.sent + run.invalid + run.duplicates

    # History shows the run with its counts, newest first.
    window.tabs.setCurrentIndex(HISTORY)
    history = window.history
    model = history.model
    assert model.record(0).run_id == run.run_id
    assert model.index(0, 0).data() == "\u2714 Succeeded"
    assert model.index(0, 4).data() == f"{len(expected):,}"
    assert model.index(0, 6).data() == f"{run.invalid:,}"
    assert window.panel.isVisible()
    assert "Succeeded" in window.panel.title.text()
    assert f"{len(expected):,} sent" in window.panel.counts.text()


def write_many(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Email", "FirstName"])
        for i in range(rows):
            writer.writerow([f"customer{i:05d}@example.com", f"Name{i}"])
    return path


def test_cancel_mid_run_then_resume_from_history(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    add_connection(qtbot, window, "Slow", SIM_KEY, sim.base_url, rate_limit=10.0)
    import_files(qtbot, window, [write_many(tmp_path / "many.csv", 2000)])
    define_segment(qtbot, window, "Everyone", "many", [])
    new_export(qtbot, window, "All", "Slow", ["Everyone"])

    job = window.ui.export
    with qtbot.waitSignal(
        job.progress, timeout=20_000, check_params_cb=lambda p: p.phase == "sending"
    ):
        click(qtbot, window.mapping.view.run_button)
    assert window.mapping.view.run_button.isEnabled() is False, "one run at a time"
    live = window.history.model.record(0)
    assert (live.status, live.export) == (RunStatus.RUNNING, "All"), (
        "the run in progress is listed live"
    )
    with qtbot.waitSignal(job.finished, timeout=20_000) as finished:
        click(qtbot, window.panel.cancel)
        assert window.panel.cancel.text() == "Cancelling..."
    cancelled = finished.args[0]
    assert cancelled.status == RunStatus.CANCELLED
    assert 0 < cancelled.sent < 2000
    assert cancelled.not_sent == 2000 - cancelled.sent
    settle(qtbot, window)

    window.tabs.setCurrentIndex(HISTORY)
    window.history.select_run(cancelled.run_id)
    assert window.history.view.resume_button.isEnabled()
    with qtbot.waitSignal(job.finished, timeout=60_000) as resumed:
        click(qtbot, window.history.view.resume_button)
    run = resumed.args[0]
    assert (run.run_id, run.status, run.sent, run.not_sent) == (
        cancelled.run_id,
        RunStatus.SUCCEEDED,
        2000,
        0,
    )
    assert len(sim.contacts()) == 2000
    assert len(list_members(sim, "Everyone")) == 2000


def test_a_key_revoked_before_the_run_fails_it_with_the_reason(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator
) -> None:
    add_connection(qtbot, window, "Marketing", SIM_KEY, sim.base_url)
    import_sample(qtbot, window)
    new_export(qtbot, window, "November", "Marketing", ["Loyal customers"])
    sim.revoke_key(SIM_KEY)
    run = run_now(qtbot, window)
    assert run.status == RunStatus.FAILED
    assert run.error is not None and "rejected the API key" in run.error
    assert run.error in window.panel.phase.text()
    window.tabs.setCurrentIndex(HISTORY)
    assert window.history.view.fields["error"].text() == run.error
    assert window.history.view.resume_button.isEnabled()


def test_dry_run_sends_nothing_and_is_kept_in_history(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator
) -> None:
    add_connection(qtbot, window, "Marketing", SIM_KEY, sim.base_url)
    requests_before = len(sim.requests())
    import_sample(qtbot, window)
    new_export(qtbot, window, "November", "Marketing", ["Loyal customers"])
    with qtbot.waitSignal(window.ui.export.finished, timeout=20_000) as finished:
        click(qtbot, window.mapping.view.dry_run_button)
    run = finished.args[0]
    assert run.dry_run and run.status == RunStatus.SUCCEEDED
    assert len(sim.requests()) == requests_before
    assert run.output_path and Path(run.output_path).stat().st_size > 0
    settle(qtbot, window)
    assert window.history.model.index(0, 0).data() == "\u2714 Succeeded (dry run)"


def test_rejected_and_invalid_rows_can_be_saved_as_csv(
    qtbot: QtBot,
    window: MainWindow,
    sim: AutopilotSimulator,
    dialogs: ScriptedDialogs,
    tmp_path: Path,
) -> None:
    add_connection(qtbot, window, "Marketing", SIM_KEY, sim.base_url)
    import_sample(qtbot, window)
    new_export(qtbot, window, "Everyone", "Marketing", ["Loyal customers"])
    run = run_now(qtbot, window)
    assert run.invalid > 0
    window.tabs.setCurrentIndex(HISTORY)
    window.history.select_run(run.run_id)
    target = tmp_path / "rejected.csv"
    dialogs.answers["save_csv"] = target
    with qtbot.waitSignal(window.ui.background.idle, timeout=10_000):
        click(qtbot, window.history.view.save_rejected_button)
    with target.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == run.invalid + run.rejected
    assert {row["state"] for row in rows} == {"invalid"}
    assert dialogs.asked("information")


def test_the_rejected_rows_file_gives_its_reasons_in_the_windows_language(
    qtbot: QtBot,
    norwegian: str,
    make_window: WindowFactory,
    context: AppContext,
    sim: AutopilotSimulator,
    dialogs: ScriptedDialogs,
    tmp_path: Path,
) -> None:
    """Files are for tools, so the columns keep their English names; the reasons are for the
    person who reads them, in the language of the window that made the run."""
    window = make_window(context)
    add_connection(qtbot, window, "Marketing", SIM_KEY, sim.base_url)
    import_sample(qtbot, window)
    new_export(qtbot, window, "Everyone", "Marketing", ["Loyal customers"])
    run = run_now(qtbot, window)
    window.tabs.setCurrentIndex(HISTORY)
    window.history.select_run(run.run_id)
    target = tmp_path / "rejected.csv"
    dialogs.answers["save_csv"] = target
    with qtbot.waitSignal(window.ui.background.idle, timeout=10_000):
        click(qtbot, window.history.view.save_rejected_button)
    with target.open(encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == ["segment", "row", "state", "email", "reason"]
    reasons = {row["reason"] for row in rows}
    assert reasons and all(reason.startswith("E-post") for reason in reasons), reasons


def seed_interrupted_run(context: AppContext, sim: AutopilotSimulator) -> tuple[int, int]:
    """A run that was 'running' in a process that died: stale heartbeat, nothing confirmed."""
    context.keys.save(
        Connection("Marketing", base_url=sim.base_url, rate_limit=50, consent_at=utc_now()),
        SIM_KEY,
    )
    context.profiles.import_file(sample_file(), SAMPLE_SOURCE)
    context.segments.add(Segment("Everyone", SAMPLE_SOURCE))
    mapping = Mapping.from_specs(["Email=PrimaryEmail", "FirstName=FirstName"], FIELDS)
    context.exports.save(Export("November", "Marketing", ("Everyone",), mapping))
    plan = context.runner.plan("November")
    run_id = start_run(plan, context.runs).run_id
    with context.state.transaction() as db:
        db.execute("UPDATE runs SET heartbeat_at = '2000-01-01T00:00:00Z' WHERE id = ?", (run_id,))
    return run_id, plan.unique_profiles


def test_an_interrupted_run_is_offered_for_resume_at_start(
    qtbot: QtBot, make_window: WindowFactory, context: AppContext, sim: AutopilotSimulator
) -> None:
    run_id, unique = seed_interrupted_run(context, sim)
    window = make_window(context)
    bar = window.resume_bar
    assert bar.isVisible()
    assert f"Run {run_id} of 'November' was interrupted" in bar.text.text()
    with qtbot.waitSignal(window.ui.export.finished, timeout=30_000) as finished:
        click(qtbot, bar.action("&Resume now"))
    run: Run = finished.args[0]
    assert (run.run_id, run.status) == (run_id, RunStatus.SUCCEEDED)
    assert len(sim.contacts()) == unique == run.sent
    assert not bar.isVisible()


def test_an_interrupted_run_whose_details_were_deleted_is_not_offered_for_resume(
    qtbot: QtBot, make_window: WindowFactory, context: AppContext, sim: AutopilotSimulator
) -> None:
    run_id, _ = seed_interrupted_run(context, sim)
    context.runs.purge_details(run_id)
    window = make_window(context)
    assert not window.resume_bar.isVisible()
    window.tabs.setCurrentIndex(HISTORY)
    window.history.select_run(run_id)
    view = window.history.view
    assert view.fields["status"].text() == "Interrupted"
    assert not view.resume_button.isEnabled()


def test_a_run_whose_source_was_imported_again_is_not_offered_for_resume(
    qtbot: QtBot, make_window: WindowFactory, context: AppContext, sim: AutopilotSimulator
) -> None:
    run_id, _ = seed_interrupted_run(context, sim)
    context.profiles.import_file(sample_file(), SAMPLE_SOURCE)  # a new table: other rows
    window = make_window(context)
    assert not window.resume_bar.isVisible()
    window.tabs.setCurrentIndex(HISTORY)
    window.history.select_run(run_id)
    view = window.history.view
    assert view.fields["status"].text() == "Interrupted"
    assert "It cannot be resumed" in view.fields["error"].text()
    assert "changed since run" in view.fields["error"].text()
    assert not view.resume_button.isEnabled()


def test_a_connection_saved_without_a_key_asks_for_it_before_the_run(
    qtbot: QtBot,
    keyless_window: MainWindow,
    sim: AutopilotSimulator,
    dialogs: ScriptedDialogs,
) -> None:
    window = keyless_window
    assert window.connections.key_state(window.connections.model.record(0)) == "Key needed"
    import_sample(qtbot, window)
    new_export(qtbot, window, "November", "Marketing", ["Loyal customers"])
    assert "you will be asked for it" in window.mapping.view.connection_note.text()
    dialogs.answers["ask_api_key"] = SIM_KEY
    run = run_now(qtbot, window)
    assert dialogs.asked("ask_api_key") == [("Marketing",)]
    assert run.status in (RunStatus.SUCCEEDED, RunStatus.SUCCEEDED_WITH_REJECTIONS)
    assert run.sent == len(sim.contacts()) > 0
    # Typing the key in was the choice to keep it for this session: it is not asked again.
    assert window.connections.key_state(window.connections.model.record(0)) == (
        "Kept until you quit"
    )
    run_now(qtbot, window)
    assert len(dialogs.asked("ask_api_key")) == 1


def test_closing_during_a_run_asks_cancels_and_waits(
    qtbot: QtBot,
    window: MainWindow,
    sim: AutopilotSimulator,
    dialogs: ScriptedDialogs,
    tmp_path: Path,
) -> None:
    add_connection(qtbot, window, "Slow", SIM_KEY, sim.base_url, rate_limit=5.0)
    import_files(qtbot, window, [write_many(tmp_path / "many.csv", 1500)])
    define_segment(qtbot, window, "Everyone", "many", [])
    new_export(qtbot, window, "All", "Slow", ["Everyone"])
    job = window.ui.export
    with qtbot.waitSignal(job.progress, timeout=20_000):
        click(qtbot, window.mapping.view.run_button)
    with qtbot.waitSignal(job.finished, timeout=20_000) as finished:
        window.close()
        assert dialogs.asked("confirm"), "closing during a run asks first"
        assert window.isVisible(), "the window waits for the run to stop"
    assert finished.args[0].status == RunStatus.CANCELLED
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)


def test_an_import_and_an_export_never_overlap(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    add_connection(qtbot, window, "Slow", SIM_KEY, sim.base_url, rate_limit=5.0)
    import_files(qtbot, window, [write_many(tmp_path / "many.csv", 1500)])
    define_segment(qtbot, window, "Everyone", "many", [])
    new_export(qtbot, window, "All", "Slow", ["Everyone"])
    run_button = window.mapping.view.run_button

    # While profiles are imported, nothing can be run.
    with qtbot.waitSignal(window.segments.sources.changed, timeout=20_000):
        window.segments.import_files([write_many(tmp_path / "more.csv", 10)])
        assert window.ui.permission.importing
        assert not run_button.isEnabled()
    settle(qtbot, window)
    assert not window.ui.permission.importing and run_button.isEnabled()

    # While an export runs, nothing can be imported.
    job = window.ui.export
    with qtbot.waitSignal(job.progress, timeout=20_000):
        click(qtbot, run_button)
    assert not window.segments.view.import_button.isEnabled()
    window.segments.import_files([tmp_path / "more.csv"])
    assert "An export is running" in window.segments.view.import_status.text.text()
    with qtbot.waitSignal(job.finished, timeout=20_000):
        click(qtbot, window.panel.cancel)
    assert window.segments.view.import_button.isEnabled()


def test_a_repeated_run_sends_only_what_changed_unless_everyone_is_asked_for(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator
) -> None:
    add_connection(qtbot, window, "Marketing", SIM_KEY, sim.base_url)
    import_sample(qtbot, window)
    define_segment(qtbot, window, SEGMENT, SAMPLE_SOURCE, [Rule("Country", "eq", "Norway")])
    new_export(qtbot, window, "Weekly", "Marketing", [SEGMENT])
    first = run_now(qtbot, window)
    assert first.sent > 0 and first.unchanged == 0

    second = run_now(qtbot, window)
    assert second.sent == 0 and second.unchanged == first.sent
    assert "unchanged" in window.panel.counts.text()
    assert "unchanged since Autopilot confirmed them" in window.mapping.view.total_detail.text()
    window.history.refresh()
    assert history_cell(window, second, "Unchanged") == str(first.sent)
    assert history_cell(window, second, "Sent") == "0"

    view = window.mapping.view
    with qtbot.waitSignal(window.mapping.editor.checker.checked, timeout=30_000):
        view.send_all.setChecked(True)
    settle(qtbot, window)
    everyone = run_now(qtbot, window)
    assert everyone.sent == first.sent and everyone.unchanged == 0


def test_removing_most_of_a_list_asks_first_and_then_takes_them_off(
    qtbot: QtBot, window: MainWindow, dialogs: ScriptedDialogs, sim: AutopilotSimulator,
    tmp_path: Path,
) -> None:  # fmt: skip
    add_connection(qtbot, window, "Marketing", SIM_KEY, sim.base_url)
    import_sample(qtbot, window)
    define_segment(qtbot, window, "Everyone", SAMPLE_SOURCE, [])
    new_export(qtbot, window, "Weekly", "Marketing", ["Everyone"])
    view = window.mapping.view
    view.remove_departed.setChecked(True)
    settle(qtbot, window)
    first = run_now(qtbot, window)
    assert first.sent >= 100 and first.removed == 0

    # A file cut short: most people seem to have left the segment.
    lines = sample_file().read_text(encoding="utf-8").splitlines()
    short = tmp_path / "short.csv"
    short.write_text("\n".join(lines[:41]) + "\n", encoding="utf-8")
    window.ui.app.profiles.import_file(short, SAMPLE_SOURCE)
    window.mapping.refresh()
    settle(qtbot, window)

    dialogs.answers["confirm"] = False
    click(qtbot, view.run_button)
    settle(qtbot, window)
    [(_title, message, _action)] = dialogs.asked("confirm")
    assert "more than half" in message and "'Everyone'" in message
    assert len(window.ui.app.runs.all()) == 1, "nothing ran"

    dialogs.answers["confirm"] = True
    second = run_now(qtbot, window)
    members = set(sim.list_members(str(second.lists["Everyone"])))
    assert second.removed == first.sent - len(members) > first.sent // 2
    assert len(sim.contacts()) >= first.sent, "contacts are never deleted"
    window.history.refresh()
    assert history_cell(window, second, "Removed") == f"{second.removed:,}"


def history_cell(window: MainWindow, run: Run, header: str) -> str:
    """What the History table shows for ``run`` under ``header``."""
    model = window.history.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    [row] = [r for r in range(model.rowCount()) if model.record(r).run_id == run.run_id]
    return str(model.index(row, headers.index(header)).data())
