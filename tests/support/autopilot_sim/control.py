"""Steering and inspection: Python methods for in-process tests, ``/_sim/...`` for other processes.

``/_sim/`` needs no API key; it exists only in this test server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.support.autopilot_sim.calls import Answer, error
from tests.support.autopilot_sim.store import SimContact
from tests.support.simkit.control import FaultSteering, apply_faults

if TYPE_CHECKING:
    from tests.support.autopilot_sim.config import KeyRing, SimConfig
    from tests.support.autopilot_sim.server import AutopilotSimulator
    from tests.support.autopilot_sim.store import SimStore


class Steering(FaultSteering):
    """Mixed into AutopilotSimulator; every method is thread-safe."""

    store: SimStore
    config: SimConfig
    keys: KeyRing

    # -- keys and switches (the rate limit and faults: FaultSteering) ----------------------

    def add_key(self, key: str) -> None:
        self.keys.add(key)

    def revoke_key(self, key: str) -> None:
        self.keys.revoke(key)

    def revoke_after_upserts(self, key: str, upserts: int) -> None:
        self.keys.revoke_after(key, upserts)

    def configure(self, **options: object) -> None:
        self.config.update(options)

    # -- seeding ------------------------------------------------------------------------------

    def create_list(self, title: str) -> str:
        return self.store.create_list(title).list_id

    def put_contact(self, fields: dict[str, object]) -> str:
        with self.store.lock:
            return self.store.upsert(fields)[1].contact_id

    # -- inspection -----------------------------------------------------------------------------

    def contacts(self) -> dict[str, dict[str, object]]:
        """Every stored contact by lower-cased email: contact_id, fields, custom, unsubscribed."""
        with self.store.lock:
            return {key: c.snapshot() for key, c in self.store.contacts.items()}

    def contact(self, email: str) -> dict[str, object] | None:
        with self.store.lock:
            found: SimContact | None = self.store.contacts.get(email.strip().lower())
            return found.snapshot() if found else None

    def lists(self) -> list[dict[str, str]]:
        with self.store.lock:
            return [{"list_id": i.list_id, "title": i.title} for i in self.store.lists.values()]

    def list_members(self, list_id: str) -> list[str]:
        with self.store.lock:
            return list(self.store.lists[list_id].members)

    def counters(self) -> dict[str, int]:
        with self.store.lock:
            return dict(self.store.counters)

    def custom_fields(self) -> dict[str, str]:
        with self.store.lock:
            return dict(self.store.custom_fields)

    def state(self) -> dict[str, object]:
        with self.store.lock:
            lists = [
                {"list_id": i.list_id, "title": i.title, "members": list(i.members)}
                for i in self.store.lists.values()
            ]
            return {
                "contacts": self.contacts(),
                "lists": lists,
                "custom_fields": self.custom_fields(),
                "counters": self.counters(),
            }


def handle(sim: AutopilotSimulator, method: str, path: str, body: object) -> Answer:
    if (method, path) == ("GET", "/_sim/state"):
        return 200, {**sim.state(), "count_429": sim.count_429()}
    if (method, path) == ("GET", "/_sim/requests"):
        return 200, [item.as_json() for item in sim.requests()]
    if (method, path) == ("POST", "/_sim/config"):
        try:
            apply_config(sim, body if isinstance(body, dict) else {})
        except (TypeError, ValueError, KeyError) as exc:
            return error(400, str(exc))
        return 200, {"ok": True}
    return error(404, "Not found.")


def apply_config(sim: AutopilotSimulator, changes: dict[str, Any]) -> None:
    """The JSON form of the steering methods, for tests in another process."""
    changes = dict(changes)
    for key in changes.pop("add_keys", []):
        sim.add_key(key)
    for key in changes.pop("revoke_keys", []):
        sim.revoke_key(key)
    if "revoke_after_upserts" in changes:
        spec = changes.pop("revoke_after_upserts")
        sim.revoke_after_upserts(spec["key"], int(spec["upserts"]))
    apply_faults(sim, changes)
    sim.configure(**changes)
