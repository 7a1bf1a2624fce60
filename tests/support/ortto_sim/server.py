"""The Ortto simulator's construction; its lifecycle is ``simkit.server``'s."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from tests.support.ortto_sim import control
from tests.support.ortto_sim.config import KeyRing, OrttoConfig
from tests.support.ortto_sim.dispatch import Dispatcher
from tests.support.ortto_sim.guard import AbuseGuard
from tests.support.ortto_sim.store import OrttoStore
from tests.support.simkit.clock import Clock
from tests.support.simkit.faults import FaultPlan
from tests.support.simkit.limiter import KeyLimiter
from tests.support.simkit.server import SimServer


class OrttoSimulator(control.Steering, SimServer):
    """A local Ortto API on 127.0.0.1 (see ``ortto-api.md``); a test fixture only.

    >>> with OrttoSimulator(keys={"k1"}, rate=200, burst=50) as sim:
    ...     sim.base_url  # "http://127.0.0.1:PORT/v1"

    ``custom_fields`` seeds the account's custom fields (name -> create type, e.g.
    ``{"Loyalty points": "integer"}``), ``suppressed`` its suppression list. ``clock`` drives
    the rate limit and the abuse guard's windows (``simkit.clock.ManualClock`` in tests).
    Other keyword options are ``OrttoConfig`` switches.
    """

    version = "OrttoSimulator/1"
    thread_name = "ortto-sim"
    data_fields = ("people", "tags", "custom_fields", "suppressed")

    def __init__(
        self,
        keys: Iterable[str] = ("test-key",),
        *,
        rate: float | None = 10.0,
        burst: int = 10,
        latency: float = 0.0,
        seed: int = 0,
        clock: Clock = time.monotonic,
        custom_fields: Mapping[str, str] | None = None,
        suppressed: Iterable[str] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        **options: object,
    ) -> None:
        super().__init__(host, port)
        self.seed = seed
        self.clock = clock
        self.config = OrttoConfig(latency=latency)
        self.config.update(dict(options))
        self.keys = KeyRing(set(keys))
        self.store = OrttoStore(seed)
        self.limiter = KeyLimiter(rate, burst, clock)
        self.faults = FaultPlan(seed, default_path="/person/merge")
        self.guard = AbuseGuard(self.config, clock)
        self.dispatcher = Dispatcher(
            self.store,
            self.config,
            self.keys,
            self.limiter,
            self.faults,
            self.guard,
            self._control,
        )
        for name, create_type in (custom_fields or {}).items():
            self.create_field(name, create_type)
        self.suppress(*suppressed)

    def _control(self, method: str, path: str, body: object) -> tuple[int, object]:
        return control.handle(self, method, path, body)
