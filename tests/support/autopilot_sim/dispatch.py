"""Autopilot's side of the request pipeline (``simkit.dispatch``): its auth and error shape.

Auth (a missing key is 400, a wrong one 401), then the body's JSON, the per-key rate limit,
injected faults, latency, and the API itself.
"""

from __future__ import annotations

from tests.support.autopilot_sim.api import Api
from tests.support.autopilot_sim.calls import Answer, error
from tests.support.autopilot_sim.config import KeyRing, SimConfig
from tests.support.autopilot_sim.store import SimStore
from tests.support.simkit.dispatch import Control, Exchange, Outcome
from tests.support.simkit.dispatch import Dispatcher as BaseDispatcher
from tests.support.simkit.faults import FaultPlan
from tests.support.simkit.limiter import KeyLimiter

MISSING_KEY = "No autopilotapikey header provided."
BAD_KEY = "Provided autopilotapikey not valid."


class Dispatcher(BaseDispatcher):
    def __init__(
        self,
        store: SimStore,
        config: SimConfig,
        keys: KeyRing,
        limiter: KeyLimiter,
        faults: FaultPlan,
        control: Control,
    ) -> None:
        super().__init__(config, limiter, faults, control, store.counters, store.lock)
        self.store, self.sim_config, self.keys = store, config, keys
        self.api = Api(store, config, keys)

    def error(self, status: int, message: str) -> Answer:
        return error(status, message)

    def admit(self, ex: Exchange, method: str, path: str, raw: bytes) -> Outcome | str:
        key = ex.header("autopilotapikey")
        if key is None:
            return Outcome.of(error(400, MISSING_KEY))
        if not self.keys.valid(key):
            return Outcome.of(error(401, BAD_KEY))
        return key

    def throttled(self, key: str) -> Outcome:
        rate = self.limiter.rate or 0
        status, payload = error(429, f"You have exceeded your request rate of {rate:g} r/s.")
        retry_after = self.sim_config.retry_after
        return Outcome(status, payload, headers={"Retry-After": retry_after} if retry_after else {})

    def route(self, method: str, path: str, body: object, key: str) -> Answer:
        return self.api.route(method, path, body, key)
