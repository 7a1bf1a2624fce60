"""The account's data: people by lower-cased trimmed email, tags, custom fields, suppressions.

All access goes through ``lock``; the API holds it for a whole merge so a batch is applied
atomically.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from tests.support.ortto_sim.calls import Ids
from tests.support.ortto_sim.fields import CREATE_TYPES, EMAIL, custom_id, kebab


def email_key(email: str) -> str:
    return email.strip().lower()


@dataclass
class Person:
    person_id: str
    fields: dict[str, object] = field(default_factory=dict)
    tags: dict[str, None] = field(default_factory=dict)  # in the order first set

    def snapshot(self) -> dict[str, object]:
        return {"person_id": self.person_id, "fields": dict(self.fields), "tags": list(self.tags)}


@dataclass(frozen=True)
class CustomField:
    field_id: str
    name: str
    display_type: str  # the type it was created with: "integer", "text", ...


class FieldError(ValueError):
    """custom-field/create refused: the message is the answer's ``error``."""


class OrttoStore:
    def __init__(self, seed: int) -> None:
        self.lock = threading.RLock()
        self.ids = Ids(seed)
        self.people: dict[str, Person] = {}
        self.tags: dict[str, None] = {}  # every tag ever used, in order of creation
        self.custom_fields: dict[str, CustomField] = {}  # by field id, in order of creation
        self.suppressed: set[str] = set()  # email keys
        self.counters: Counter[str] = Counter()

    def create_field(self, create_type: str, name: object, limit: int) -> CustomField:
        if create_type not in CREATE_TYPES:
            raise FieldError(f"invalid field type: {create_type}")
        if not isinstance(name, str) or not kebab(name):
            raise FieldError("a field name is required")
        with self.lock:
            slug = kebab(name)
            if any(f.field_id.split(":", 2)[2] == slug for f in self.custom_fields.values()):
                raise FieldError(f"a field named {name} already exists")
            if len(self.custom_fields) >= limit:
                raise FieldError(f"custom field limit reached ({limit})")
            made = CustomField(custom_id(create_type, name), name.strip(), create_type)
            self.custom_fields[made.field_id] = made
            self.counters["fields_created"] += 1
            return made

    def merge(
        self, fields: dict[str, object], tags: list[str], unset: list[str], strategy: int
    ) -> tuple[str, Person]:
        """Create or update one (validated) person; the caller holds the lock."""
        key = email_key(str(fields[EMAIL]))
        person = self.people.get(key)
        status = "merged"
        if person is None:
            person = self.people[key] = Person(self.ids.person_id())
            status = "created"
        if status == "created" or strategy == 2:  # overwrite what was sent
            for field_id, value in fields.items():
                if value is None:
                    person.fields.pop(field_id, None)
                else:
                    person.fields[field_id] = value
        elif strategy == 1:  # append only: fill what is empty
            for field_id, value in fields.items():
                if value is not None and person.fields.get(field_id) in (None, ""):
                    person.fields[field_id] = value
        # strategy 3 (ignore existing) leaves a found person's fields alone
        for tag in tags:
            if tag not in self.tags:
                self.tags[tag] = None
                self.counters["tags_created"] += 1
            person.tags[tag] = None
        for tag in unset:
            person.tags.pop(tag, None)
        self.counters[f"people_{status}"] += 1
        return status, person
