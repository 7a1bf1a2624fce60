"""Validate before you start: everything that can be known before sending, checked up front.

``check_export`` answers at once (names, references, mapping). ``plan_export`` also reads every
member of the export's segments (so call it off the GUI thread) to count what will be sent and
to enforce the connection's profile cap before a single request goes out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from app.core.cancel import CancelToken
from app.core.connections import Connection, ConnectionStore
from app.core.destinations import Destination, destination_for
from app.core.errors import AppError, NotFoundError
from app.core.export.ledger import NOTHING, Known, Ledger, connection_identity
from app.core.export.models import Export
from app.core.export.removals import LargeRemoval, MassRemoval, is_mass_removal
from app.core.export.rows import Duplicate, Invalid, Unchanged, Valid, classify
from app.core.history import InvalidMember
from app.core.i18n import _, ngettext, number
from app.core.mapping import Mapping
from app.core.mapping.emails import EmailChecker
from app.core.profiles import ProfileStore, Source
from app.core.segments import Rule, Segment, SegmentService

SNAPSHOT_VERSION = 1


@dataclass(frozen=True)
class Problem:
    """Something to fix before running, tied to the part of the export it concerns."""

    field: str  # "name" | "connection" | "key" | "segments" | "mapping" | "cap"
    message: str


class PlanProblems(AppError):
    """The export cannot run as configured; ``problems`` says why, each next to its control."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(" ".join(p.message for p in problems))


@dataclass(frozen=True)
class SegmentPlan:
    segment: Segment
    planned: int
    valid: int
    invalid: int
    duplicates: int
    unchanged: int = 0
    # What the destination confirmed before, as this plan judged it (the run reuses it).
    known: Known = field(default=NOTHING, repr=False, compare=False)
    # With remove_departed: the emails confirmed for the segment that left it (sorted), and how
    # many people the destination had confirmed for it (removals.py).
    departed: tuple[str, ...] = field(default=(), repr=False)
    members: int = 0


@dataclass(frozen=True)
class ExportPlan:
    export: Export
    connection: Connection
    source: Source
    segments: tuple[SegmentPlan, ...]
    unique_profiles: int
    invalid_rows: tuple[InvalidMember, ...] = field(repr=False)
    # The day of the run: rules such as within-days count from it, on a resume too.
    day: date
    # Shared by the plan and the run so each distinct address is validated once.
    emails: EmailChecker = field(default_factory=EmailChecker, repr=False, compare=False)
    send_all: bool = False  # --all: send everyone, unchanged or not, and refresh the ledger
    # --allow-mass-removal: the user said yes to removing more than half of a list or tag.
    allow_mass_removal: bool = False

    @property
    def planned(self) -> int:
        return sum(s.planned for s in self.segments)

    @property
    def valid(self) -> int:
        return sum(s.valid for s in self.segments)

    @property
    def invalid(self) -> int:
        return sum(s.invalid for s in self.segments)

    @property
    def duplicates(self) -> int:
        return sum(s.duplicates for s in self.segments)

    @property
    def unchanged(self) -> int:
        return sum(s.unchanged for s in self.segments)

    def all_invalid(self) -> str | None:
        """Why nothing can be sent when every row the run had to send is invalid (a text column
        mapped to a number field, say), naming the commonest reason; None otherwise."""
        if self.valid or self.unchanged or not self.invalid:
            return None
        reasons = Counter(row.reason for row in self.invalid_rows)
        reason, rows = reasons.most_common(1)[0]
        if self.invalid == 1:
            return _(
                "The one row to send is invalid, so nothing was sent: {reason}. Check the "
                "export's mapping (which column goes to which field, and the field types) and the "
                "file, then run the export again."
            ).format(reason=reason)
        return ngettext(
            "Every row to send is invalid ({count} row), so nothing was sent. The commonest "
            "reason, in {rows} of them: {reason}. Check the export's mapping (which column goes "
            "to which field, and the field types) and the file, then run the export again.",
            "Every row to send is invalid ({count} rows), so nothing was sent. The commonest "
            "reason, in {rows} of them: {reason}. Check the export's mapping (which column goes "
            "to which field, and the field types) and the file, then run the export again.",
            self.invalid,
        ).format(count=number(self.invalid), rows=number(rows), reason=reason)

    @property
    def departed(self) -> int:
        """People to take off their segment's list or tag (0 unless the export removes)."""
        return sum(len(s.departed) for s in self.segments)

    def large_removals(self) -> list[LargeRemoval]:
        """Segments whose removals would take more than half of their confirmed people."""
        return [
            LargeRemoval(s.segment.name, len(s.departed), s.members)
            for s in self.segments
            if is_mass_removal(s.members, len(s.departed))
        ]

    def check_removals(self) -> None:
        """MassRemoval unless the large removals (if any) were allowed; call before sending."""
        large = self.large_removals()
        if large and not self.allow_mass_removal:
            destination = self.destination
            raise MassRemoval(large, destination.audience_noun, destination.name)

    @property
    def destination(self) -> Destination:
        return destination_for(self.connection.service)

    @property
    def requests(self) -> int:
        return self.destination.requests_estimate([s.valid for s in self.segments])

    @property
    def estimated_seconds(self) -> float:
        return self.requests / max(0.1, self.connection.rate_limit)

    def snapshot(self) -> dict[str, Any]:
        """The configuration a run keeps, so history stays true and resume uses the same."""
        return {
            "version": SNAPSHOT_VERSION,
            "export": self.export.name,
            "connection": {
                "name": self.connection.name,
                "service": self.connection.service,
                "region": self.connection.region,
                "base_url": self.connection.base_url,
                "rate_limit": self.connection.rate_limit,
                "profile_cap": self.connection.profile_cap,
            },
            "source": {
                "name": self.source.name,
                "sha256": self.source.sha256,
                "table_name": self.source.table_name,
                "rows": self.source.rows,
                "columns": list(self.source.columns),
            },
            "segments": [
                {
                    "name": s.segment.name,
                    "match": s.segment.match,
                    "rules": [
                        {"field": r.field, "op": r.op, "value": r.value} for r in s.segment.rules
                    ],
                }
                for s in self.segments
            ],
            "mapping": self.export.mapping.to_json(),
            "create_fields": self.export.create_fields,
            "remove_departed": self.export.remove_departed,
            "allow_mass_removal": self.allow_mass_removal,
            # What the plan counted, so a resume can prove it rebuilt the very same batches.
            "counts": {
                "planned": self.planned,
                "invalid": self.invalid,
                "duplicates": self.duplicates,
                "unique_profiles": self.unique_profiles,
                "valid": [s.valid for s in self.segments],
                "unchanged": self.unchanged,
            },
            "send_all": self.send_all,
            "day": self.day.isoformat(),
        }


@dataclass
class Services:
    connections: ConnectionStore  # settings only: the key is read by the face and handed in
    segments: SegmentService
    profiles: ProfileStore
    ledger: Ledger


def _resolve_segments(export: Export, services: Services) -> tuple[list[Segment], list[Problem]]:
    found: list[Segment] = []
    problems: list[Problem] = []
    for name in export.segments:
        try:
            found.append(services.segments.get(name))
        except NotFoundError as exc:
            problems.append(Problem("segments", str(exc)))
    sources = {s.source.casefold() for s in found}
    if len(sources) > 1:
        problems.append(
            Problem(
                "segments",
                _(
                    "All segments of one export must come from the same profile source "
                    "(these use {sources})."
                ).format(sources=", ".join(sorted({s.source for s in found}))),
            )
        )
    if not export.segments:
        problems.append(Problem("segments", _("Choose at least one segment to export.")))
    return found, problems


def check_export(export: Export, services: Services) -> list[Problem]:
    """The cheap checks: names, references, mapping against the source's columns."""
    problems: list[Problem] = []
    if not export.name.strip():
        problems.append(Problem("name", _("Give the export a name.")))
    connection: Connection | None = None
    try:
        connection = services.connections.get(export.connection)
    except NotFoundError as exc:
        problems.append(
            Problem(
                "connection",
                str(exc)
                if export.connection
                else _("Choose a connection (add one on the Connections tab)."),
            )
        )
    found, segment_problems = _resolve_segments(export, services)
    problems += segment_problems
    if connection is not None and found and not segment_problems:
        try:
            source = services.profiles.get_source(found[0].source)
        except NotFoundError as exc:
            problems.append(Problem("segments", str(exc)))
        else:
            fields = destination_for(connection.service).fields
            problems += [
                Problem("mapping", p) for p in export.mapping.validate(source.columns, fields)
            ]
    return problems


def count_segment(
    services: Services,
    segment: Segment,
    mapping: Mapping,
    segment_index: int,
    invalid_rows: list[InvalidMember],
    keys: set[str],
    cancel: CancelToken | None,
    emails: EmailChecker,
    known: Known = NOTHING,
    present: set[str] | None = None,
    *,
    day: date,
) -> SegmentPlan:
    """``present`` (when given) collects the email of every row, invalid ones included: who is
    still in the segment (removals.py). ``day`` is the day of the run."""
    planned = valid = invalid = duplicates = unchanged = 0
    for state in classify(services.segments, segment, mapping, emails, known, day=day):
        planned += 1
        if isinstance(state, Unchanged):
            unchanged += 1
            keys.add(state.email_key)
        elif isinstance(state, Valid):
            valid += 1
            keys.add(state.email_key)
        elif isinstance(state, Invalid):
            invalid += 1
            invalid_rows.append(
                InvalidMember(segment_index, state.row_number, state.email, state.reason)
            )
            if present is not None and state.email:
                present.add(state.email.strip().lower())
        elif isinstance(state, Duplicate):
            duplicates += 1
        if present is not None and isinstance(state, Unchanged | Valid | Duplicate):
            present.add(state.email_key)
        if cancel is not None and planned % 5000 == 0:
            cancel.raise_if_cancelled()
    return SegmentPlan(segment, planned, valid, invalid, duplicates, unchanged, known)


def plan_export(
    export: Export,
    services: Services,
    *,
    segments_override: list[Segment] | None = None,
    connection_override: Connection | None = None,
    cancel: CancelToken | None = None,
    send_all: bool = False,
    run_id: int | None = None,
    allow_mass_removal: bool = False,
    day: date | None = None,
) -> ExportPlan:
    """A plan with exact counts, or PlanProblems listing everything to fix.

    ``day`` is the day of the run (default: today), which rules such as ``within-days`` count
    from; a resumed run passes the day it started on.

    Rows the destination already confirmed exactly (the ledger) are counted ``unchanged`` and
    not sent, unless ``send_all``; ``run_id`` is the run being resumed, whose own ledger entries
    do not count. With the export's ``remove_departed``, each segment's departed people are
    found (removals.py); the plan does not refuse a large removal, ``check_removals`` does.
    """
    problems = check_export(export, services) if segments_override is None else []
    if problems:
        raise PlanProblems(problems)
    connection = connection_override or services.connections.get(export.connection)
    segments = segments_override or [services.segments.get(n) for n in export.segments]
    source = services.profiles.get_source(segments[0].source)
    day = services.segments.today() if day is None else day
    invalid_rows: list[InvalidMember] = []
    keys: set[str] = set()
    emails = EmailChecker()
    # Another connection's ledger is about other people: the run starts it afresh.
    other_account = services.ledger.identity(export.name) not in (
        None,
        connection_identity(connection),
    )
    fresh = send_all or other_account
    removing = export.remove_departed and not other_account
    plans: list[SegmentPlan] = []
    for i, seg in enumerate(segments):
        present: set[str] | None = set() if removing else None
        plan = count_segment(
            services,
            seg,
            export.mapping,
            i,
            invalid_rows,
            keys,
            cancel,
            emails,
            NOTHING
            if fresh
            else services.ledger.known(export.name, seg.name, excluding_run=run_id),
            present,
            day=day,
        )
        if present is not None:
            confirmed = services.ledger.emails(export.name, seg.name)
            plan = replace(
                plan, departed=tuple(sorted(confirmed - present)), members=len(confirmed)
            )
        plans.append(plan)
    if len(keys) > connection.profile_cap:
        raise PlanProblems(
            [
                Problem(
                    "cap",
                    ngettext(
                        "This export has {count} unique profile, over the limit of {cap} per "
                        "export for connection '{connection}'. Narrow the segments, or raise the "
                        "limit in the connection's settings if your {name} contract allows it.",
                        "This export has {count} unique profiles, over the limit of {cap} per "
                        "export for connection '{connection}'. Narrow the segments, or raise the "
                        "limit in the connection's settings if your {name} contract allows it.",
                        len(keys),
                    ).format(
                        count=number(len(keys)),
                        cap=number(connection.profile_cap),
                        connection=connection.name,
                        name=destination_for(connection.service).name,
                    ),
                )
            ]
        )
    return ExportPlan(
        export,
        connection,
        source,
        tuple(plans),
        len(keys),
        tuple(invalid_rows),
        day,
        emails,
        send_all=send_all,
        allow_mass_removal=allow_mass_removal,
    )


def day_from_snapshot(snapshot: dict[str, Any]) -> date | None:
    """The day the run started on; None for runs recorded before runs kept it (their rules
    could not depend on the day)."""
    day = snapshot.get("day")
    return None if day is None else date.fromisoformat(day)


def segments_from_snapshot(snapshot: dict[str, Any]) -> list[Segment]:
    source = snapshot["source"]["name"]
    return [
        Segment(
            name=s["name"],
            source=source,
            match=s["match"],
            rules=tuple(Rule(r["field"], r["op"], r["value"]) for r in s["rules"]),
        )
        for s in snapshot["segments"]
    ]
