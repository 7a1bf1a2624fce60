"""SegmentService: save, list and remove segments, and evaluate them over their source.

Saved segments live in the state store; evaluation runs in DuckDB over the source's profile
table. ``count``, ``preview`` and ``iter_members`` take any :class:`Segment`, saved or not, so an
editor can show the live count of rules that are still being typed. Rules counted from today
(``within-days``) count from the calendar's today, or from the ``day`` given: a run passes the
day it started on, so that resuming it on a later day reads the same members.

Editing from a form uses :meth:`SegmentService.save`: ``save(segment)`` creates,
``save(segment, original_name="Old")`` updates the segment called "Old" in place (renaming it
when the name changed), so exports that use it keep using it.
"""

from __future__ import annotations

import builtins
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime

from app.core import advice
from app.core.clock import Calendar, SystemCalendar
from app.core.errors import AppError, InUseError, NotFoundError, UsageError
from app.core.i18n import _, ngettext
from app.core.segments import query, repository
from app.core.segments.models import Member, Segment
from app.core.segments.ports import ProfileReader, SourceInfo
from app.core.segments.query import Columns, Plan
from app.core.segments.repository import StoredSegment
from app.core.segments.sql import Today, compile_where
from app.core.segments.validation import Checked, check, name_problems
from app.core.store import StateStore, save_target, to_iso, utc_now


class SourceChangedError(AppError):
    """The source was re-imported or removed while its members were being read."""


class SegmentService:
    def __init__(
        self,
        state: StateStore,
        profiles: ProfileReader,
        *,
        now: Callable[[], datetime] = utc_now,
        calendar: Calendar | None = None,
    ) -> None:
        self._state = state
        self._profiles = profiles
        self._now = now
        self._calendar = calendar or SystemCalendar()

    def reading(self, profiles: ProfileReader) -> SegmentService:
        """The same segments, their members read from ``profiles`` instead (a run's own copy
        of its source, see app/core/export/frozen.py)."""
        return SegmentService(self._state, profiles, now=self._now, calendar=self._calendar)

    def today(self) -> date:
        """The local day that rules such as ``within-days`` count from, unless told another."""
        return self._calendar.today()

    # -- definitions -------------------------------------------------------------------------

    def validate(self, segment: Segment) -> list[str]:
        """Everything wrong with ``segment``, in words the user can act on; [] when it is fine."""
        try:
            source = self._profiles.get_source(segment.source)
        except NotFoundError as exc:
            return [*name_problems(segment.name), str(exc)]
        return list(check(segment, source).problems)

    def add(self, segment: Segment, *, replace: bool = False) -> Segment:
        """Save a new segment (or, with ``replace``, overwrite the one of that name)."""
        return self._save(segment, None, replace)

    def save(self, segment: Segment, *, original_name: str | None = None) -> Segment:
        """Create (no ``original_name``) or update the segment called ``original_name``."""
        if original_name is None:
            return self.add(segment)
        return self._save(segment, original_name, False)

    def _save(self, segment: Segment, original_name: str | None, replace: bool) -> Segment:
        saved = self._checked(segment)[0].segment
        with self._state.transaction() as db:
            target = None if original_name is None else self._stored(db, original_name)
            target = save_target(
                target,
                repository.find(db, saved.name),
                same=lambda a, b: a.id == b.id,
                replace_existing=replace,
                exists=lambda clash: _("A segment named '{name}' already exists. {advice}").format(
                    name=clash.segment.name, advice=advice.OTHER_NAME
                ),
            )
            self._write(db, saved, target)
        return saved

    def list(self) -> builtins.list[Segment]:
        with self._state.read() as db:
            return [stored.segment for stored in repository.load_all(db)]

    def get(self, name: str) -> Segment:
        with self._state.read() as db:
            return self._stored(db, name).segment

    def remove(self, name: str) -> None:
        """Delete a segment; refused (InUseError) while an export uses it."""
        with self._state.transaction() as db:
            stored = self._stored(db, name)
            users = repository.exports_using(db, stored.id)
            if users:
                raise InUseError(_in_use(stored.segment.name, users, moving=False))
            repository.delete(db, stored.id)

    # -- evaluation --------------------------------------------------------------------------

    def count(self, segment: Segment, *, day: date | None = None) -> int:
        """How many members ``segment`` has, counted on ``day`` (default: today)."""
        return query.count(self._profiles, self._plan(segment, day))

    def preview(
        self, segment: Segment, limit: int = 100, *, day: date | None = None
    ) -> tuple[tuple[str, ...], builtins.list[Member]]:
        """The source's columns and the first ``limit`` members, in source row order."""
        plan = self._plan(segment, day)
        columns = Columns.of(plan.source, plan.source.columns)
        members = query.first_members(self._profiles, plan, columns, max(0, limit))
        return columns.names, members

    def iter_members(
        self,
        segment: Segment,
        *,
        columns: Sequence[str] | None = None,
        chunk_size: int = 10_000,
        day: date | None = None,
    ) -> Iterator[Member]:
        """Every member in source row order, with only ``columns`` (default: all) read, counted
        on ``day`` (default: today).

        At most ``chunk_size`` rows are held at a time and no connection is kept between
        chunks; SourceChangedError if the source is re-imported or removed meanwhile.
        """
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        plan = self._plan(segment, day)
        wanted = Columns.of(plan.source, plan.source.columns if columns is None else columns)
        verify = self._unchanged_check(plan.source)
        return query.stream_members(self._profiles, plan, wanted, chunk_size, verify)

    # -- helpers -----------------------------------------------------------------------------

    def _checked(self, segment: Segment) -> tuple[Checked, SourceInfo]:
        """The segment made exact against its source; NotFoundError or UsageError if it can't be."""
        source = self._profiles.get_source(segment.source)
        checked = check(segment, source)
        if checked.problems:
            raise UsageError(" ".join(checked.problems))
        return checked, source

    def _plan(self, segment: Segment, day: date | None) -> Plan:
        checked, source = self._checked(segment)
        today = Today(self.today() if day is None else day, self._calendar.start_of_day)
        return Plan(source, compile_where(checked.rules, checked.segment.match, today))

    def _unchanged_check(self, source: SourceInfo) -> Callable[[], None]:
        return lambda: self.ensure_unchanged(source)

    def ensure_unchanged(self, source: SourceInfo) -> None:
        """SourceChangedError unless ``source`` is still the current import of its name."""
        try:
            current = self._profiles.get_source(source.name)
        except NotFoundError:
            current = None
        if current is None or (current.table_name, current.sha256) != (
            source.table_name,
            source.sha256,
        ):
            raise SourceChangedError(
                _(
                    "Source '{name}' was re-imported or removed while its members were being "
                    "read; start again."
                ).format(name=source.name)
            )

    @staticmethod
    def _stored(db: sqlite3.Connection, name: str) -> StoredSegment:
        stored = repository.find(db, name)
        if stored is None:
            known = ", ".join(s.segment.name for s in repository.load_all(db))
            if not known:
                raise NotFoundError(
                    _("No segment named '{name}' (there are no segments yet).").format(name=name)
                )
            raise NotFoundError(
                _("No segment named '{name}' (segments: {known}).").format(name=name, known=known)
            )
        return stored

    def _write(
        self, db: sqlite3.Connection, segment: Segment, existing: StoredSegment | None
    ) -> None:
        source = repository.source_id(db, segment.source)
        if source is None:
            raise NotFoundError(
                _("No source named '{name}'; import it first.").format(name=segment.source)
            )
        now = to_iso(self._now()) or ""
        if existing is None:
            repository.insert(db, segment, source, now)
            return
        if existing.source_id != source:
            users = repository.exports_using(db, existing.id)
            if users:
                raise InUseError(_in_use(existing.segment.name, users, moving=True))
        repository.update(db, existing.id, segment, source, now)


def _in_use(name: str, exports: Sequence[str], *, moving: bool) -> str:
    if moving:
        message = ngettext(
            "Segment '{name}' is used by the export {exports}, so it cannot move to another "
            "source; remove it from that export first.",
            "Segment '{name}' is used by the exports {exports}, so it cannot move to another "
            "source; remove it from those exports first.",
            len(exports),
        )
    else:
        message = ngettext(
            "Segment '{name}' is used by the export {exports}, so it cannot be removed; remove "
            "it from that export first.",
            "Segment '{name}' is used by the exports {exports}, so it cannot be removed; remove "
            "it from those exports first.",
            len(exports),
        )
    return message.format(name=name, exports=", ".join(f"'{export}'" for export in exports))
