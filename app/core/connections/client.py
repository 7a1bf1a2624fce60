"""The client for a connection: the one place that turns settings and a key into a client.

Runs, the command line's key check and the window's Connect all open their client here, so a
connection to another destination is one more branch here and nowhere else.
"""

from __future__ import annotations

from typing import TypedDict, Unpack

from app.core.connections.models import Connection
from app.core.destinations.autopilot import AutopilotClient


class Limits(TypedDict, total=False):
    """How long a request may wait and how often it is tried; left out: the client's own."""

    connect_timeout: float
    read_timeout: float
    max_attempts: int


def open_client(connection: Connection, api_key: str, **limits: Unpack[Limits]) -> AutopilotClient:
    """A client for ``connection``, paced at its rate limit."""
    return AutopilotClient(connection.base_url, api_key, rate_limit=connection.rate_limit, **limits)
