"""Autopilot connections and the privacy notice the user agrees to."""

from app.core.connections.models import (
    DEFAULT_BASE_URL,
    DEFAULT_PROFILE_CAP,
    DEFAULT_RATE_LIMIT,
    PRIVACY_NOTICE,
    PRIVACY_NOTICE_VERSION,
    Connection,
)
from app.core.connections.service import ConnectionService, validate_settings

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_PROFILE_CAP",
    "DEFAULT_RATE_LIMIT",
    "PRIVACY_NOTICE",
    "PRIVACY_NOTICE_VERSION",
    "Connection",
    "ConnectionService",
    "validate_settings",
]
