"""The client for a connection: the one place that turns settings and a key into a client.

Runs, the command line's key check and the window's Connect all open their client here; the
connection's destination (app.core.destinations) decides which client that is.
"""

from __future__ import annotations

from app.core.connections.models import Connection
from app.core.destinations import Client, Limits, destination_for


def open_client(connection: Connection, api_key: str, limits: Limits | None = None) -> Client:
    """A client for ``connection``, paced at its rate limit."""
    return destination_for(connection.service).open_client(connection, api_key, limits or Limits())
