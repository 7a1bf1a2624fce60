"""Steering both servers share: the rate limit and the fault plan, as Python and as JSON."""

from __future__ import annotations

from typing import Any

from tests.support.simkit.faults import FaultPlan
from tests.support.simkit.limiter import KeyLimiter


class FaultSteering:
    """Mixed into the simulators; every method is thread-safe."""

    limiter: KeyLimiter
    faults: FaultPlan

    def set_rate(self, rate: float | None, burst: int | None = None) -> None:
        self.limiter.configure(rate, burst)

    def fail_next(self, kind: str, count: int = 1, **where: Any) -> None:
        """The next ``count`` requests to ``path`` (a glob; default the bulk upsert) fail so."""
        self.faults.fail_next(kind, count, **where)

    def set_fault_rates(
        self, rates: dict[str, float], *, seed: int | None = None, path: str = "*"
    ) -> None:
        self.faults.set_rates(rates, seed=seed, path=path)

    def clear_faults(self) -> None:
        self.faults.clear()


def apply_faults(sim: FaultSteering, changes: dict[str, Any]) -> None:
    """Take the rate and fault settings out of ``changes`` and apply them."""
    if "rate" in changes or "burst" in changes:
        sim.set_rate(changes.pop("rate", sim.limiter.rate), changes.pop("burst", None))
    if changes.pop("clear_faults", False):
        sim.clear_faults()
    if "fault_rates" in changes:
        seed = changes.pop("fault_seed", None)
        sim.set_fault_rates(
            changes.pop("fault_rates"), seed=seed, path=changes.pop("fault_path", "*")
        )
    for spec in changes.pop("fail_next", []):
        spec = dict(spec)
        sim.fail_next(spec.pop("kind"), int(spec.pop("count", 1)), **spec)
