"""The simulator's lifecycle and the API tests use to steer and inspect it."""

from __future__ import annotations

from tests.support.autopilot_sim import control
from tests.support.autopilot_sim.config import KeyRing, SimConfig
from tests.support.autopilot_sim.dispatch import Dispatcher
from tests.support.autopilot_sim.store import SimStore
from tests.support.simkit.faults import FaultPlan
from tests.support.simkit.limiter import KeyLimiter
from tests.support.simkit.server import SimServer


class AutopilotSimulator(control.Steering, SimServer):
    """A local Autopilot API on 127.0.0.1 (see ``autopilot-api.md``); a test fixture only.

    >>> with AutopilotSimulator(keys={"k1"}, rate=200, burst=50) as sim:
    ...     sim.base_url  # "http://127.0.0.1:PORT/v1"
    """

    version = "AutopilotSimulator/1"
    thread_name = "autopilot-sim"
    data_fields = ("contacts", "lists", "custom_fields")

    def __init__(
        self,
        keys: set[str] | frozenset[str] | tuple[str, ...] = ("test-key",),
        *,
        rate: float | None = 5.0,
        burst: int = 5,
        latency: float = 0.0,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        **options: object,
    ) -> None:
        super().__init__(host, port)
        self.seed = seed
        self.config = SimConfig(latency=latency)
        self.config.update(dict(options))
        self.keys = KeyRing(set(keys))
        self.store = SimStore(seed)
        self.limiter = KeyLimiter(rate, burst)
        self.faults = FaultPlan(seed, default_path="/contacts")
        self.dispatcher = Dispatcher(
            self.store, self.config, self.keys, self.limiter, self.faults, self._control
        )

    def _control(self, method: str, path: str, body: object) -> tuple[int, object]:
        return control.handle(self, method, path, body)
