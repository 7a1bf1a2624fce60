"""Ortto, the new Autopilot (see ``ortto-api.md`` for the contract)."""

from app.core.destinations.ortto.client import OrttoClient, auth_rejected
from app.core.destinations.ortto.destination import ORTTO, REGIONS, Ortto
from app.core.destinations.ortto.encoding import MAX_BODY_BYTES, MAX_PEOPLE
from app.core.destinations.ortto.fields import FIELDS, OrttoFields

__all__ = [
    "FIELDS",
    "MAX_BODY_BYTES",
    "MAX_PEOPLE",
    "ORTTO",
    "REGIONS",
    "Ortto",
    "OrttoClient",
    "OrttoFields",
    "auth_rejected",
]
