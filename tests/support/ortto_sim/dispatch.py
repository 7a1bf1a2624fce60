"""Ortto's side of the request pipeline (``simkit.dispatch``).

A banned IP is refused first; then the key (missing, unknown or disconnected: 401; account
expired or the key's maker gone: 403), the body size, the body's JSON, the per-key rate limit,
injected faults, latency and the API. Every answer is counted by the abuse guard.
"""

from __future__ import annotations

import math

from tests.support.ortto_sim.api import Api
from tests.support.ortto_sim.calls import Answer, Errors, rate_limited
from tests.support.ortto_sim.config import DISCONNECTED, FORBIDDEN, KeyRing, OrttoConfig
from tests.support.ortto_sim.guard import AbuseGuard
from tests.support.ortto_sim.store import OrttoStore
from tests.support.simkit.dispatch import Control, Exchange, Outcome
from tests.support.simkit.dispatch import Dispatcher as BaseDispatcher
from tests.support.simkit.faults import FaultPlan
from tests.support.simkit.limiter import KeyLimiter

KEY_HEADER = "X-Api-Key"
MISSING_KEY = "missing API key: send it in the X-Api-Key header"
BAD_KEY = "invalid API key"
EXPIRED = "account expired"
FORBIDDEN_KEY = "forbidden: the user who created this API key no longer has access"
BANNED = "too many bad requests: try again later"


class Dispatcher(BaseDispatcher):
    bad_json = "invalid request body: not valid JSON"

    def __init__(
        self,
        store: OrttoStore,
        config: OrttoConfig,
        keys: KeyRing,
        limiter: KeyLimiter,
        faults: FaultPlan,
        guard: AbuseGuard,
        control: Control,
    ) -> None:
        super().__init__(config, limiter, faults, control, store.counters, store.lock)
        self.store, self.ortto, self.keys, self.guard = store, config, keys, guard
        self.errors = Errors(store.ids)
        self.api = Api(store, config, self.errors)

    def error(self, status: int, message: str) -> Answer:
        return self.errors(status, message)

    def admit(self, ex: Exchange, method: str, path: str, raw: bytes) -> Outcome | str:
        left = self.guard.banned_for(ex.client_host())
        if left > 0:
            self.count("banned_answers")
            if self.ortto.ban_status == 429:
                return Outcome(429, rate_limited(math.ceil(left), BANNED))
            return Outcome.of(self.errors(self.ortto.ban_status, BANNED))
        key = ex.header(KEY_HEADER)
        if not key:
            return Outcome.of(self.errors(401, MISSING_KEY))
        state = self.keys.state(key)
        if state is None or state == DISCONNECTED:
            return Outcome.of(self.errors(401, BAD_KEY))
        if self.keys.expired:
            return Outcome.of(self.errors(403, EXPIRED))
        if state == FORBIDDEN:
            return Outcome.of(self.errors(403, FORBIDDEN_KEY))
        if len(raw) > self.ortto.max_body_bytes:
            limit = self.ortto.max_body_bytes
            message = f"request body too large: {len(raw)} bytes, the limit is {limit}"
            return Outcome.of(self.errors(self.ortto.oversize_status, message))
        return key

    def throttled(self, key: str) -> Outcome:
        return Outcome(429, rate_limited(self.ortto.try_in_seconds))

    def route(self, method: str, path: str, body: object, key: str) -> Answer:
        return self.api.route(method, path, body, key)

    def answered(self, ex: Exchange, outcome: Outcome) -> None:
        self.guard.note(ex.client_host(), outcome.status)  # answers during a ban do not count

    def headers_to_record(self, ex: Exchange) -> dict[str, str]:
        headers = ex.all_headers()
        if self.ortto.redact_key and "x-api-key" in headers:
            headers["x-api-key"] = "<redacted>"
        return headers
