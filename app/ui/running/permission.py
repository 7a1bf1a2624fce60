"""What the window may start now: a run, an import, deleting all data.

An import holds DuckDB's only write connection, which an export's reads would collide with;
deleting all data removes what a run or an import would use; a run being started (its key
read) must not be started twice. :class:`Permission` holds what is going on, changed only by
named transitions, and answers from that alone; ``changed`` tells the window to update every
button that depends on it, from one place.

Whether a run *itself* can be resumed is the run's own matter (its status); this object only
says whether the window may start something now.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.ui.running.job import ExportJob


class Permission(QObject):
    changed = Signal()  # something began or ended: what may start may have changed

    def __init__(self, export: ExportJob, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._export = export
        self._importing = False
        self._erasing = False
        self._starting = False
        export.state_changed.connect(self.changed)

    # -- what is going on ---------------------------------------------------------------------

    @property
    def exporting(self) -> bool:
        """A run is going on (running or cancelling): the export job's own state."""
        return self._export.active

    @property
    def importing(self) -> bool:
        return self._importing

    @property
    def erasing(self) -> bool:
        return self._erasing

    @property
    def starting(self) -> bool:
        """A run is being prepared (its key read) and has not started yet."""
        return self._starting

    # -- transitions (each says so only when it changes something) -----------------------------

    def begin_import(self) -> None:
        if not self._importing:
            self._importing = True
            self.changed.emit()

    def end_import(self) -> None:
        if self._importing:
            self._importing = False
            self.changed.emit()

    def begin_erase(self) -> None:
        if not self._erasing:
            self._erasing = True
            self.changed.emit()

    def end_erase(self) -> None:
        if self._erasing:
            self._erasing = False
            self.changed.emit()

    def begin_start(self) -> None:
        if not self._starting:
            self._starting = True
            self.changed.emit()

    def end_start(self) -> None:
        if self._starting:
            self._starting = False
            self.changed.emit()

    # -- what may start -------------------------------------------------------------------------

    def may_start_run(self) -> bool:
        """Run, Dry run and Resume: nothing else holds the data or the job."""
        return not (self.exporting or self._importing or self._erasing or self._starting)

    def may_erase(self) -> bool:
        """Delete all data: the same, nothing may use the data being deleted."""
        return self.may_start_run()

    def may_import(self) -> bool:
        """Importing profiles: no run reads them and they are not being deleted.

        Imports wait for each other on their own queue, so one may be asked for during another.
        """
        return not (self.exporting or self._erasing)

    def may_remove_profiles(self) -> bool:
        """Removing imported profiles: no import, run or deletion uses them."""
        return self.may_import() and not self._importing
