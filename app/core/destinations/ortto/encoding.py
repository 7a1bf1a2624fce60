"""A contact as Ortto takes it: one person of a ``person/merge`` body, and the bodies of a batch.

Every field goes by its Ortto id; each type's value is encoded by one small function below with
the evidence for it, so a wrong guess is corrected in one place. The segment's tag rides on every
person (``tags``), and the email permission ``bol::p`` is sent only as ``false``, only for people
a mapped consent column says opted out: an exporter must never subscribe anyone.

The same splitting serves the client and the dry run: at most 100 people and at most 2 MB per
body (``ortto-api.md``), so what a dry run writes is exactly what a run sends.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence

from app.core.destinations.ortto.fields import EMAIL_ID, PERMISSION_ID, created_id, field_id
from app.core.errors import UsageError
from app.core.i18n import _
from app.core.mapping.contact import Contact
from app.core.mapping.fields import CUSTOM_PREFIX

MAX_PEOPLE = 100  # people per merge request [doc]
# 2 MB per request body [doc]; counted as 2,000,000 bytes, below both readings of "MB".
MAX_BODY_BYTES = 2_000_000

Person = dict[str, object]
Encoder = Callable[[object], object]


# -- values, by the id prefix of the field they go to -----------------------------------------
# [?] The merge page gives no per-type examples (ortto-api.md, Fields). The evidence for each:


def text(value: object) -> object:
    """``str``/``txt``: a JSON string [doc: str::first "Kari" in the merge example]."""
    return value if isinstance(value, str) else str(value)


def integer(value: object) -> object:
    """``int``: a JSON integer [?: public clients send ints as JSON integers]. The mapping has
    already refused values that are not whole numbers, so nothing is multiplied or rounded."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def decimal(value: object) -> object:
    """``dec``: a JSON number, as the mapping made it (int or float) [?: by analogy with int;
    no public client seen sends dec fields]."""
    return value


def boolean(value: object) -> object:
    """``bol``: a JSON boolean [doc: bol::p is a boolean permission]."""
    return value


def date(value: object) -> object:
    """``dtz``: the ISO 8601 text the mapping made, ``2026-11-29T00:00:00.000Z`` [?: one public
    client sends ISO 8601 strings, another ``{"year","month","day","timezone"}``]."""
    return value


def place(value: object) -> object:
    """``geo``: ``{"name": "Oslo"}`` [?: the contract's object form for geo::city etc.]."""
    return {"name": value if isinstance(value, str) else str(value)}


ENCODERS: dict[str, Encoder] = {
    "str": text,
    "txt": text,
    "int": integer,
    "dec": decimal,
    "bol": boolean,
    "dtz": date,
    "geo": place,
}


def encode_value(ortto_id: str, value: object) -> object:
    """``value`` as the field ``ortto_id`` takes it (unknown types as they are: Ortto judges)."""
    encoder = ENCODERS.get(ortto_id.split(":", 1)[0])
    return encoder(value) if encoder is not None else value


# -- people and bodies ---------------------------------------------------------------------------


def target_id(target: str, custom_ids: Mapping[str, str]) -> str:
    """The Ortto id a mapping target is sent as: the account's field for a custom target when it
    was looked up, else the id a created field would get."""
    if target.startswith(CUSTOM_PREFIX):
        return custom_ids.get(target) or created_id(target)
    found = field_id(target)
    if found is None:
        raise UsageError(
            _(
                "The export maps {target}, which is not an Ortto field: edit the export's mapping."
            ).format(target=repr(target))
        )
    return found


def person(contact: Contact, tag: str, custom_ids: Mapping[str, str] | None = None) -> Person:
    """One entry of ``people``: the contact's fields by Ortto id, and the tag."""
    ids = custom_ids or {}
    fields: dict[str, object] = {EMAIL_ID: contact.email}
    for target, value in contact.fields.items():
        ortto_id = target_id(target, ids)
        fields[ortto_id] = encode_value(ortto_id, value)
    if contact.opted_out:
        fields[PERMISSION_ID] = False  # never True: see the module's docstring
    return {"fields": fields, "tags": [tag]}


def merge_body(people: Sequence[Person]) -> dict[str, object]:
    """The ``person/merge`` body: merged by email, overwriting, one answer per person."""
    return {
        "people": list(people),
        "merge_by": [EMAIL_ID],
        "merge_strategy": 2,
        "find_strategy": 0,
        "async": False,
    }


def untagged(email_key: str, tag: str) -> Person:
    """One entry of a removal: the email to find the person by, and the tag to take off. No
    other field, so nothing else about the person changes."""
    return {"fields": {EMAIL_ID: email_key}, "unset_tags": [tag]}


def removal_body(people: Sequence[Person]) -> dict[str, object]:
    """The ``person/merge`` body that takes a tag off people and changes nothing else.

    - ``merge_strategy`` 3 (ignore existing [doc]): a found person's fields stay as they are;
      not even the email's case is rewritten from the ledger's lower-cased key.
    - ``skip_non_existing``: a merge creates the people it does not find [doc: "create or
      update"]; removing someone must never create them. Public Ortto clients send this option
      beside ``merge_by``/``merge_strategy``/``find_strategy`` [cli]; that it makes Ortto skip
      people it does not find, and what it answers for them, is not in the contract [?]: the
      answer's reader (``answers.removal_outcomes``) counts any non-refusal as done, and the
      client logs a person Ortto says it *created* (the option was ignored: a person with only
      an email and no tag, not subscribed by us; see the connection notice).
    """
    return {
        "people": list(people),
        "merge_by": [EMAIL_ID],
        "merge_strategy": 3,
        "find_strategy": 0,
        "skip_non_existing": True,
        "async": False,
    }


def body_bytes(body: object) -> int:
    """The size of a body as the transport sends it (``json.dumps``, UTF-8)."""
    return len(json.dumps(body, ensure_ascii=False).encode("utf-8"))


def split(
    people: Sequence[Person], *, max_people: int = MAX_PEOPLE, max_bytes: int = MAX_BODY_BYTES
) -> list[list[int]]:
    """The people's indexes in consecutive chunks of at most ``max_people`` whose bodies are at
    most ``max_bytes``; a person too large for any body is a chunk of its own."""
    envelope = body_bytes(merge_body([]))
    chunks: list[list[int]] = []
    current: list[int] = []
    size = envelope
    for index, entry in enumerate(people):
        cost = body_bytes(entry) + (2 if current else 0)  # ", " between list items
        if current and (len(current) >= max_people or size + cost > max_bytes):
            chunks.append(current)
            current, size = [], envelope
            cost = body_bytes(entry)
        current.append(index)
        size += cost
    if current:
        chunks.append(current)
    return chunks


def request_bodies(
    contacts: Sequence[Contact],
    tag: str,
    custom_ids: Mapping[str, str] | None = None,
    *,
    max_bytes: int = MAX_BODY_BYTES,
) -> list[dict[str, object]]:
    """Every ``person/merge`` body a batch is sent as, in order."""
    people = [person(contact, tag, custom_ids) for contact in contacts]
    return [merge_body([people[i] for i in chunk]) for chunk in split(people, max_bytes=max_bytes)]
