"""Ortto, the new Autopilot, through the window: the connection form, the mapping with the
account's custom fields, the yes before fields are created, and tags in History."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.core.connections import Connection
from app.core.destinations import destination_for
from app.core.export import Export
from app.core.history import Run, RunStatus
from app.core.mapping import FieldMapping
from app.core.store import utc_now
from app.ui.main_window import HISTORY, MAPPING, MainWindow
from app.ui.segments.sample_data import sample_file
from tests.support.ortto_sim import OrttoSimulator
from tests.ui.conftest import ORTTO_KEY, ScriptedDialogs, WindowFactory
from tests.ui.steps import (
    add_connection,
    choose,
    click,
    connect,
    fill_connection,
    import_sample,
    new_export,
    run_now,
    save_connection,
    settle,
)
from tests.ui.test_flow import expected_emails

AUTOPILOT = destination_for("autopilot")
ORTTO = destination_for("ortto")
NEWSLETTER = "Newsletter subscribers in Norway"  # a segment of the sample data
LOYALTY = FieldMapping("custom:integer:Loyalty Points", "LoyaltyPoints")


def norwegian_subscriber(row: dict[str, str]) -> bool:
    return (
        row["Country"].strip().lower() == "norway"
        and row["Newsletter"].strip().lower() == "yes"
        and row["OptedOut"].strip().lower() != "yes"
    )


def add_ortto(qtbot: QtBot, window: MainWindow, sim: OrttoSimulator) -> None:
    add_connection(
        qtbot, window, "Newsletter", ORTTO_KEY, sim.base_url, service="ortto", region="eu"
    )


def ortto_export(qtbot: QtBot, window: MainWindow, sim: OrttoSimulator) -> None:
    """An Ortto connection, the sample profiles, and a new export mapping Loyalty Points."""
    add_ortto(qtbot, window, sim)
    import_sample(qtbot, window)
    new_export(qtbot, window, "Welcome", "Newsletter", [NEWSLETTER])
    view = window.mapping.view
    view.fields.add_target(LOYALTY.target, LOYALTY.column)
    settle(qtbot, window)


def test_the_form_follows_the_choice_of_ortto_and_its_region(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = window.connections.view
    assert view.service.currentText() == "Autopilot Journeys (classic)"
    assert view.key_hint.text() == AUTOPILOT.key_help()
    assert view.region.isHidden(), "Autopilot Journeys has no data regions"
    assert view.rate_limit.value() == AUTOPILOT.default_rate_limit

    choose(view.service, "ortto")
    assert view.service.currentText() == "Ortto (the new Autopilot)"
    assert view.key_hint.text() == ORTTO.key_help()
    assert not view.region.isHidden()
    regions = [view.region.itemText(i) for i in range(view.region.count())]
    assert regions == ["Global", "Australia", "Europe"]
    assert view.base_url.text() == ORTTO.base_url("global")
    assert view.rate_limit.value() == ORTTO.default_rate_limit == 10
    assert "Ortto" in view.agree.text() and "Ortto" in view.key.placeholderText()
    choose(view.region, "au")
    assert view.base_url.text() == ORTTO.base_url("au")

    view.base_url.setText("https://proxy.example.com/ortto/v1")  # the user's own
    view.rate_limit.setValue(3)
    choose(view.region, "eu")
    choose(view.service, "autopilot")
    assert view.base_url.text() == "https://proxy.example.com/ortto/v1", "a typed URL stays"
    assert view.rate_limit.value() == 3, "a chosen rate stays"
    assert view.key_hint.text() == AUTOPILOT.key_help()


def test_an_ortto_connection_is_checked_with_its_header_and_keeps_its_fields(
    qtbot: QtBot, window: MainWindow, ortto_sim: OrttoSimulator
) -> None:
    fill_connection(
        qtbot, window, "Newsletter", ORTTO_KEY, ortto_sim.base_url, service="ortto", region="eu"
    )
    status = connect(qtbot, window)
    assert "Ortto accepted the key" in status and "1 custom field" in status, status
    sent = ortto_sim.requests()
    assert sent and all(r.headers.get("x-api-key") == ORTTO_KEY for r in sent)
    assert not any("autopilotapikey" in r.headers for r in sent)
    save_connection(qtbot, window)

    saved = window.ui.app.connections.get("Newsletter")
    assert (saved.service, saved.region, saved.base_url) == ("ortto", "eu", ortto_sim.base_url)
    cached = window.ui.app.connections.cached_fields("Newsletter")
    assert cached is not None and [f.name for f in cached] == ["Job Title"]
    model = window.connections.model
    assert model.index(0, 1).data() == "Ortto (Europe)"


def test_a_wrong_ortto_key_names_ortto_and_the_region(
    qtbot: QtBot, window: MainWindow, ortto_sim: OrttoSimulator
) -> None:
    fill_connection(qtbot, window, "Newsletter", "not-the-key", ortto_sim.base_url, service="ortto")
    status = connect(qtbot, window)
    assert "Ortto rejected this API key" in status and "data region" in status, status
    assert not window.connections.view.save_button.isEnabled()


def test_the_mapping_offers_ortto_fields_and_the_account_custom_fields(
    qtbot: QtBot, window: MainWindow, ortto_sim: OrttoSimulator, dialogs: ScriptedDialogs
) -> None:
    add_ortto(qtbot, window, ortto_sim)
    import_sample(qtbot, window)
    new_export(qtbot, window, "Welcome", "Newsletter", [NEWSLETTER])
    fields = window.mapping.view.fields
    assert fields.destination is ORTTO
    assert "tag in Ortto" in window.mapping.view.segments_label.text()
    assert fields.header_field.text() == "Ortto field"

    menu = fields.add_button.menu()
    menu.aboutToShow.emit()
    standard = next(a.menu() for a in menu.actions() if a.menu() is not None)
    offered = [action.text() for action in standard.actions()]
    taken = set(fields.targets())
    expected = [ORTTO.fields.label(t) for t in ORTTO.fields.standard_fields() if t not in taken]
    assert offered == expected

    dialogs.answers["ask_custom_field"] = lambda known: (known[0].name, known[0].type)
    fields.custom_field_requested.emit()
    (known,) = dialogs.asked("ask_custom_field")[-1]
    assert [f.name for f in known] == ["Job Title"]
    assert f"custom:{known[0].type}:Job Title" in fields.targets()


def test_saying_yes_creates_the_field_and_sends_people_with_their_tag(
    qtbot: QtBot, window: MainWindow, ortto_sim: OrttoSimulator, dialogs: ScriptedDialogs
) -> None:
    ortto_export(qtbot, window, ortto_sim)
    view = window.mapping.view
    assert "'Loyalty Points'" in view.new_fields_note.text()
    run = run_now(qtbot, window)

    (question,) = dialogs.asked("confirm")
    title, message, _ = question
    assert "Ortto" in title
    assert "'Loyalty Points'" in message and "about 100" in message
    assert "cannot be deleted" in message
    assert window.ui.app.exports.get("Welcome").create_fields
    names = {f["name"] for f in ortto_sim.custom_fields().values()}
    assert names == {"Job Title", "Loyalty Points"}

    expected = expected_emails(sample_file(), norwegian_subscriber, "PrimaryEmail")
    assert run.status in (RunStatus.SUCCEEDED, RunStatus.SUCCEEDED_WITH_REJECTIONS)
    assert run.sent == len(expected)
    assert ortto_sim.tagged(NEWSLETTER) == expected
    assert_tags_in_history(window, run)

    # Asked once: running the same export again does not ask again.
    run_now(qtbot, window)
    assert len(dialogs.asked("confirm")) == 1


def assert_tags_in_history(window: MainWindow, run: Run) -> None:
    note = ORTTO.audience_note(run.lists)
    assert note, "Ortto says how to build an audience on the tag"
    assert note in window.panel.phase.text()
    assert "tags in Ortto" in window.panel.phase.text()
    window.tabs.setCurrentIndex(HISTORY)
    history = window.history.view
    assert history.field_labels["lists"].text() == "Tags in Ortto:"
    assert history.fields["lists"].text() == NEWSLETTER
    assert history.fields["next"].text() == note
    assert "rejected by Ortto" in history.fields["counts"].text()


def test_saying_no_keeps_the_export_unsaved_and_sends_nothing(
    qtbot: QtBot, window: MainWindow, ortto_sim: OrttoSimulator, dialogs: ScriptedDialogs
) -> None:
    ortto_export(qtbot, window, ortto_sim)
    dialogs.answers["confirm"] = False
    view = window.mapping.view
    before = len(ortto_sim.requests())
    click(qtbot, view.run_button)
    settle(qtbot, window)
    click(qtbot, view.save_button)
    settle(qtbot, window)

    assert len(dialogs.asked("confirm")) == 2, "asked at Run now and at Save"
    assert window.ui.app.exports.all() == []
    assert not window.ui.export.active and window.ui.app.runs.all() == []
    assert len(ortto_sim.requests()) == before, "nothing was sent to Ortto"
    assert ortto_sim.people() == {}
    assert "Nothing was saved or sent" in view.status.text.text()
    assert window.tabs.currentIndex() == MAPPING


def test_a_journeys_export_never_asks_about_custom_fields(
    qtbot: QtBot, window: MainWindow, dialogs: ScriptedDialogs
) -> None:
    """Autopilot Journeys creates a custom field on first use: nothing to ask."""
    window.ui.app.connections.save(Connection("Marketing", rate_limit=50, consent_at=utc_now()))
    import_sample(qtbot, window)
    window.mapping.refresh()
    export = Export("November", "Marketing", (NEWSLETTER,))
    assert window.mapping.editor.fields_to_create(export) == []
    new_export(qtbot, window, "November", "Marketing", [NEWSLETTER])
    window.mapping.view.fields.add_target(LOYALTY.target, LOYALTY.column)
    with qtbot.waitSignal(window.mapping.editor.saved, timeout=10_000):
        click(qtbot, window.mapping.view.save_button)
    assert dialogs.asked("confirm") == []
    assert not window.mapping.view.new_fields_note.isVisible()


def test_fields_never_read_are_read_from_the_account_before_asking(
    qtbot: QtBot,
    make_window: WindowFactory,
    context: AppContext,
    ortto_sim: OrttoSimulator,
    dialogs: ScriptedDialogs,
) -> None:
    """A connection added on the command line has no cached fields: Run now reads them."""
    connection = Connection(
        "Newsletter",
        base_url=ortto_sim.base_url,
        rate_limit=50,
        consent_at=utc_now(),
        service="ortto",
        region="eu",
    )
    context.keys.save(connection, ORTTO_KEY)
    assert context.connections.cached_fields("Newsletter") is None
    window = make_window(context)
    import_sample(qtbot, window)
    new_export(qtbot, window, "Welcome", "Newsletter", [NEWSLETTER])
    window.mapping.view.fields.add_target(LOYALTY.target, LOYALTY.column)
    settle(qtbot, window)
    dialogs.answers["confirm"] = False
    click(qtbot, window.mapping.view.run_button)
    qtbot.waitUntil(lambda: bool(dialogs.asked("confirm")), timeout=10_000)
    settle(qtbot, window)

    cached = context.connections.cached_fields("Newsletter")
    assert cached is not None and [f.name for f in cached] == ["Job Title"]
    (question,) = dialogs.asked("confirm")
    assert "'Loyalty Points'" in question[1]
    assert ortto_sim.people() == {}
