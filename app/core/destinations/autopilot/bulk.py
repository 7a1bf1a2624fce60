"""Bulk upsert of one batch: a 400 on the whole batch is split in halves to find the bad rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from app.core.destinations.autopilot.answers import email_key, read_bulk_answer
from app.core.destinations.errors import RequestError
from app.core.errors import CHECK_MAPPING_THEN_RESUME
from app.core.i18n import _, ngettext, number

MAX_BATCH = 100
# Statuses that blame the content of a batch, so a smaller batch can succeed.
SPLITTABLE = frozenset({400, 413, 422})

Contacts = Sequence[Mapping[str, object]]
Post = Callable[[Contacts], object]  # sends one POST /contacts, returns the JSON payload


def check_batch(contacts: Contacts) -> None:
    if len(contacts) > MAX_BATCH:
        raise ValueError(f"at most {MAX_BATCH} contacts per request, got {len(contacts)}")
    for contact in contacts:
        email_key(contact)


# Refusals of one batch's parts, with none of them taken, after which a refusal that keeps
# giving the same reason is taken to be about the batch as a whole (a wrong field type, say),
# not about some of its contacts: splitting on would cost about two requests per contact.
SAME_REFUSALS_TO_STOP = 12


@dataclass
class _Splitting:
    """What one batch's halving has met so far."""

    refusals: int = 0
    taken: int = 0
    reasons: set[tuple[int | None, str]] = field(default_factory=set)

    def refused(self, err: RequestError) -> None:
        self.refusals += 1
        self.reasons.add((err.status, err.detail))
        if self.taken == 0 and len(self.reasons) == 1 and self.refusals >= SAME_REFUSALS_TO_STOP:
            reason = f"{err.status}: {err.detail}" if err.detail else str(err.status)
            raise RequestError(
                ngettext(
                    "Autopilot refused every part of a batch of contacts for the same reason "
                    "({reason}), {count} request in a row, so it is not about some contacts but "
                    "about what is sent for all of them. {resume}",
                    "Autopilot refused every part of a batch of contacts for the same reason "
                    "({reason}), {count} requests in a row, so it is not about some contacts "
                    "but about what is sent for all of them. {resume}",
                    self.refusals,
                ).format(
                    reason=reason,
                    count=number(self.refusals),
                    resume=CHECK_MAPPING_THEN_RESUME,
                ),
                status=err.status,
                detail=err.detail,
                resume_offer=CHECK_MAPPING_THEN_RESUME,
            ) from err


def upsert(
    contacts: Contacts,
    post: Post,
    confirmed: dict[str, str],
    rejected: dict[str, str],
    splitting: _Splitting | None = None,
) -> None:
    """Fill ``confirmed`` and ``rejected``; other errors (auth, network, 5xx) propagate.

    A refused batch is halved to find the contacts it is about, until the refusals show that
    it is about all of them (``SAME_REFUSALS_TO_STOP``): then the run fails with the reason."""
    splitting = splitting or _Splitting()
    try:
        payload = post(contacts)
    except RequestError as err:
        if err.status not in SPLITTABLE:
            raise
        splitting.refused(err)
        if len(contacts) == 1:
            rejected[email_key(contacts[0])] = err.detail or _(
                "Autopilot refused this contact ({status})"
            ).format(status=err.status)
            return
        middle = len(contacts) // 2
        upsert(contacts[:middle], post, confirmed, rejected, splitting)
        upsert(contacts[middle:], post, confirmed, rejected, splitting)
        return
    ok, refused = read_bulk_answer(contacts, payload)
    splitting.taken += len(ok)
    confirmed.update(ok)
    rejected.update(refused)
