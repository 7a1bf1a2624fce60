"""The strip at the bottom of the window that follows the export while it runs."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.connections.models import DEFAULT_SERVICE
from app.core.destinations import Destination
from app.core.export import Progress
from app.core.history import Run
from app.core.i18n import _, ngettext
from app.ui.errors import window_words
from app.ui.kit import destination_words as words
from app.ui.kit import formatting as fmt
from app.ui.kit.widgets import label
from app.ui.running.job import CANCELLING, IDLE


class ExportPanel(QFrame):
    cancel_requested = Signal()
    show_history_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportPanel")
        self.destination: Destination = words.for_service(DEFAULT_SERVICE)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        # Wraps: a failure's reason is read in full, however long (it is the one thing to read).
        self.phase = label()
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.bar.setMinimumWidth(240)
        self.counts = label(wrap=False)
        self.cancel = QPushButton(_("Canc&el run"))
        self.cancel.clicked.connect(self._on_cancel_clicked)
        self.history = QPushButton(_("Show in History"))
        self.history.clicked.connect(self.show_history_requested)
        self.close_button = QToolButton()
        self.close_button.setText("\u2715")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(_("Hide"))
        self.close_button.clicked.connect(self.hide)
        self.phase.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.phase.setMinimumWidth(200)
        top = QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(self.title)
        top.addWidget(self.phase, 1)
        top.addWidget(self.cancel)
        top.addWidget(self.history)
        top.addWidget(self.close_button)
        bottom = QHBoxLayout()
        bottom.setSpacing(12)
        bottom.addWidget(self.bar, 1)
        bottom.addWidget(self.counts)
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 10, 16, 10)
        column.setSpacing(6)
        column.addLayout(top)
        column.addLayout(bottom)
        self.setVisible(False)

    # -- a run starts, moves, ends ------------------------------------------------------------

    def show_starting(self, title: str, doing: str) -> None:
        """A run is being prepared (its key read): say so until it starts or does not."""
        self.title.setText(title)
        self.phase.setText(doing)
        self.bar.setRange(0, 0)
        self.counts.setText("")
        self.cancel.setVisible(False)
        self.history.setVisible(False)
        self.close_button.setVisible(False)
        self.setVisible(True)

    def set_destination(self, destination: Destination) -> None:
        """Where the run about to start sends to: its phases are told in its words."""
        self.destination = destination

    def start(self, title: str) -> None:
        self.title.setText(title)
        self.phase.setText(_("Starting..."))
        self.bar.setRange(0, 0)
        self.counts.setText("")
        self.cancel.setEnabled(True)
        self.cancel.setText(_("Canc&el run"))
        self._set_running(True)
        self.setVisible(True)

    def show_progress(self, progress: Progress) -> None:
        self.phase.setText(_phase(self, progress, self.destination))
        if progress.total > 0:
            self.bar.setRange(0, progress.total)
            self.bar.setValue(min(progress.done, progress.total))
        parts = [
            ngettext(
                "{done} of {total} contact", "{done} of {total} contacts", progress.total
            ).format(done=fmt.number(progress.done), total=fmt.number(progress.total))
        ]
        if progress.contacts_per_s > 0:
            parts.append(_("{rate} contacts/s").format(rate=fmt.rate(progress.contacts_per_s)))
        if progress.waiting_for:
            parts.append(_("waiting for {service} to answer").format(service=progress.waiting_for))
        elif progress.eta_s is not None and progress.done < progress.total:
            parts.append(_("{eta} left").format(eta=fmt.estimate(progress.eta_s)))
        self.counts.setText("  \u00b7  ".join(parts))

    def set_state(self, state: str) -> None:
        if state == CANCELLING:
            self.cancel.setEnabled(False)
            self.cancel.setText(_("Cancelling..."))
            self.phase.setText(_("Cancelling: waiting for the requests in flight..."))
        elif state == IDLE:
            self.cancel.setEnabled(False)

    def finish(self, run: Run) -> None:
        self._set_running(False)
        self.bar.setRange(0, max(1, run.planned))
        self.bar.setValue(run.planned if run.dry_run else run.planned - run.not_sent)
        self.title.setText(
            _("Run {id} of '{export}': {status}").format(
                id=run.run_id, export=run.export, status=fmt.status(run.status, run.dry_run)
            )
        )
        if run.dry_run:
            self.phase.setText(_("Nothing was sent."))
        elif run.status.finished:
            self.phase.setText(finished_words(self, run))
        else:
            reason = window_words(run.error) if run.error else ""
            self.phase.setText(reason or _("You can resume it from History."))
        self.counts.setText(summary(self, run))

    def fail(self, message: str) -> None:
        self._set_running(False)
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.title.setText(_("The export could not start"))
        self.phase.setText(message)
        self.counts.setText("")
        self.setVisible(True)

    def _set_running(self, running: bool) -> None:
        self.cancel.setVisible(running)
        self.history.setVisible(not running)
        self.close_button.setVisible(not running)

    def _on_cancel_clicked(self) -> None:
        self.cancel.setEnabled(False)
        self.cancel.setText(_("Cancelling..."))
        self.cancel_requested.emit()


def summary(widget: QWidget, run: Run) -> str:
    """The counts of a run in one line."""
    if run.dry_run:
        text = _("{sent} would be sent, {invalid} invalid, {duplicates} duplicates, in {duration}")
        sent = run.planned - run.invalid - run.duplicates - run.unchanged
    else:
        text = _(
            "{sent} sent, {rejected} rejected, {invalid} invalid, {duplicates} duplicates, "
            "in {duration}"
        )
        sent = run.sent
    if run.unchanged:
        text += _("; {unchanged} unchanged, not sent again")
    if run.removed:
        text += _("; {removed} removed because they left the segment")
    return text.format(
        unchanged=fmt.number(run.unchanged),
        removed=fmt.number(run.removed),
        sent=fmt.number(sent),
        rejected=fmt.number(run.rejected),
        invalid=fmt.number(run.invalid),
        duplicates=fmt.number(run.duplicates),
        duration=fmt.duration(run.duration_s),
    )


def finished_words(widget: QWidget, run: Run) -> str:
    """Where a finished run's segments are now, and what to do with them next."""
    destination = words.for_service(run.service)
    text = _("The segments are {audiences} in {name} now.").format(
        audiences=words.audiences(destination), name=destination.name
    )
    note = destination.audience_note(run.lists)
    return f"{text} {note}" if note else text


def _phase(widget: QWidget, progress: Progress, destination: Destination) -> str:
    # A whole sentence for each kind of audience: a list (Autopilot) or a tag (Ortto).
    tag = destination.audience_noun == "tag"
    phases = {
        "preparing": _("Getting ready to send to {name}"),
        "lists": _("Finding or creating the tag '{segment}' in {name}")
        if tag
        else _("Finding or creating the list '{segment}' in {name}"),
        "sending": _("Sending segment '{segment}'"),
        "removing": _("Taking the tags off the people who left their segment in {name}")
        if tag
        else _("Taking the people who left their segment off the lists in {name}"),
        "verifying": _("Checking the tags in {name}") if tag else _("Checking the lists in {name}"),
        "cancelling": _("Cancelling: waiting for the requests in flight..."),
    }
    text = phases.get(progress.phase, progress.phase)
    return text.format(segment=progress.segment, name=destination.name)
