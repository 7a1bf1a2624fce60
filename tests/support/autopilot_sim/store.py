"""The simulator's data: contacts by lower-cased email, lists with members, custom fields.

All access goes through ``lock``; the API layer holds it for a whole bulk request so a batch is
applied atomically, as one transaction would be.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field

# Keys of a contact that steer the upsert and are not stored as fields.
SPECIAL = frozenset({"_autopilot_list", "_NewEmail", "notify", "unsubscribed", "custom"})
CUSTOM_TYPES = frozenset({"string", "integer", "float", "date", "boolean"})


def is_bad_email(value: object) -> bool:
    """What the fault modes treat as invalid: no "@", or a domain under ``.invalid``."""
    if not isinstance(value, str) or "@" not in value.strip():
        return True
    domain = value.strip().lower().rsplit("@", 1)[1]
    return domain == "invalid" or domain.endswith(".invalid")


def split_custom_key(key: str) -> tuple[str, str] | None:
    """``integer--Loyalty--Points`` -> (``integer``, ``Loyalty Points``); None if malformed."""
    kind, sep, rest = key.partition("--")
    if not sep or kind not in CUSTOM_TYPES or not rest:
        return None
    return kind, rest.replace("--", " ")


@dataclass
class SimContact:
    contact_id: str
    fields: dict[str, object] = field(default_factory=dict)
    custom: dict[str, object] = field(default_factory=dict)
    unsubscribed: bool = False

    def snapshot(self) -> dict[str, object]:
        return {
            "contact_id": self.contact_id,
            "fields": dict(self.fields),
            "custom": dict(self.custom),
            "unsubscribed": self.unsubscribed,
        }


@dataclass
class SimList:
    list_id: str
    title: str
    members: dict[str, None] = field(default_factory=dict)  # contact keys, in order added


class SimStore:
    def __init__(self, seed: int) -> None:
        self.lock = threading.RLock()
        self._ids = random.Random(f"ids-{seed}")
        self.contacts: dict[str, SimContact] = {}
        self.lists: dict[str, SimList] = {}
        self.custom_fields: dict[str, str] = {}  # name -> type
        self.counters: Counter[str] = Counter()

    def new_id(self, prefix: str) -> str:
        token = uuid.UUID(int=self._ids.getrandbits(128), version=4)
        return f"{prefix}_{str(token).upper()}"

    def create_list(self, title: str) -> SimList:
        with self.lock:
            item = SimList(self.new_id("contactlist"), title)
            self.lists[item.list_id] = item
            self.counters["lists_created"] += 1
            return item

    def find(self, id_or_email: str) -> tuple[str, SimContact] | None:
        with self.lock:
            key = id_or_email.strip().lower()
            if key in self.contacts:
                return key, self.contacts[key]
            for key, contact in self.contacts.items():
                if contact.contact_id == id_or_email:
                    return key, contact
            return None

    def upsert(self, sent: dict[str, object]) -> tuple[str, SimContact]:
        """Merge one contact (fields sent overwrite); the caller holds the lock."""
        email = sent.get("Email")
        if isinstance(email, str) and email.strip():
            key = email.strip().lower()
        else:  # without Email every call creates a new contact, as the contract says
            key = f"noemail:{self.new_id('person')}"
        contact = self.contacts.get(key)
        if contact is None:
            contact = self.contacts[key] = SimContact(self.new_id("person"))
        contact.fields.update({k: v for k, v in sent.items() if k not in SPECIAL})
        custom = sent.get("custom")
        if isinstance(custom, dict):
            contact.custom.update(custom)
            for custom_key in custom:
                parsed = split_custom_key(custom_key)
                if parsed:
                    self.custom_fields.setdefault(parsed[1], parsed[0])
        if isinstance(sent.get("unsubscribed"), bool):
            contact.unsubscribed = bool(sent["unsubscribed"])
        new_email = sent.get("_NewEmail")
        if isinstance(new_email, str) and new_email.strip():
            key = self._rename(key, new_email.strip())
        self.counters["contacts_upserted"] += 1
        return key, contact

    def _rename(self, key: str, new_email: str) -> str:
        new_key = new_email.lower()
        contact = self.contacts.pop(key)
        contact.fields["Email"] = new_email
        self.contacts[new_key] = contact
        for item in self.lists.values():
            if key in item.members:
                del item.members[key]
                item.members[new_key] = None
        return new_key

    def member_lists(self, key: str) -> list[str]:
        with self.lock:
            return [item.list_id for item in self.lists.values() if key in item.members]
