"""Validate before you start: the export in the editor, checked as it changes.

The cheap checks (names, references, mapping against the source's columns) answer at once. The
plan, which reads every member to count what will be sent and to hold the profile cap, runs on
the profiles queue after the form has been still for a moment; only the newest answer counts.
Problems are shown next to the control they concern, and Run stays off while there are any.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.destinations import destination_for
from app.core.errors import AppError
from app.core.export import Export, ExportPlan, PlanProblems, Problem, check_export
from app.core.export.sampling import value_warnings
from app.core.i18n import _, ngettext
from app.core.mapping import ContactBuilder, InvalidRow
from app.ui.context import UiContext
from app.ui.errors import is_expected, user_message, window_words
from app.ui.kit import destination_words as words
from app.ui.kit import formatting as fmt
from app.ui.kit.destination_words import field_label
from app.ui.kit.layout import fit_preview
from app.ui.kit.table_models import RowsModel
from app.ui.mapping.view import MappingView

DEBOUNCE_MS = 300
PREVIEW_ROWS = 10
PLAN_KEY = "export-plan"
_SOURCE = "source"  # a problem reading the source's columns (shown with the mapping)

Preview = tuple[list[str], list[list[str]]]


def contact_preview(ui: UiContext, export: Export) -> Preview:
    """The first rows of the first segment as contacts (runs on a worker)."""
    segment = ui.app.segments.get(export.segments[0])
    _unused, members = ui.app.segments.preview(segment, limit=PREVIEW_ROWS)
    builder = ContactBuilder(export.mapping)
    fields = export.mapping.fields
    vocabulary = destination_for(ui.app.connections.get(export.connection).service).fields
    headers = ["", *(field_label(f.target, vocabulary) for f in fields)]
    rows = []
    for member in members:
        outcome = builder.build(member.values)
        cells = [member.values.get(f.column, "").strip() for f in fields]
        # First, so a row that will not be sent is seen without scrolling sideways.
        note = f"\u26a0 {outcome.reason}" if isinstance(outcome, InvalidRow) else "\u2714"
        rows.append([note, *cells])
    return headers, rows


class ExportChecker(QObject):
    checked = Signal()  # problems or a fresh plan are shown (tests wait on it)

    def __init__(self, ui: UiContext, view: MappingView) -> None:
        super().__init__(view)
        self.ui = ui
        self.view = view
        self.preview_model = RowsModel(self)
        view.preview.setModel(self.preview_model)
        self.plan: ExportPlan | None = None
        self.send_all = False  # "Send everyone again": unchanged contacts are sent too
        self.problems: list[Problem] = []
        self._export: Export | None = None
        self._source_problem: str | None = None
        self._debounce = QTimer(self)
        self._debounce.setObjectName("debounce")
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._check)

    def schedule(self, export: Export, *, force: bool = False) -> None:
        """The form changed: forget the old plan now, check the new one in a moment.

        A new name alone keeps the plan (counting 100,000 profiles again for each key typed
        in the name would be waste); ``force`` recounts anyway (the data may have changed).
        """
        if not force and self.plan is not None and _same_content(self.plan.export, export):
            self._export = export
            self.plan = replace(self.plan, export=export)
            self._show_problems(self._cheap_checks(export))
            self.checked.emit()
            return
        self._export = export
        self.plan = None
        self.view.total.setEnabled(False)
        self.view.mapping_warning.set_problems([])
        self._debounce.start()

    def set_source_problem(self, message: str | None) -> None:
        """The source's columns could not be read: shown beside the mapping until they can."""
        if message != self._source_problem:
            self._source_problem = message
            self._show_problems([p for p in self.problems if p.field != _SOURCE])

    def is_current(self, export: Export) -> bool:
        """A plan for exactly this export, with nothing left to fix: it may run."""
        return self.plan is not None and self.plan.export == export and not self.problems

    # -- checking ---------------------------------------------------------------------------

    def _cheap_checks(self, export: Export) -> list[Problem]:
        """Names, references and columns; a store that cannot be read is a problem too."""
        try:
            return list(check_export(export, self.ui.app.services))
        except AppError as exc:
            if self._source_problem:  # already said beside the mapping
                return []
            return [Problem("segments", user_message(exc))]

    def _check(self) -> None:
        export = self._export
        if export is None:
            return
        problems = self._cheap_checks(export)
        if problems or self._source_problem:
            self._show_problems(problems)
            self.preview_model.clear()
            self._show_total("", "")
            self.view.status.clear()
            self.checked.emit()
            return
        self._show_problems([])
        self.view.status.show_busy(_("Counting the profiles to send..."))
        runner, ui, send_all = self.ui.app.runner, self.ui, self.send_all

        def work() -> tuple[ExportPlan | PlanProblems, Preview, list[str]]:
            preview = contact_preview(ui, export)
            warnings = value_warnings(export, ui.app.services)
            try:
                return runner.plan(export, send_all=send_all), preview, warnings
            except PlanProblems as problems:  # over the cap: the preview still helps
                return problems, preview, warnings

        self.ui.profiles.submit(work, self._on_planned, self._on_plan_failed, key=PLAN_KEY)

    def _on_planned(self, result: Any) -> None:
        plan, (headers, rows), warnings = result
        self.view.mapping_warning.set_problems([window_words(w) for w in warnings])
        self.preview_model.set_rows(headers, rows)
        fit_preview(self.view.preview, headers)
        if isinstance(plan, PlanProblems):
            self._on_plan_failed(plan)
            return
        self.plan = plan
        self._show_problems([])
        self._show_totals(plan)
        self.view.status.show_text(
            _("Sending takes {estimate} at {rate} requests per second.").format(
                estimate=fmt.estimate(plan.estimated_seconds),
                rate=f"{plan.connection.rate_limit:g}",
            )
        )
        self.checked.emit()

    def _on_plan_failed(self, exc: BaseException) -> None:
        self.plan = None
        self.view.status.clear()
        if isinstance(exc, PlanProblems):
            self._show_problems(exc.problems)
            if any(p.field == "cap" for p in exc.problems):
                self._show_total(_("Too many profiles for one export"), "")
        elif is_expected(exc):
            self._show_problems([Problem("segments", user_message(exc))])
        else:
            self.ui.errors.report(exc, _("Checking the export failed"))
        self.checked.emit()

    # -- showing ----------------------------------------------------------------------------

    def _show_problems(self, problems: Sequence[Problem]) -> None:
        self.problems = [p for p in problems if p.field != _SOURCE]
        if self._source_problem:
            self.problems.append(Problem(_SOURCE, self._source_problem))
        v = self.view
        by_field = {
            "name": v.name_problem,
            "connection": v.connection_problem,
            "key": v.connection_problem,
            "segments": v.segments_problem,
            "mapping": v.mapping_problem,
            "cap": v.cap_problem,
            _SOURCE: v.mapping_problem,
        }
        for widget in set(by_field.values()):
            widget.set_problems([])
        grouped: dict[int, list[str]] = {}
        for problem in self.problems:
            widget = by_field.get(problem.field, v.segments_problem)
            grouped.setdefault(id(widget), []).append(problem.message)
        for widget in set(by_field.values()):
            widget.set_problems(grouped.get(id(widget), []))

    def _show_total(self, total: str, detail: str) -> None:
        v = self.view
        v.total.setEnabled(True)
        v.total.setText(total)
        v.total.setVisible(bool(total))
        v.total_detail.setText(detail)
        v.total_detail.setVisible(bool(detail))

    def _show_totals(self, plan: ExportPlan) -> None:
        total = ngettext("{n} unique profile", "{n} unique profiles", plan.unique_profiles).format(
            n=fmt.number(plan.unique_profiles)
        )
        details = _("of at most {cap} per export to '{connection}'.").format(
            cap=fmt.number(plan.connection.profile_cap), connection=plan.connection.name
        )
        skipped = []
        if plan.invalid:
            skipped.append(
                _("{n} invalid (no valid email, or a value its field cannot take)").format(
                    n=fmt.number(plan.invalid)
                )
            )
        if plan.duplicates:
            skipped.append(
                ngettext("{n} duplicate", "{n} duplicates", plan.duplicates).format(
                    n=fmt.number(plan.duplicates)
                )
            )
        if plan.unchanged:
            skipped.append(
                _("{n} unchanged since {name} confirmed them").format(
                    n=fmt.number(plan.unchanged), name=plan.destination.name
                )
            )
        if skipped:
            details += " " + _("Not sent: {list}.").format(list=", ".join(skipped))
        if plan.export.remove_departed and plan.departed:
            details += " " + words.by_audience(
                plan.destination,
                lists=ngettext(
                    "{n} person who left a segment will be taken off its list in {name}.",
                    "{n} people who left a segment will be taken off its list in {name}.",
                    plan.departed,
                ),
                tags=ngettext(
                    "{n} person who left a segment will have its tag taken off in {name}.",
                    "{n} people who left a segment will have its tag taken off in {name}.",
                    plan.departed,
                ),
            ).format(n=fmt.number(plan.departed), name=plan.destination.name)
        self._show_total(total, details)


def _same_content(a: Export, b: Export) -> bool:
    """Everything the counts depend on is the same (the name is not part of it)."""
    return (a.connection, a.segments, a.mapping, a.remove_departed) == (
        b.connection,
        b.segments,
        b.mapping,
        b.remove_departed,
    )
