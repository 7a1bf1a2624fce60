"""The segment form: rule rows, a live member count and a preview of the first members.

Counting runs on the profiles queue after the rules stop changing for a moment (debounced), and
only the newest answer is shown, so typing never waits for DuckDB.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.i18n import _, ngettext
from app.core.profiles import Source
from app.core.segments import Member, Segment
from app.ui.context import UiContext
from app.ui.errors import is_expected, user_message
from app.ui.kit import formatting as fmt
from app.ui.kit.layout import fit_preview
from app.ui.kit.table_models import RowsModel
from app.ui.segments.rules import op_labels
from app.ui.segments.view import SegmentsView

DEBOUNCE_MS = 300
PREVIEW_ROWS = 100
COUNT_KEY = "segment-editor"
_UNNAMED = "(new segment)"

Counted = tuple[list[str], int | None, list[str], list[Member]]


class SegmentEditor(QObject):
    saved = Signal(object)  # the Segment as stored
    counted = Signal()  # a fresh count (or the problems) is shown; tests wait on it

    def __init__(
        self, ui: UiContext, view: SegmentsView, sources: Callable[[], list[Source]]
    ) -> None:
        super().__init__(view)
        self.ui = ui
        self.view = view
        self._sources = sources
        self.editing: Segment | None = None
        self.current_count: int | None = None
        self._loading = False
        self.preview_model = RowsModel(self)
        view.preview.setModel(self.preview_model)
        self._debounce = QTimer(self)
        self._debounce.setObjectName("debounce")
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._count)
        self._wire()

    # -- public -----------------------------------------------------------------------------

    def fill_sources(self) -> None:
        combo = self.view.source
        current = combo.currentText()
        combo.blockSignals(True)
        combo.clear()
        combo.addItems([source.name for source in self._sources()])
        if current and combo.findText(current) >= 0:
            combo.setCurrentText(current)
        combo.blockSignals(False)
        self._apply_source_columns()

    def load(self, segment: Segment) -> None:
        v = self.view
        self._loading = True
        self.editing = segment
        v.editor_title.setText(_("Segment '{name}'").format(name=segment.name))
        v.name.setText(segment.name)
        if v.source.findText(segment.source) < 0:
            v.source.addItem(segment.source)
        v.source.setCurrentText(segment.source)
        self._apply_source_columns()
        (v.match_any if segment.match == "any" else v.match_all).setChecked(True)
        v.rules.set_rules(segment.rules)
        self._loaded()

    def clear(self, source: str | None = None) -> None:
        v = self.view
        self._loading = True
        self.editing = None
        v.editor_title.setText(_("New segment"))
        v.name.setText("")
        if source:
            v.source.setCurrentText(source)
        self._apply_source_columns()
        v.match_all.setChecked(True)
        v.rules.set_rules([])
        self._loaded()

    def schedule_count(self) -> None:
        if not self.view.source.currentText():
            return
        self.view.count.setEnabled(False)
        self._debounce.start()

    # -- the form ---------------------------------------------------------------------------

    def _wire(self) -> None:
        v = self.view
        v.save_button.clicked.connect(self._on_save_clicked)
        v.source.currentIndexChanged.connect(self._on_source_changed)
        v.name.textChanged.connect(self._on_name_changed)
        v.match_all.toggled.connect(self._on_rules_changed)
        v.rules.changed.connect(self._on_rules_changed)

    def _loaded(self) -> None:
        self.view.problems.set_problems([])
        self.view.remove_segment_button.setEnabled(self.editing is not None)
        self.view.rules_hint.setVisible(not self.view.rules.rows)
        self._loading = False
        self.schedule_count()

    def _apply_source_columns(self) -> None:
        source = self._source(self.view.source.currentText())
        self.view.rules.set_columns(list(source.columns) if source else [])

    def _source(self, name: str) -> Source | None:
        return next((s for s in self._sources() if s.name == name), None)

    def _form_segment(self, *, for_count: bool = False) -> Segment:
        v = self.view
        name = v.name.text().strip() or (_UNNAMED if for_count else "")
        match = "any" if v.match_any.isChecked() else "all"
        return Segment.build(name, v.source.currentText(), v.rules.rules(), match)

    def _on_name_changed(self, *args: object) -> None:
        self.view.problems.set_problems([])

    def _on_source_changed(self, *args: object) -> None:
        self._apply_source_columns()
        self._on_rules_changed()

    def _on_rules_changed(self, *args: object) -> None:
        self.view.rules_hint.setVisible(not self.view.rules.rows)
        if not self._loading:
            self.schedule_count()

    # -- counting ---------------------------------------------------------------------------

    def _count(self) -> None:
        segment = self._form_segment(for_count=True)
        service = self.ui.app.segments

        def work() -> Counted:
            problems = service.validate(segment)
            if problems:
                return problems, None, [], []
            count = service.count(segment)
            columns, members = service.preview(segment, limit=PREVIEW_ROWS)
            return [], count, list(columns), list(members)

        self.view.count_status.show_busy(_("Counting..."))
        self.ui.profiles.submit(work, self._on_counted, self._on_count_failed, key=COUNT_KEY)

    def _on_counted(self, result: Any) -> None:
        problems, count, columns, members = result
        v = self.view
        v.count_status.clear()
        v.problems.set_problems([friendly(p) for p in problems])
        v.count.setEnabled(True)
        self.current_count = count
        if count is None:
            v.count.setText(_("\u2014 members"))
            self.preview_model.clear()
        else:
            v.count.setText(fmt.members(count))
            self._show_share(count)
            headers = [_("Row"), *columns]
            self.preview_model.set_rows(
                headers,
                [[str(m.row_number), *(m.values.get(c, "") for c in columns)] for m in members],
            )
            fit_preview(v.preview, headers)
        self.counted.emit()

    def _show_share(self, count: int) -> None:
        source = self._source(self.view.source.currentText())
        if source is not None:
            self.view.count_status.show_text(
                ngettext(
                    "of {total} profile in '{source}'",
                    "of {total} profiles in '{source}'",
                    source.rows,
                ).format(total=fmt.number(source.rows), source=source.name)
            )

    def _on_count_failed(self, exc: BaseException) -> None:
        self.view.count_status.clear()
        self.view.count.setEnabled(True)
        if is_expected(exc):
            self.view.problems.set_problems([user_message(exc)])
        else:
            self.ui.errors.report(exc, _("Counting the segment failed"))
        self.counted.emit()

    # -- saving -----------------------------------------------------------------------------

    def _on_save_clicked(self) -> None:
        segment = self._form_segment()
        if not segment.name:
            self.view.problems.set_problems([_("Give the segment a name.")])
            return
        original = self.editing.name if self.editing is not None else None
        service = self.ui.app.segments

        def work() -> Segment:
            problems = service.validate(segment)
            if problems:
                raise _Invalid(problems)
            saved: Segment = service.save(segment, original_name=original)
            return saved

        self.ui.profiles.submit(work, self._on_saved, self._on_save_failed)

    def _on_saved(self, segment: Any) -> None:
        assert isinstance(segment, Segment)
        self.editing = segment
        self.view.editor_title.setText(_("Segment '{name}'").format(name=segment.name))
        self.view.count_status.show_text("\u2714 " + _("Saved."), "ok")
        self.view.remove_segment_button.setEnabled(True)
        self.saved.emit(segment)

    def _on_save_failed(self, exc: BaseException) -> None:
        if isinstance(exc, _Invalid):
            self.view.problems.set_problems([friendly(p) for p in exc.problems])
        elif is_expected(exc):
            self.view.problems.set_problems([user_message(exc)])
        else:
            self.ui.errors.report(exc, _("The segment was not saved"))


class _Invalid(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def friendly(problem: str) -> str:
    """The core names operators by their codes ('gt'); the editor shows them in words."""
    for code, words in op_labels().items():
        problem = problem.replace(f"'{code}'", f"'{words}'")
    return problem
