"""Rotating backups of the state store, and what a damaged one is.

``state.sqlite3`` holds the connections, exports, segments, history and the ledger: losing it
loses the record of what Autopilot confirmed. So a copy is taken with SQLite's online backup
(consistent while other processes write) when the program starts, at most once in
``BACKUP_EVERY``, and always before migrations change the store; only a store that passes
``PRAGMA quick_check`` is copied, so a damaged store never rotates the good copies out. The
newest ``BACKUPS_KEPT`` are kept, private like every file of the program.

A state file that exists but is not a valid store (empty, not SQLite, malformed) is damage,
never a fresh start: :class:`DamagedStoreError` says so and names the newest good backup, which
:meth:`StateBackups.restore` puts back, keeping the damaged file beside it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.core.errors import AppError
from app.core.i18n import _, moment
from app.core.paths import PRIVATE_DIR_MODE, make_private

BACKUPS_KEPT = 5
BACKUP_EVERY = timedelta(hours=20)
SQLITE_HEADER = b"SQLite format 3\x00"
_STAMP = "%Y%m%dT%H%M%S%fZ"
_PREFIX = "state-"
_SUFFIX = ".sqlite3"
# Words in SQLite's errors that mean the file itself is damaged, not busy or misused.
DAMAGE_SIGNS = ("malformed", "not a database", "disk image", "file is encrypted")


class DamagedStoreError(AppError):
    """The state store cannot be read; the message says what to do."""

    def __init__(self, path: Path, reason: str, backup: Backup | None) -> None:
        self.path = path
        self.backup = backup
        if backup is not None:
            todo = _(
                "A good backup from {when} is kept: restore it with "
                "'autopilot-exporter restore-state' (the window offers it when it opens); "
                "what changed after it is lost, and the damaged file is kept beside it."
            ).format(when=backup.label)
        else:
            todo = _(
                "No good backup is kept. Move the file aside to start afresh (API keys stay in "
                "the keyring; connections, exports and history must be made again)."
            )
        super().__init__(
            _(
                "The program's store of connections, exports and history ({path}) is damaged. "
                "{reason} {todo}"
            ).format(path=path, reason=reason, todo=todo)
        )


def is_damage(exc: sqlite3.DatabaseError) -> bool:
    return any(sign in str(exc).lower() for sign in DAMAGE_SIGNS)


def sqlite_says(error: object) -> str:
    """What SQLite found wrong with a store, as a sentence of a message (SQLite's own words)."""
    return _("SQLite reports: {error}.").format(error=str(error).rstrip("."))


def file_problem(path: Path) -> str | None:
    """Why an existing state file cannot be a store, in a sentence (None when its header is
    SQLite's)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        return _("The file cannot be read: {error}.").format(error=exc.strerror or exc)
    if not header:
        return _("The file is empty.")
    if header != SQLITE_HEADER:
        return _("The file is not a SQLite database.")
    return None


def quick_check(path: Path) -> str | None:
    """None when SQLite finds ``path`` sound, else what it found, in a sentence."""
    if (problem := file_problem(path)) is not None:
        return problem
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=15.0)
        try:
            rows = db.execute("PRAGMA quick_check").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return sqlite_says(exc)
    verdict = "; ".join(str(row[0]) for row in rows[:3])
    return None if verdict == "ok" else sqlite_says(verdict)


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime

    @property
    def label(self) -> str:
        """When it was taken, in local time, the way the language writes it."""
        return moment(self.taken_at)


class StateBackups:
    def __init__(
        self,
        store: Path,
        folder: Path,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        kept: int = BACKUPS_KEPT,
    ) -> None:
        self.store = store
        self.folder = folder
        self._now = now
        self._kept = kept

    def all(self) -> list[Backup]:
        """Newest first."""
        found = []
        for path in self.folder.glob(f"{_PREFIX}*{_SUFFIX}"):
            stamp = path.name[len(_PREFIX) : -len(_SUFFIX)]
            try:
                taken = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
            except ValueError:
                continue
            found.append(Backup(path, taken))
        return sorted(found, key=lambda b: b.taken_at, reverse=True)

    def newest_good(self) -> Backup | None:
        return next((b for b in self.all() if quick_check(b.path) is None), None)

    def take_if_due(self) -> Backup | None:
        newest = next(iter(self.all()), None)
        if newest is not None and self._now() - newest.taken_at < BACKUP_EVERY:
            return None
        return self.take()

    def take(self) -> Backup | None:
        """A consistent copy of a sound store (None when it is not sound: keep the old ones)."""
        if not self.store.exists() or quick_check(self.store) is not None:
            return None
        self.folder.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        taken = self._now()
        target = self.folder / f"{_PREFIX}{taken.strftime(_STAMP)}{_SUFFIX}"
        partial = target.with_name(target.name + ".partial")
        source = sqlite3.connect(f"file:{self.store}?mode=ro", uri=True, timeout=15.0)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                copy.close()
        finally:
            source.close()
        make_private(partial)
        os.replace(partial, target)
        self._prune()
        return Backup(target, taken)

    def restore(self, backup: Backup) -> Path:
        """Put ``backup`` in the store's place; the damaged store (and its WAL) is kept beside
        it under a ``.damaged-<time>`` name, which is returned."""
        problem = quick_check(backup.path)
        if problem is not None:
            raise AppError(
                _("The backup {path} is damaged too. {reason}").format(
                    path=backup.path, reason=problem
                )
            )
        stamp = self._now().strftime(_STAMP)
        aside = self.store.with_name(f"{self.store.name}.damaged-{stamp}")
        for end in ("", "-wal", "-shm"):
            current = self.store.with_name(self.store.name + end)
            if current.exists():
                os.replace(current, aside.with_name(aside.name + end))
        partial = self.store.with_name(self.store.name + ".restoring")
        partial.write_bytes(backup.path.read_bytes())
        make_private(partial)
        os.replace(partial, self.store)
        return aside

    def erase(self) -> None:
        """Delete every backup and every damaged store kept aside (``erase-all``)."""
        for backup in self.all():
            backup.path.unlink(missing_ok=True)
        for aside in self.store.parent.glob(f"{self.store.name}.damaged-*"):
            aside.unlink(missing_ok=True)

    def _prune(self) -> None:
        for old in self.all()[self._kept :]:
            with contextlib.suppress(OSError):
                old.path.unlink()
