"""Checking a key: one live call that proves the connection's destination accepts it."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.connections.client import open_client
from app.core.connections.models import Connection
from app.core.destinations import Limits, destination_for
from app.core.destinations.errors import AuthError
from app.core.i18n import _


@dataclass(frozen=True)
class CheckLimits:
    """How long a check may take; a timeout left as None is the client's own."""

    connect_timeout: float | None = None
    read_timeout: float | None = None
    max_attempts: int = 3

    def limits(self) -> Limits:
        return Limits(self.connect_timeout, self.read_timeout, self.max_attempts)


# The window's check is short on purpose (a few seconds to connect, a short wait for the answer,
# two attempts): the user is waiting for it. The command line waits as long as any request.
WINDOW_CHECK = CheckLimits(connect_timeout=5.0, read_timeout=15.0, max_attempts=2)


def check_key(connection: Connection, api_key: str, limits: CheckLimits = CheckLimits()) -> None:
    """Raises the client's AuthError, NetworkError, ... when the key does not work."""
    client = open_client(connection, api_key, limits.limits())
    try:
        client.check_key()
    except AuthError as exc:
        # The client's own words are for a run ("... and resume"); a check has nothing to resume.
        raise AuthError(key_refused(connection), status=exc.status, detail=exc.detail) from None
    finally:
        client.close()


def key_refused(connection: Connection) -> str:
    """What a check says when the destination refuses the key."""
    destination = destination_for(connection.service)
    return _(
        "{name} rejected the API key of connection '{connection}'; copy the whole current key "
        "and enter it again. {key_help}"
    ).format(name=destination.name, connection=connection.name, key_help=destination.key_help())
