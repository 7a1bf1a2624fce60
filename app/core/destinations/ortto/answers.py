"""Reading Ortto's answers: per-person merge results, a whole-batch 400's details, custom fields
and the 429's ``try-in-seconds``.

A reader returns None for a shape it does not recognise; the client then treats the attempt as
failed (never as a verdict on people): a guess could count people as sent that Ortto never
stored, or reject people Ortto took.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.destinations.http.session import retry_after_header
from app.core.destinations.http.transport import Reply
from app.core.i18n import _
from app.core.logging_setup import redact

STORED = frozenset({"created", "merged"})
REFUSED = frozenset({"suppressed", "invalid"})
_REASON_CHARS = 300


@dataclass(frozen=True)
class Outcome:
    """What Ortto said about one person: stored (``value`` is the person_id) or refused
    (``value`` is Ortto's reason)."""

    stored: bool
    value: str


@dataclass(frozen=True)
class AccountField:
    """One of the account's person custom fields."""

    field_id: str  # "int:cm:loyalty-points"
    name: str  # "Loyalty Points"
    display_type: str  # "integer"; "" when not given

    @property
    def prefix(self) -> str:
        return self.field_id.split(":", 1)[0]


def merge_outcomes(payload: object, count: int) -> list[Outcome] | None:
    """One outcome per person sent, in order, from a 200 answer; None if not recognised."""
    entries = payload.get("people") if isinstance(payload, dict) else None
    if not isinstance(entries, list) or len(entries) != count:
        return None
    outcomes = [_outcome(entry) for entry in entries]
    return None if any(o is None for o in outcomes) else [o for o in outcomes if o is not None]


def removal_outcomes(payload: object, count: int) -> list[Outcome] | None:
    """One outcome per person of a removal (a merge with ``unset_tags``), in order; None if not
    recognised. Stored means the tag is off (``value``: the person_id, or "" for a person Ortto
    skipped as not found: nothing to take the tag off). Refused (``suppressed``, ``invalid``, or
    an error) keeps the person for another try. What Ortto answers for a person that
    ``skip_non_existing`` skipped is not documented [?]: any other status without an error, or
    an empty entry, is read as skipped."""
    entries = payload.get("people") if isinstance(payload, dict) else None
    if not isinstance(entries, list) or len(entries) != count:
        return None
    outcomes: list[Outcome] = []
    for entry in entries:
        if entry is None or entry == {}:
            outcomes.append(Outcome(True, ""))
            continue
        outcome = _outcome(entry)
        if outcome is None:
            if not isinstance(entry, dict) or not isinstance(entry.get("status"), str):
                return None
            outcome = Outcome(True, "")  # skipped: not in Ortto, so not tagged either
        outcomes.append(outcome)
    return outcomes


def created(payload: object) -> int:
    """How many people a merge answer says it created."""
    entries = payload.get("people") if isinstance(payload, dict) else None
    if not isinstance(entries, list):
        return 0
    return sum(1 for e in entries if isinstance(e, dict) and e.get("status") == "created")


def refused_outcomes(payload: object, count: int) -> list[Outcome] | None:
    """Every person's reason from a whole-batch 400's ``details``; None unless there is one
    refusal per person sent (then splitting the batch is the only way to learn more)."""
    details = payload.get("details") if isinstance(payload, dict) else None
    if not isinstance(details, list) or len(details) != count:
        return None
    outcomes: list[Outcome] = []
    for entry in details:
        if isinstance(entry, str) and entry.strip():
            outcomes.append(Outcome(False, _clean(entry)))
            continue
        outcome = _outcome(entry)
        if outcome is None or outcome.stored:
            return None
        outcomes.append(outcome)
    return outcomes


def _outcome(entry: object) -> Outcome | None:
    if not isinstance(entry, dict):
        return None
    status = entry.get("status")
    if status in STORED:
        person_id = entry.get("person_id")
        return Outcome(True, person_id if isinstance(person_id, str) else "")
    error = entry.get("error")
    if status in REFUSED or (status is None and isinstance(error, str) and error.strip()):
        if isinstance(error, str) and error.strip():
            return Outcome(False, _clean(error))
        return Outcome(False, _("Ortto answered {status} for this person").format(status=status))
    return None


def account_fields(payload: object) -> list[AccountField] | None:
    """The fields of a ``custom-field/get`` answer; None if not recognised."""
    items = payload.get("fields") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        return None
    found: list[AccountField] = []
    for item in items:
        field = item.get("field") if isinstance(item, dict) else None
        if not isinstance(field, dict):
            return None
        field_id, name = field.get("id"), field.get("name")
        if not isinstance(field_id, str) or field_id.count(":") < 2 or not isinstance(name, str):
            return None
        display_type = field.get("display_type")
        found.append(
            AccountField(field_id, name, display_type if isinstance(display_type, str) else "")
        )
    return found


def created_field(payload: object) -> AccountField | None:
    """The field a ``custom-field/create`` answer describes; None if not recognised."""
    if not isinstance(payload, dict):
        return None
    field_id, name = payload.get("field_id"), payload.get("name")
    if not isinstance(field_id, str) or field_id.count(":") < 2 or not isinstance(name, str):
        return None
    display_type = payload.get("display_type")
    return AccountField(field_id, name, display_type if isinstance(display_type, str) else "")


def find_by_name(fields: Sequence[AccountField], name: str) -> AccountField | None:
    wanted = name.strip().casefold()
    for field in fields:
        if field.name.strip().casefold() == wanted:
            return field
    return None


def try_in_seconds(reply: Reply) -> float | None:
    """The wait a 429 asks for: ``{"error": {"code": "rate-limit", "try-in-seconds": N}}``
    [doc, rec]; else a Retry-After header; else None."""
    payload = reply.payload
    error = payload.get("error") if isinstance(payload, dict) else None
    seconds = error.get("try-in-seconds") if isinstance(error, dict) else None
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0:
        return float(seconds)
    if isinstance(seconds, str):
        try:
            return max(0.0, float(seconds))
        except ValueError:
            pass
    return retry_after_header(reply)


def _clean(text: str) -> str:
    return redact(" ".join(text.split()))[:_REASON_CHARS]
