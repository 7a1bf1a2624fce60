"""The Autopilot REST client and its typed errors (see ``autopilot-api.md`` for the contract)."""

from app.core.autopilot.answers import NOT_STORED
from app.core.autopilot.bulk import MAX_BATCH
from app.core.autopilot.client import AutopilotClient
from app.core.autopilot.errors import (
    AUTH_REJECTED,
    AuthError,
    AutopilotError,
    NetworkError,
    RateLimitedError,
    RequestError,
    ServerError,
)
from app.core.autopilot.models import AutopilotList, BulkResult, ClientStats, ListResolution
from app.core.autopilot.urls import DEFAULT_BASE_URL, is_loopback_host, validate_base_url

__all__ = [
    "AUTH_REJECTED",
    "DEFAULT_BASE_URL",
    "MAX_BATCH",
    "NOT_STORED",
    "AuthError",
    "AutopilotClient",
    "AutopilotError",
    "AutopilotList",
    "BulkResult",
    "ClientStats",
    "ListResolution",
    "NetworkError",
    "RateLimitedError",
    "RequestError",
    "ServerError",
    "is_loopback_host",
    "validate_base_url",
]
