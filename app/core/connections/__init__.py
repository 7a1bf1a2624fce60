"""Connections to a destination and the privacy notice the user agrees to.

Settings only: the API keys are in ``app.core.connections.keys``, which the faces import
themselves, so that reading a connection never loads the secret store.
"""

from app.core.connections.models import (
    DEFAULT_PROFILE_CAP,
    DEFAULT_SERVICE,
    PRIVACY_NOTICE,
    PRIVACY_NOTICE_VERSION,
    Connection,
)
from app.core.connections.store import ConnectionStore, Saving, validate_settings

__all__ = [
    "DEFAULT_PROFILE_CAP",
    "DEFAULT_SERVICE",
    "PRIVACY_NOTICE",
    "PRIVACY_NOTICE_VERSION",
    "Connection",
    "ConnectionStore",
    "Saving",
    "validate_settings",
]
