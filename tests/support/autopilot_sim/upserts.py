"""``POST /contact`` and ``POST /contacts``: validation, atomic apply, the answer's email map."""

from __future__ import annotations

from tests.support.autopilot_sim.calls import Answer, Call, error
from tests.support.autopilot_sim.config import KeyRing, SimConfig
from tests.support.autopilot_sim.store import SimStore, is_bad_email, split_custom_key

MAX_CONTACTS = 100


class Upserts:
    def __init__(self, store: SimStore, config: SimConfig, keys: KeyRing) -> None:
        self.store = store
        self.config = config
        self.keys = keys

    def many(self, call: Call) -> Answer:
        body, key = call.body, call.key
        contacts = body.get("contacts") if isinstance(body, dict) else None
        if not isinstance(contacts, list) or not all(isinstance(c, dict) for c in contacts):
            return error(400, 'The body must be {"contacts": [ ... ]}.')
        if len(contacts) > MAX_CONTACTS:
            return error(400, f"A maximum of {MAX_CONTACTS} contacts can be upserted at once.")
        with self.store.lock:
            problem = self._problem(contacts)
            if problem:
                return error(400, problem)
            ids: list[str] = []
            email_map: dict[str, str] = {}
            for sent in contacts:
                contact_id = self._apply(sent)
                if contact_id is None:
                    continue
                ids.append(contact_id)
                if isinstance(sent.get("Email"), str):
                    email_map[self._answer_case(sent["Email"])] = contact_id
            self.store.counters["upserts_applied"] += 1
        self.keys.note_upsert(key)
        return 200, {"contact_ids": ids, "email_contact_map": email_map}

    def one(self, call: Call) -> Answer:
        body, key = call.body, call.key
        sent = body.get("contact") if isinstance(body, dict) else None
        if not isinstance(sent, dict):
            return error(400, 'The body must be {"contact": { ... }}.')
        with self.store.lock:
            problem = self._problem([sent])
            if problem:
                return error(400, problem)
            contact_id = self._apply(sent)
            self.store.counters["upserts_applied"] += 1
        self.keys.note_upsert(key)
        return 200, ({"contact_id": contact_id} if contact_id else {})

    def _apply(self, sent: dict[str, object]) -> str | None:
        if self.config.silent_drop_invalid and is_bad_email(sent.get("Email")):
            self.store.counters["contacts_dropped"] += 1
            return None
        contact_key, contact = self.store.upsert(sent)
        list_id = sent.get("_autopilot_list")
        if isinstance(list_id, str):
            target = self.store.lists.get(list_id)
            if target is None:
                self.store.counters["unknown_list_refs"] += 1
            else:
                target.members[contact_key] = None
        return contact.contact_id

    def _problem(self, contacts: list[dict[str, object]]) -> str | None:
        """Why the whole batch is refused, or None; the caller holds the store lock."""
        types = dict(self.store.custom_fields)
        for sent in contacts:
            email = sent.get("Email")
            if self.config.reject_batch_on_invalid and is_bad_email(email):
                return f"Invalid email address: {email}"
            list_id = sent.get("_autopilot_list")
            if (
                self.config.unknown_list == "reject"
                and isinstance(list_id, str)
                and list_id not in self.store.lists
            ):
                return f"List {list_id} could not be found."
            problem = _custom_problem(sent.get("custom"), types, self.config.strict_custom_types)
            if problem:
                return problem
        return None

    def _answer_case(self, email: str) -> str:
        if self.config.email_case == "lower":
            return email.lower()
        if self.config.email_case == "upper":
            return email.upper()
        return email


def _custom_problem(custom: object, types: dict[str, str], strict: bool) -> str | None:
    if custom is None:
        return None
    if not isinstance(custom, dict):
        return "custom must be an object."
    for custom_key in custom:
        parsed = split_custom_key(str(custom_key))
        if parsed is None:
            return f"Invalid custom field key: {custom_key}"
        kind, name = parsed
        known = types.setdefault(name, kind)
        if strict and known != kind:
            return f'Custom field "{name}" is of type {known}, not {kind}.'
    return None
