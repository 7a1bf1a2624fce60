"""File > Delete all data: everything the program keeps goes, after a confirmation."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.core.secrets import KeyringSecretStore
from tests.support.autopilot_sim import AutopilotSimulator
from tests.ui.conftest import SIM_KEY, ScriptedDialogs, WindowFactory
from tests.ui.steps import add_connection, import_sample, settle


def test_delete_all_data_needs_confirmation_then_removes_everything(
    qtbot: QtBot,
    make_window: WindowFactory,
    context: AppContext,
    dialogs: ScriptedDialogs,
    sim: AutopilotSimulator,
) -> None:
    window = make_window(context)
    import_sample(qtbot, window)
    add_connection(qtbot, window, "Marketing", SIM_KEY, sim.base_url)
    assert context.profiles.list_sources() and context.connections.all()

    dialogs.answers["confirm"] = False
    window.erase_all_data()
    settle(qtbot, window)
    assert context.profiles.list_sources(), "nothing is deleted without confirmation"

    dialogs.answers["confirm"] = True
    window.erase_all_data()
    qtbot.waitUntil(lambda: window.segments.segment_names() == [], timeout=10_000)
    settle(qtbot, window)
    assert context.profiles.list_sources() == []
    assert context.connections.all() == []
    assert context.segments.list() == []
    assert KeyringSecretStore().get("Marketing") is None, "the key is still in the keyring"


def test_rebuild_profile_data_makes_damaged_profiles_again_from_their_files(
    qtbot: QtBot, make_window: WindowFactory, context: AppContext, dialogs: ScriptedDialogs
) -> None:
    from tests.cli.test_cli_damaged_store import scribble_on_blocks

    window = make_window(context)
    import_sample(qtbot, window)
    [before] = context.profiles.list_sources()
    scribble_on_blocks(context.paths.profiles_db)

    dialogs.answers["confirm"] = True
    window.rebuild_profiles()
    qtbot.waitUntil(lambda: bool(dialogs.asked("information")), timeout=20_000)
    settle(qtbot, window)
    [(title, summary)] = dialogs.asked("information")
    assert title == "Rebuild profile data" and "1 source imported again" in summary
    [after] = context.profiles.list_sources()
    assert (after.name, after.rows) == (before.name, before.rows)
    assert after.table_name != before.table_name
    assert window.segments.member_count(window.segments.segment_names()[0]) is not None
