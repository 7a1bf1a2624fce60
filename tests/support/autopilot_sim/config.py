"""Behaviour switches and the key registry, changeable while the server runs."""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields

EMAIL_CASES = ("as_sent", "lower", "upper")


@dataclass
class SimConfig:
    latency: float = 0.0  # added to every API answer
    slow_seconds: float = 2.0  # how long the slow and commit-then-timeout faults stall
    silent_drop_invalid: bool = False  # bad emails left out of email_contact_map, not stored
    reject_batch_on_invalid: bool = False  # any bad email fails the whole batch with 400
    email_case: str = "as_sent"  # case of the keys of email_contact_map in answers
    # An unknown ``_autopilot_list`` id: "ignore" stores the contact without the membership
    # (counted as unknown_list_refs; what a post-run total_contacts check must catch) or
    # "reject" fails the batch with 400.
    unknown_list: str = "ignore"
    strict_custom_types: bool = True  # a custom field sent with another type -> 400
    list_title_conflict: bool = False  # POST /list of an existing title -> 409 (the blueprint)
    retry_after: str | None = None  # Retry-After sent with rate-limit 429s (a test mode)
    record_bodies: bool = True  # keep request bodies in the request log

    def update(self, options: dict[str, object]) -> None:
        names = {f.name for f in fields(self)}
        unknown = set(options) - names
        if unknown:
            raise ValueError(f"unknown simulator options: {sorted(unknown)}")
        if options.get("email_case", self.email_case) not in EMAIL_CASES:
            raise ValueError(f"email_case must be one of {EMAIL_CASES}")
        if options.get("unknown_list", self.unknown_list) not in ("ignore", "reject"):
            raise ValueError("unknown_list must be 'ignore' or 'reject'")
        for name, value in options.items():
            setattr(self, name, value)


class KeyRing:
    """Valid keys, and keys that stop working after a number of applied upserts."""

    def __init__(self, keys: set[str]) -> None:
        self._lock = threading.Lock()
        self._keys = set(keys)
        self._countdown: dict[str, int] = {}

    def valid(self, key: str) -> bool:
        with self._lock:
            return key in self._keys

    def add(self, key: str) -> None:
        with self._lock:
            self._keys.add(key)
            self._countdown.pop(key, None)

    def revoke(self, key: str) -> None:
        with self._lock:
            self._keys.discard(key)
            self._countdown.pop(key, None)

    def revoke_after(self, key: str, upserts: int) -> None:
        """The key answers 401 once ``upserts`` more upsert requests were applied with it."""
        with self._lock:
            if upserts <= 0:
                self._keys.discard(key)
            else:
                self._countdown[key] = upserts

    def note_upsert(self, key: str) -> None:
        with self._lock:
            if key in self._countdown:
                self._countdown[key] -= 1
                if self._countdown[key] <= 0:
                    del self._countdown[key]
                    self._keys.discard(key)
