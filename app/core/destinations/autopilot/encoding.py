"""A contact as Autopilot Journeys takes it: the bulk upsert's contact object.

Standard fields go by their Autopilot names, custom fields into ``custom`` keyed
``<type>--<Name with every space replaced by -->``, the list rides on ``_autopilot_list``
(``autopilot-api.md``), and ``unsubscribed`` is sent only as ``true``, only for people a mapped
consent column says opted out: an exporter must never re-subscribe anyone.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.core.mapping.contact import Contact
from app.core.mapping.fields import CUSTOM_PREFIX

LIST_FIELD = "_autopilot_list"


def custom_key(target: str) -> str:
    """``custom:integer:Loyalty Points`` -> ``integer--Loyalty--Points``."""
    kind, _, name = target[len(CUSTOM_PREFIX) :].partition(":")
    return f"{kind}--{name.replace(' ', '--')}"


def encode(contact: Contact, list_id: str) -> dict[str, object]:
    payload: dict[str, object] = {"Email": contact.email}
    custom: dict[str, object] = {}
    for target, value in contact.fields.items():
        if target.startswith(CUSTOM_PREFIX):
            custom[custom_key(target)] = value
        else:
            payload[target] = value
    if custom:
        payload["custom"] = custom
    if contact.opted_out:
        payload["unsubscribed"] = True
    payload[LIST_FIELD] = list_id
    return payload


def bulk_body(contacts: Sequence[Contact], list_id: str) -> dict[str, object]:
    return {"contacts": [encode(contact, list_id) for contact in contacts]}
