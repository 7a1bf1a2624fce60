"""History: every run with its counts; details, rejected rows, resume, and the live run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.core.export import Progress
from app.core.export.runner import without_resume_offer
from app.core.history import Run, RunStatus, can_resume, write_rejected_csv
from app.core.i18n import _, ngettext
from app.ui.context import UiContext
from app.ui.errors import window_words
from app.ui.history import details as run_details
from app.ui.history.view import HistoryView
from app.ui.kit import formatting as fmt
from app.ui.kit.layout import fit_columns
from app.ui.kit.style import theme
from app.ui.kit.table_models import Column, RecordModel

# Each status has its own mark as well as its own colour: told apart without colour, and the
# word beside it says it in full. The colours are the theme's (light or dark).
STATUS_MARKS = {
    RunStatus.SUCCEEDED: "\u2714",  # heavy check mark
    RunStatus.SUCCEEDED_WITH_REJECTIONS: "\u26a0",  # warning sign
    RunStatus.FAILED: "\u2716",  # heavy multiplication x
    RunStatus.CANCELLED: "\u25a0",  # black square: stopped
    RunStatus.INTERRUPTED: "\u26a0",
    RunStatus.RUNNING: "\u25b6",  # black right-pointing triangle: playing
}
STATUS_COLOURS = {
    RunStatus.SUCCEEDED: "ok",
    RunStatus.SUCCEEDED_WITH_REJECTIONS: "warn",
    RunStatus.FAILED: "error",
    RunStatus.CANCELLED: "muted",
    RunStatus.INTERRUPTED: "warn",
    RunStatus.RUNNING: "accent",
}


def status_colour(run: Run) -> str | None:
    role = STATUS_COLOURS.get(run.status)
    return str(getattr(theme(), role)) if role else None


def status_text(run: Run) -> str:
    """A run's status as its row shows it: its mark, then its word."""
    return STATUS_MARKS.get(run.status, "\u25cf") + " " + fmt.status(run.status, run.dry_run)


class HistoryTab(QObject):
    resume_requested = Signal(int)
    go_to_tab = Signal(int)
    purged = Signal(int)  # the row details of this run were deleted

    def __init__(self, ui: UiContext, view: HistoryView | None = None) -> None:
        view = view or HistoryView()
        super().__init__(view)  # the controller lives and dies with its view
        self.ui = ui
        self.view = view
        self.model: RecordModel[Run] = RecordModel(self._columns(), self)
        self.view.runs.setModel(self.model)
        fit_columns(self.view.runs, stretch=1)
        self._selected_id: int | None = None
        self.view.empty.show_hint(
            _(
                "No runs yet.\n\nCreate an export on the Mapping tab, then choose Run now, "
                "or Dry run to try it without sending anything."
            ),
            _("Go to &Mapping"),
            lambda: self.go_to_tab.emit(2),
        )
        self._wire()

    def refresh(self) -> None:
        self.model.set_records(self.ui.app.runs.all())
        self.view.stack.setCurrentIndex(0 if self.model.rowCount() else 1)
        row = self.model.find(lambda r: r.run_id == self._selected_id)
        self.view.runs.selectRow(row if row >= 0 else 0)
        self._show_selected()

    def select_run(self, run_id: int) -> None:
        row = self.model.find(lambda r: r.run_id == run_id)
        if row >= 0:
            self.view.runs.selectRow(row)

    def show_progress(self, progress: Progress) -> None:
        """The run in progress, live: its row follows the progress reports."""
        row = self.model.find(lambda r: r.run_id == progress.run_id)
        if row < 0:
            self.refresh()
            row = self.model.find(lambda r: r.run_id == progress.run_id)
            if row < 0:
                return
        run = self.model.record(row)
        self.model.replace(row, replace(run, sent=progress.sent, rejected=progress.rejected))
        if self._selected_id == progress.run_id:
            self._show_selected()

    def interrupted_runs(self) -> list[Run]:
        """The interrupted runs that may be resumed, newest first (for the offer at start)."""
        return [
            r
            for r in self.ui.app.runs.all()
            if r.status is RunStatus.INTERRUPTED
            and can_resume(r) is None
            and self._resume_refusal(r) is None
        ]

    # -- wiring -----------------------------------------------------------------------------

    def _columns(self) -> list[Column[Run]]:
        return [
            Column(_("Status"), status_text, colour=status_colour),
            Column(_("Export"), lambda r: r.export),
            Column(_("Started"), lambda r: fmt.when(r.started_at)),
            Column(_("Took"), lambda r: fmt.duration(r.duration_s), numeric=True),
            Column(_("Sent"), lambda r: _sent(r, r.sent), numeric=True),
            Column(_("Rejected"), lambda r: _sent(r, r.rejected), numeric=True),
            Column(_("Invalid"), lambda r: fmt.number(r.invalid), numeric=True),
            Column(_("Duplicates"), lambda r: fmt.number(r.duplicates), numeric=True),
            Column(_("Unchanged"), lambda r: fmt.number(r.unchanged), numeric=True),
            Column(_("Removed"), lambda r: fmt.number(r.removed), numeric=True),
            Column(_("Not sent"), lambda r: _sent(r, r.not_sent), numeric=True),
        ]

    def _wire(self) -> None:
        v = self.view
        v.runs.selectionModel().selectionChanged.connect(self._on_selection_changed)
        v.resume_button.clicked.connect(self._on_resume_clicked)
        v.save_rejected_button.clicked.connect(self._on_save_rejected_clicked)
        v.purge_button.clicked.connect(self._on_purge_clicked)
        self.ui.export.state_changed.connect(self.update_buttons)

    def _selected(self) -> Run | None:
        rows = self.view.runs.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def _on_selection_changed(self, *args: object) -> None:
        run = self._selected()
        self._selected_id = run.run_id if run else None
        self._show_selected()

    def _show_selected(self) -> None:
        run = self._selected()
        v = self.view
        v.details_title.setText(_("Run {id}").format(id=run.run_id) if run else _("Details"))
        texts = self._detail_texts(run) if run else {}
        for key in v.fields:
            v.set_field(key, texts.get(key, ""))
        v.fields["lists"].setToolTip(run_details.list_ids(run) if run else "")
        if run is not None:
            v.field_labels["lists"].setText(run_details.lists_caption(run))
        self.update_buttons()

    def _detail_texts(self, run: Run) -> dict[str, str]:
        status = fmt.status(run.status, run.dry_run)
        error = window_words(run.error) if run.error else ""
        refusal = self._resume_refusal(run) if can_resume(run) is None else ""
        if refusal is None:
            status += "  " + _("(can be resumed: nothing {name} confirmed is sent twice)").format(
                name=run_details.destination(run).name
            )
        elif refusal:  # the error must not offer what would be refused
            error = window_words(without_resume_offer(run.error or ""))
            error += ("\n" if error else "") + _("It cannot be resumed: {why}").format(
                why=window_words(refusal)
            )
        warnings = "\n".join(f"\u26a0 {window_words(w)}" for w in run.warnings)
        if run.details_purged:
            warnings = (warnings + "\n" if warnings else "") + _(
                "The row details of this run were deleted; only the counts remain."
            )
        return {
            "status": status,
            "export": run.export,
            "when": run_details.when(run),
            "counts": run_details.counts(run),
            "lists": run_details.lists(run),
            "next": run_details.audience_note(run),
            "error": error,
            "warnings": warnings,
            "config": run_details.configuration(run.snapshot),
        }

    def update_buttons(self, *args: object) -> None:
        run = self._selected()
        v = self.view
        v.resume_button.setEnabled(
            run is not None
            and can_resume(run) is None
            and self.ui.permission.may_start_run()
            and self._resume_refusal(run) is None
        )
        has_rows = run is not None and (run.rejected or run.invalid) and not run.details_purged
        v.save_rejected_button.setEnabled(bool(has_rows))
        v.purge_button.setEnabled(
            run is not None and not run.details_purged and run.status is not RunStatus.RUNNING
        )

    def _resume_refusal(self, run: Run) -> str | None:
        """Why the run cannot be resumed now (its source imported again, its connection
        removed...), read from the state store; None when it can."""
        return self.ui.app.runner.resume_refusal(run)

    # -- actions ----------------------------------------------------------------------------

    def _on_resume_clicked(self) -> None:
        run = self._selected()
        if run is not None:
            self.resume_requested.emit(run.run_id)

    def _on_save_rejected_clicked(self) -> None:
        run = self._selected()
        if run is None:
            return
        target = self.ui.dialogs.save_csv(
            _("Save rejected and invalid rows"),
            Path.home() / f"run-{run.run_id}-rejected.csv",
        )
        if target is None:
            return
        runs = self.ui.app.runs
        self.ui.background.submit(
            lambda: write_rejected_csv(runs.row_details(run.run_id), target),
            lambda count: self._on_rejected_saved(int(count), target),
            lambda exc: self.ui.errors.report(exc, _("The rows were not saved")),
        )

    def _on_rejected_saved(self, count: int, target: Path) -> None:
        self.ui.dialogs.information(
            _("Rows saved"),
            ngettext(
                "{n} rejected or invalid row was saved to {path}.",
                "{n} rejected and invalid rows were saved to {path}.",
                count,
            ).format(n=fmt.number(count), path=str(target)),
        )

    def _on_purge_clicked(self) -> None:
        run = self._selected()
        if run is None:
            return
        if not self.ui.dialogs.confirm(
            _("Delete row details"),
            _(
                "Delete the emails and reasons kept for run {id}? The counts stay, but "
                "the rejected rows can no longer be saved and the run cannot be "
                "resumed."
            ).format(id=run.run_id),
            _("Delete"),
        ):
            return
        runs, run_id = self.ui.app.runs, run.run_id
        self.ui.profiles.submit(
            lambda: runs.purge_details(run_id),
            lambda _: self._on_purged(run_id),
            lambda exc: self.ui.errors.report(exc, _("The details were not deleted")),
        )

    def _on_purged(self, run_id: int) -> None:
        self.refresh()
        self.purged.emit(run_id)

    def on_run_finished(self, run: Any) -> None:
        assert isinstance(run, Run)
        self._selected_id = run.run_id
        self.refresh()


def _sent(run: Run, count: int) -> str:
    """A dry run sends nothing, so its sent-side counts do not apply."""
    return "\u2014" if run.dry_run else fmt.number(count)
