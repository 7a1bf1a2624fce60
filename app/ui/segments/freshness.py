"""The notice that a source's file changed on disk since it was imported, with a Refresh button.

Checked with one ``stat`` per source (never a read of the file) when its tab comes into view and
when the window is activated, so it is cheap enough for the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.core.i18n import _, ngettext
from app.core.profiles import FileCheck, FileState, Source, check_file
from app.ui.kit import formatting as fmt
from app.ui.kit.widgets import MessageBar


class FileNotice(QObject):
    refresh_requested = Signal(str)  # the source's name

    def __init__(self, bar: MessageBar, sources: Callable[[], list[Source]]) -> None:
        super().__init__(bar)
        self.bar = bar
        self._sources = sources
        self._dismissed: set[tuple[str, str, FileState]] = set()
        self._shown: tuple[str, str, FileState] | None = None
        bar.closed.connect(self._on_bar_closed)

    def check(self) -> None:
        checks = [c for c in map(check_file, self._sources()) if c.state is not FileState.SAME]
        checks = [c for c in checks if _key(c) not in self._dismissed]
        if not checks:
            self._shown = None
            self.bar.setVisible(False)
            return
        first = checks[0]
        self._shown = _key(first)
        text = self._text(first)
        if len(checks) > 1:
            text += " " + ngettext(
                "The file of one more profile source changed too.",
                "The files of {n} more profile sources changed too.",
                len(checks) - 1,
            ).format(n=len(checks) - 1)
        actions: list[tuple[str, Callable[[], None]]] = []
        if first.state is FileState.CHANGED:
            name = first.source.name
            actions.append((_("Refresh no&w"), lambda: self.refresh_requested.emit(name)))
        self.bar.show_message(text, actions)

    def _text(self, check: FileCheck) -> str:
        if check.state is FileState.MISSING:
            return _(
                "The file of the profiles '{name}' is no longer at {path}; segments use the "
                "profiles imported {imported}."
            ).format(
                name=check.source.name,
                path=check.source.path,
                imported=fmt.when(check.source.imported_at),
            )
        return _(
            "{file} changed on {when}, after the profiles '{name}' were imported from it. "
            "Refresh them to use the new version."
        ).format(file=check.file_name, when=fmt.when(check.modified_at), name=check.source.name)

    def _on_bar_closed(self) -> None:
        if self._shown is not None:
            self._dismissed.add(self._shown)


def _key(check: FileCheck) -> tuple[str, str, FileState]:
    return (check.source.name, check.source.table_name, check.state)
