"""Every (segment, row) of an export ends in one state; this decides the local ones.

The classification is deterministic for the same source data and configuration, which is what
lets a resumed run rebuild exactly the same batches and skip the ones the destination confirmed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from app.core.export.ledger import NOTHING, Known
from app.core.mapping import Contact, ContactBuilder, InvalidRow, Mapping
from app.core.mapping.emails import EmailChecker
from app.core.segments import Segment, SegmentService


@dataclass(frozen=True)
class Valid:
    row_number: int
    email_key: str
    contact: Contact


@dataclass(frozen=True)
class Invalid:
    row_number: int
    email: str
    reason: str


@dataclass(frozen=True)
class Duplicate:
    row_number: int
    email_key: str


@dataclass(frozen=True)
class Unchanged:
    """Valid, but the destination already confirmed exactly this for the export (the ledger)."""

    row_number: int
    email_key: str


RowState = Valid | Invalid | Duplicate | Unchanged


def classify(
    segments: SegmentService,
    segment: Segment,
    mapping: Mapping,
    emails: EmailChecker | None = None,
    known: Known = NOTHING,
    *,
    day: date,
) -> Iterator[RowState]:
    """Members in source order: the first valid row of an email wins, later ones are duplicates.
    ``day`` is the day of the run, which rules such as ``within-days`` count from.

    An invalid row never hides a later valid one: only valid rows claim their email. Passing one
    ``EmailChecker`` to every call of a run checks each distinct address once. A valid row whose
    contact ``known`` holds unchanged claims its email too, and is not sent.
    """
    builder = ContactBuilder(mapping, emails=emails)
    seen: set[str] = set()
    for member in segments.iter_members(segment, columns=mapping.columns(), day=day):
        outcome = builder.build(member.values)
        if isinstance(outcome, InvalidRow):
            yield Invalid(member.row_number, outcome.email, outcome.reason)
            continue
        assert isinstance(outcome, Contact)
        if outcome.email_key in seen:
            yield Duplicate(member.row_number, outcome.email_key)
            continue
        seen.add(outcome.email_key)
        if known.unchanged(outcome.email_key, outcome, segment.name):
            yield Unchanged(member.row_number, outcome.email_key)
        else:
            yield Valid(member.row_number, outcome.email_key, outcome)


@dataclass(frozen=True)
class Batch:
    segment_index: int
    batch_no: int
    rows: tuple[Valid, ...]


def batches(
    segments: SegmentService,
    segment: Segment,
    segment_index: int,
    mapping: Mapping,
    batch_size: int,
    emails: EmailChecker | None = None,
    known: Known = NOTHING,
    *,
    day: date,
) -> Iterator[Batch]:
    """The valid rows of one segment in batches (the destination's size), numbered from 0 in
    source order."""
    pending: list[Valid] = []
    number = 0
    for state in classify(segments, segment, mapping, emails, known, day=day):
        if isinstance(state, Valid):
            pending.append(state)
            if len(pending) == batch_size:
                yield Batch(segment_index, number, tuple(pending))
                pending, number = [], number + 1
    if pending:
        yield Batch(segment_index, number, tuple(pending))
