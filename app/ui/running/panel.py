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
from app.ui.kit import a11y
from app.ui.kit import destination_words as words
from app.ui.kit import formatting as fmt
from app.ui.kit.widgets import label
from app.ui.running.job import CANCELLING, IDLE

# A screen reader is told of progress at most this often (in tenths of the run), besides each
# change of phase and the end: often enough to follow, seldom enough not to drown the user.
ANNOUNCE_STEPS = 10


class ExportPanel(QFrame):
    """The run's title, phase, bar and counts, and the same in words for a screen reader.

    The panel's accessible description always says where the run is, in one or two sentences
    ("Sending segment 'X'. 4,000 of 10,000 contacts done, about 2 min left."); a change of phase,
    every tenth of the run and the end are also announced."""

    cancel_requested = Signal()
    show_history_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportPanel")
        self.setAccessibleName(_("Export run"))
        self._announced: tuple[str, int] | None = None  # the phase and tenth said last
        self.destination: Destination = words.for_service(DEFAULT_SERVICE)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        # Wraps: a failure's reason is read in full, however long (it is the one thing to read).
        self.phase = label()
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.bar.setAccessibleName(_("Export progress"))
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
        self.close_button.setAccessibleName(_("Hide the export panel"))
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
        self._say(_("{title}. {doing}").format(title=title, doing=doing), announce=True)

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
        self._announced = None
        self._say(_("{title}: starting.").format(title=title), announce=True)

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
        self._say_progress(progress)

    def set_state(self, state: str) -> None:
        if state == CANCELLING:
            self.cancel.setEnabled(False)
            self.cancel.setText(_("Cancelling..."))
            self.phase.setText(_("Cancelling: waiting for the requests in flight..."))
            self._say(_("Cancelling the run: waiting for the requests in flight."), announce=True)
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
        self._say(
            _("Run finished: {status}. {phase} {counts}").format(
                status=fmt.status(run.status, run.dry_run),
                phase=self.phase.text(),
                counts=self.counts.text(),
            ),
            announce=True,
            urgent=True,
        )

    def fail(self, message: str) -> None:
        self._set_running(False)
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.title.setText(_("The export could not start"))
        self.phase.setText(message)
        self.counts.setText("")
        self.setVisible(True)
        self._say(
            _("The export could not start: {reason}").format(reason=message),
            announce=True,
            urgent=True,
        )

    @property
    def spoken(self) -> str:
        """What the panel says to a screen reader now."""
        return self.accessibleDescription()

    def _say_progress(self, progress: Progress) -> None:
        text = progress_words(self.phase.text(), progress)
        tenth = progress.done * ANNOUNCE_STEPS // progress.total if progress.total > 0 else 0
        step = (progress.phase, tenth)
        self._say(text, announce=step != self._announced)
        self._announced = step

    def _say(self, text: str, *, announce: bool = False, urgent: bool = False) -> None:
        """The words for a screen reader: kept on the panel and its bar, and said aloud when
        ``announce``."""
        a11y.describe(self, text)
        a11y.describe(self.bar, text)
        if announce:
            a11y.announce(self, text, urgent=urgent)

    def _set_running(self, running: bool) -> None:
        self.cancel.setVisible(running)
        self.history.setVisible(not running)
        self.close_button.setVisible(not running)

    def _on_cancel_clicked(self) -> None:
        self.cancel.setEnabled(False)
        self.cancel.setText(_("Cancelling..."))
        self.cancel_requested.emit()


def progress_words(phase: str, progress: Progress) -> str:
    """Where a run is, in sentences: the phase, then the contacts done and the time left."""
    if progress.total <= 0:
        return _("{phase}.").format(phase=phase.rstrip("."))
    done, total = fmt.number(progress.done), fmt.number(progress.total)
    if progress.waiting_for:
        counts = ngettext(
            "{done} of {total} contact done; waiting for {service} to answer.",
            "{done} of {total} contacts done; waiting for {service} to answer.",
            progress.total,
        )
    elif progress.eta_s is not None and progress.done < progress.total:
        counts = ngettext(
            "{done} of {total} contact done, {eta} left.",
            "{done} of {total} contacts done, {eta} left.",
            progress.total,
        )
    else:
        counts = ngettext(
            "{done} of {total} contact done.", "{done} of {total} contacts done.", progress.total
        )
    text = counts.format(
        done=done,
        total=total,
        service=progress.waiting_for or "",
        eta=fmt.estimate(progress.eta_s or 0),
    )
    return _("{phase}. {progress}").format(phase=phase.rstrip(".").rstrip("\u2026"), progress=text)


def summary(widget: QWidget, run: Run) -> str:
    """The counts of a run, in a sentence or three."""
    if run.dry_run:
        text = _("{sent} would be sent, {invalid} invalid, {duplicates} duplicates, in {duration}.")
        sent = run.planned - run.invalid - run.duplicates - run.unchanged
    else:
        text = _(
            "{sent} sent, {rejected} rejected, {invalid} invalid, {duplicates} duplicates, "
            "in {duration}."
        )
        sent = run.sent
    sentences = [
        text.format(
            sent=fmt.number(sent),
            rejected=fmt.number(run.rejected),
            invalid=fmt.number(run.invalid),
            duplicates=fmt.number(run.duplicates),
            duration=fmt.duration(run.duration_s),
        )
    ]
    if run.unchanged:
        sentences.append(
            ngettext(
                "{n} contact was unchanged and not sent again.",
                "{n} contacts were unchanged and not sent again.",
                run.unchanged,
            ).format(n=fmt.number(run.unchanged))
        )
    if run.removed:
        sentences.append(
            ngettext(
                "{n} person was removed because they left the segment.",
                "{n} people were removed because they left the segment.",
                run.removed,
            ).format(n=fmt.number(run.removed))
        )
    return " ".join(sentences)


def finished_words(widget: QWidget, run: Run) -> str:
    """Where a finished run's segments are now, and what to do with them next."""
    destination = words.for_service(run.service)
    text = words.by_audience(
        destination,
        lists=_("The segments are lists in {name} now."),
        tags=_("The segments are tags in {name} now."),
    ).format(name=destination.name)
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
