"""Autopilot Journeys, the classic API (see ``autopilot-api.md`` for the contract)."""

from app.core.destinations.autopilot.answers import NOT_STORED
from app.core.destinations.autopilot.bulk import MAX_BATCH
from app.core.destinations.autopilot.client import AutopilotClient, auth_rejected
from app.core.destinations.autopilot.models import AutopilotList, ListResolution
from app.core.destinations.errors import (
    AuthError,
    DestinationError,
    NetworkError,
    RateLimitedError,
    RequestError,
    ServerError,
)
from app.core.destinations.models import BulkResult, ClientStats

DEFAULT_BASE_URL = "https://api2.autopilothq.com/v1"

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_BATCH",
    "NOT_STORED",
    "AuthError",
    "AutopilotClient",
    "AutopilotList",
    "BulkResult",
    "ClientStats",
    "DestinationError",
    "ListResolution",
    "NetworkError",
    "RateLimitedError",
    "RequestError",
    "ServerError",
    "auth_rejected",
]
