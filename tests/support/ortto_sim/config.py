"""Behaviour switches and the key registry, changeable while the server runs.

Each switch marked [?] picks the contract's documented or most likely behaviour by default;
the other values are the alternatives a test can turn on.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields

MB = 1024 * 1024

_CHOICES: dict[str, tuple[object, ...]] = {
    "oversize_status": (400, 413),
    "ban_status": (429, 403),
    "ban_counting": ("combined", "separate"),
    "dtz_format": ("iso", "object", "either"),
    "phn_format": ("object", "string", "either"),
    "geo_format": ("object", "string", "either"),
    "int_values": ("integer", "number"),
    "null_values": ("clear", "invalid"),
}


@dataclass
class OrttoConfig:
    latency: float = 0.0  # added to every API answer
    slow_seconds: float = 2.0  # how long the slow and commit-then-timeout faults stall
    record_bodies: bool = True  # keep request bodies in the request log
    redact_key: bool = False  # record X-Api-Key as "<redacted>" instead of as sent
    # 429 bodies: {"error": {"code": "rate-limit", ..., "try-in-seconds": N}}; the real one
    # has been seen with 10.
    try_in_seconds: int = 1
    # Request bodies over 2 MB. [?] The documented error codes have no 413, so Ortto's own 400
    # (error shape) by default; 413 is what a proxy in front might answer.
    max_body_bytes: int = 2 * MB
    oversize_status: int = 400
    max_people: int = 100
    max_str: int = 255  # characters in a str field
    max_txt: int = 4000  # characters in a txt field
    max_custom_fields: int = 100  # person custom fields per account
    # The abuse guard: ``ban_after`` bad answers (4xx but 429) to one IP within
    # ``ban_window_s`` ban that IP for ``ban_for_s``; 0 switches the guard off. [?] Bad
    # requests and bad credentials count together by default ("separate": two windows, as the
    # docs can also be read). A banned caller gets 429 with try-in-seconds by default [?]
    # (403 with the error shape is the alternative).
    ban_after: int = 15
    ban_window_s: float = 15.0
    ban_for_s: float = 15.0
    ban_counting: str = "combined"
    ban_status: int = 429
    # Value encodings the merge page does not document [?]:
    dtz_format: str = "iso"  # ISO 8601 string; "object": {"year","month","day","timezone"}
    phn_format: str = "object"  # {"c": "47", "n": "41234567"}; or a plain string
    geo_format: str = "object"  # {"name": "Oslo"}; or a plain string
    int_values: str = "integer"  # JSON integers only; "number" also takes 1.5
    null_values: str = "clear"  # a null value removes the field; "invalid" refuses it
    # async: true [?]: applied at once, answered 200 with this body (no per-person results).
    async_answer: object = field(default_factory=dict)

    def update(self, options: dict[str, object]) -> None:
        names = {f.name for f in fields(self)}
        unknown = set(options) - names
        if unknown:
            raise ValueError(f"unknown simulator options: {sorted(unknown)}")
        for name, allowed in _CHOICES.items():
            if name in options and options[name] not in allowed:
                raise ValueError(f"{name} must be one of {allowed}")
        for name, value in options.items():
            setattr(self, name, value)


ACTIVE, DISCONNECTED, FORBIDDEN = "active", "disconnected", "forbidden"


class KeyRing:
    """The account's API keys: active, disconnected (401) or forbidden (403, the key's maker
    left); and the account itself, which can expire (403 for every key)."""

    def __init__(self, keys: set[str]) -> None:
        self._lock = threading.Lock()
        self._keys = dict.fromkeys(sorted(keys), ACTIVE)
        self.expired = False

    def state(self, key: str) -> str | None:
        with self._lock:
            return self._keys.get(key)

    def set(self, key: str, state: str) -> None:
        with self._lock:
            self._keys[key] = state

    def remove(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)

    def expire(self, expired: bool = True) -> None:
        with self._lock:
            self.expired = expired
