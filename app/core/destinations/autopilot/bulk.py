"""Bulk upsert of one batch: a 400 on the whole batch is split in halves to find the bad rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from app.core.destinations.autopilot.answers import email_key, read_bulk_answer
from app.core.destinations.errors import RequestError

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


def upsert(
    contacts: Contacts, post: Post, confirmed: dict[str, str], rejected: dict[str, str]
) -> None:
    """Fill ``confirmed`` and ``rejected``; other errors (auth, network, 5xx) propagate."""
    try:
        payload = post(contacts)
    except RequestError as err:
        if err.status not in SPLITTABLE:
            raise
        if len(contacts) == 1:
            rejected[email_key(contacts[0])] = err.detail or f"Autopilot refused it ({err.status})"
            return
        middle = len(contacts) // 2
        upsert(contacts[:middle], post, confirmed, rejected)
        upsert(contacts[middle:], post, confirmed, rejected)
        return
    ok, refused = read_bulk_answer(contacts, payload)
    confirmed.update(ok)
    rejected.update(refused)
