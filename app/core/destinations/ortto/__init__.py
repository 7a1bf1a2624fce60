"""Ortto, the new Autopilot (see ``ortto-api.md`` for the contract)."""

from app.core.destinations.ortto.client import AUTH_REJECTED, OrttoClient
from app.core.destinations.ortto.destination import ORTTO, REGIONS, Ortto
from app.core.destinations.ortto.encoding import MAX_BODY_BYTES, MAX_PEOPLE
from app.core.destinations.ortto.fields import FIELDS, OrttoFields

__all__ = [
    "AUTH_REJECTED",
    "FIELDS",
    "MAX_BODY_BYTES",
    "MAX_PEOPLE",
    "ORTTO",
    "REGIONS",
    "Ortto",
    "OrttoClient",
    "OrttoFields",
]
