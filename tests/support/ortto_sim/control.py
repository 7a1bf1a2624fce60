"""Steering and inspection: Python methods for in-process tests, ``/_sim/...`` for other processes.

``/_sim/`` needs no API key; it exists only in this test server.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tests.support.ortto_sim.calls import Answer
from tests.support.ortto_sim.config import ACTIVE, DISCONNECTED, FORBIDDEN
from tests.support.ortto_sim.fields import EMAIL
from tests.support.ortto_sim.store import email_key
from tests.support.simkit.control import FaultSteering, apply_faults

if TYPE_CHECKING:
    from tests.support.ortto_sim.config import KeyRing, OrttoConfig
    from tests.support.ortto_sim.guard import AbuseGuard, Ban
    from tests.support.ortto_sim.server import OrttoSimulator
    from tests.support.ortto_sim.store import OrttoStore


class Steering(FaultSteering):
    """Mixed into OrttoSimulator; every method is thread-safe."""

    store: OrttoStore
    config: OrttoConfig
    keys: KeyRing
    guard: AbuseGuard

    # -- keys, the account and switches (the rate limit and faults: FaultSteering) ------------

    def add_key(self, key: str) -> None:
        """A working key (also reconnects a disconnected one)."""
        self.keys.set(key, ACTIVE)

    def disconnect_key(self, key: str) -> None:
        """Disconnected in Ortto's Data sources: answers 401 from now on."""
        self.keys.set(key, DISCONNECTED)

    def forbid_key(self, key: str) -> None:
        """The user who made the key has left: answers 403 from now on."""
        self.keys.set(key, FORBIDDEN)

    def remove_key(self, key: str) -> None:
        self.keys.remove(key)

    def expire_account(self, expired: bool = True) -> None:
        """Every known key answers 403 while the account is expired."""
        self.keys.expire(expired)

    def configure(self, **options: object) -> None:
        self.config.update(options)

    def reset_guard(self) -> None:
        """Forget bad requests, lift bans and clear their record."""
        self.guard.reset()

    # -- seeding --------------------------------------------------------------------------------

    def create_field(self, name: str, create_type: str = "text") -> str:
        """A custom field as custom-field/create makes it (no limit applies); its id."""
        return self.store.create_field(create_type, name, limit=10**9).field_id

    def suppress(self, *emails: str) -> None:
        with self.store.lock:
            self.store.suppressed.update(email_key(e) for e in emails)

    def put_person(self, fields: dict[str, object], tags: Iterable[str] = ()) -> str:
        """Store a person as a merge would, unchecked; their person_id."""
        if not isinstance(fields.get(EMAIL), str):
            raise ValueError(f"a person needs {EMAIL}")
        with self.store.lock:
            return self.store.merge(dict(fields), list(tags), [], 2)[1].person_id

    # -- inspection -----------------------------------------------------------------------------

    def people(self) -> dict[str, dict[str, object]]:
        """Every stored person by lower-cased email: person_id, fields, tags (in order set)."""
        with self.store.lock:
            return {key: p.snapshot() for key, p in self.store.people.items()}

    def person(self, email: str) -> dict[str, object] | None:
        with self.store.lock:
            found = self.store.people.get(email_key(email))
            return found.snapshot() if found else None

    def tagged(self, tag: str) -> set[str]:
        """The (lower-cased) emails of everyone who has ``tag``."""
        with self.store.lock:
            return {key for key, p in self.store.people.items() if tag in p.tags}

    def tags(self) -> list[str]:
        """Every tag the account has, in order of creation."""
        with self.store.lock:
            return list(self.store.tags)

    def custom_fields(self) -> dict[str, dict[str, str]]:
        """By field id: name and display_type."""
        with self.store.lock:
            return {
                f.field_id: {"name": f.name, "display_type": f.display_type}
                for f in self.store.custom_fields.values()
            }

    def suppressed(self) -> set[str]:
        with self.store.lock:
            return set(self.store.suppressed)

    def counters(self) -> dict[str, int]:
        with self.store.lock:
            return dict(self.store.counters)

    def bans(self) -> list[Ban]:
        """Every ban the abuse guard began, oldest first."""
        return self.guard.bans

    @property
    def ever_banned(self) -> bool:
        return bool(self.guard.bans)

    def state(self) -> dict[str, object]:
        return {
            "people": self.people(),
            "tags": self.tags(),
            "custom_fields": self.custom_fields(),
            "suppressed": sorted(self.suppressed()),
            "counters": self.counters(),
            "bans": [vars(b) for b in self.bans()],
        }


def handle(sim: OrttoSimulator, method: str, path: str, body: object) -> Answer:
    if (method, path) == ("GET", "/_sim/state"):
        return 200, {**sim.state(), "count_429": sim.count_429()}
    if (method, path) == ("GET", "/_sim/requests"):
        return 200, [item.as_json() for item in sim.requests()]
    if (method, path) == ("POST", "/_sim/config"):
        try:
            apply_config(sim, body if isinstance(body, dict) else {})
        except (TypeError, ValueError, KeyError) as exc:
            return 400, {"code": 400, "error": str(exc)}
        return 200, {"ok": True}
    return 404, {"code": 404, "error": "not found"}


def apply_config(sim: OrttoSimulator, changes: dict[str, Any]) -> None:
    """The JSON form of the steering methods, for tests in another process."""
    changes = dict(changes)
    for key in changes.pop("add_keys", []):
        sim.add_key(key)
    for key in changes.pop("disconnect_keys", []):
        sim.disconnect_key(key)
    for key in changes.pop("forbid_keys", []):
        sim.forbid_key(key)
    for key in changes.pop("remove_keys", []):
        sim.remove_key(key)
    if "expire_account" in changes:
        sim.expire_account(bool(changes.pop("expire_account")))
    if changes.pop("reset_guard", False):
        sim.reset_guard()
    sim.suppress(*changes.pop("suppress", []))
    for spec in changes.pop("custom_fields", []):
        sim.create_field(spec["name"], spec.get("type", "text"))
    for spec in changes.pop("people", []):
        sim.put_person(spec["fields"], spec.get("tags", []))
    apply_faults(sim, changes)
    sim.configure(**changes)
