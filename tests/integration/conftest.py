"""Fixtures for tests that talk real HTTP to the local Autopilot simulator.

Every simulator and client made here is stopped and closed at teardown, and a test that leaves
a thread running fails.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.core.destinations.autopilot import AutopilotClient
from tests.support.autopilot_sim import AutopilotSimulator

# Looks like a real key so a leak would be found by a plain text search.
SIM_KEY = "apk-4f1c9e27b8d34a6e9c0d5f7a1b2c3d4e"
SIM_SEED = 20240611

SimFactory = Callable[..., AutopilotSimulator]
ClientFactory = Callable[..., AutopilotClient]


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    leftover = []
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=5.0)
        if thread.is_alive():
            leftover.append(thread.name)
    assert not leftover, f"threads still running after the test: {leftover}"


@pytest.fixture
def make_sim() -> Iterator[SimFactory]:
    """Start simulators (fast by default: 200 r/s, burst 50); all stopped at teardown."""
    started: list[AutopilotSimulator] = []

    def make(**kwargs: Any) -> AutopilotSimulator:
        kwargs.setdefault("keys", {SIM_KEY})
        kwargs.setdefault("rate", 200.0)
        kwargs.setdefault("burst", 50)
        kwargs.setdefault("seed", SIM_SEED)
        print(f"simulator seed: {kwargs['seed']}")
        sim = AutopilotSimulator(**kwargs).start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


@pytest.fixture
def sim(make_sim: SimFactory) -> AutopilotSimulator:
    return make_sim()


@pytest.fixture
def make_client(sim: AutopilotSimulator) -> Iterator[ClientFactory]:
    """Clients for ``sim`` with short timeouts and tiny backoffs; all closed at teardown."""
    made: list[AutopilotClient] = []

    def make(**kwargs: Any) -> AutopilotClient:
        base_url = kwargs.pop("base_url", sim.base_url)
        api_key = kwargs.pop("api_key", SIM_KEY)
        kwargs.setdefault("rate_limit", 150.0)
        kwargs.setdefault("read_timeout", 5.0)
        kwargs.setdefault("connect_timeout", 2.0)
        kwargs.setdefault("backoff_base", 0.005)
        kwargs.setdefault("backoff_cap", 0.05)
        kwargs.setdefault("rng", random.Random(SIM_SEED))
        client = AutopilotClient(base_url, api_key, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: ClientFactory) -> AutopilotClient:
    return make_client()


@pytest.fixture
def ortto() -> Iterator[Any]:
    """A fast local Ortto test server with the Loyalty Points field; stopped at teardown."""
    from tests.integration.ortto_world import LOYALTY, ORTTO_KEY
    from tests.support.ortto_sim import OrttoSimulator

    sim = OrttoSimulator(
        keys={ORTTO_KEY}, rate=300.0, burst=60, seed=11, custom_fields={LOYALTY: "integer"}
    )
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()
