"""One key check for both faces, and one place that opens a connection's client."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.connections import Connection
from app.core.connections.check import WINDOW_CHECK, CheckLimits, check_key, key_refused
from app.core.connections.client import open_client
from app.core.destinations import Limits
from app.core.destinations.autopilot import AuthError, ServerError, auth_rejected
from app.core.store import utc_now
from tests.integration.conftest import SIM_KEY
from tests.support.autopilot_sim import ERROR_500, AutopilotSimulator


def connection_to(sim: AutopilotSimulator) -> Connection:
    return Connection("Sim", base_url=sim.base_url, rate_limit=40.0, consent_at=utc_now())


def test_a_client_is_opened_for_the_connections_url_and_rate(sim: AutopilotSimulator) -> None:
    client = open_client(connection_to(sim), SIM_KEY, Limits(read_timeout=3.0))
    try:
        assert client.base_url == sim.base_url
        assert client.current_rate == 40.0
    finally:
        client.close()


def test_a_working_key_passes_the_check(sim: AutopilotSimulator) -> None:
    check_key(connection_to(sim), SIM_KEY)
    assert [(r.method, r.path) for r in sim.requests()] == [("GET", "/account")]


def test_a_rejected_key_fails_the_check_at_once(sim: AutopilotSimulator) -> None:
    with pytest.raises(AuthError) as caught:
        check_key(connection_to(sim), "apk-wrong-0000000000", WINDOW_CHECK)
    assert str(caught.value) == key_refused(connection_to(sim))
    assert len(sim.requests()) == 1


def test_a_rejected_key_offers_no_resume_where_nothing_runs(
    sim: AutopilotSimulator, ortto: Any
) -> None:
    """A run's refusal says "... resume the run"; a check (connection add or test) has no run."""
    ortto_connection = Connection(
        "Ortto", base_url=ortto.base_url, consent_at=utc_now(), service="ortto"
    )
    for connection in (connection_to(sim), ortto_connection):
        with pytest.raises(AuthError) as caught:
            check_key(connection, "wrong-key-0000000000", WINDOW_CHECK)
        message = str(caught.value)
        assert "resum" not in message.lower(), message
        assert f"connection '{connection.name}'" in message and "enter it again" in message
        assert "wrong-key" not in message
        assert caught.value.exit_code == 2
    assert "resume" in auth_rejected()  # a run's own words stay as they were


def test_the_limits_decide_how_often_the_check_tries(sim: AutopilotSimulator) -> None:
    sim.fail_next(ERROR_500, count=5, path="/account")
    with pytest.raises(ServerError):
        check_key(connection_to(sim), SIM_KEY, CheckLimits(read_timeout=2.0, max_attempts=2))
    assert len(sim.requests()) == 2


def test_the_command_line_waits_like_any_request_and_the_window_briefly() -> None:
    assert CheckLimits().limits() == Limits(max_attempts=3)  # the client's own timeouts
    assert WINDOW_CHECK.limits() == Limits(connect_timeout=5.0, read_timeout=15.0, max_attempts=2)
