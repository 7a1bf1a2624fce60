"""Mapping profile columns onto contact fields, and building neutral contacts.

Pure rules, no I/O: the export engine compiles a Mapping into a ContactBuilder once per run and
feeds it rows; the GUI and the CLI build, validate and store Mappings.
"""

from app.core.mapping.automatch import auto_match
from app.core.mapping.contact import Contact, ContactBuilder, InvalidRow, build_contact
from app.core.mapping.emails import EmailChecker, email_key
from app.core.mapping.fields import (
    CONSENT_TARGET,
    CUSTOM_TYPES,
    EMAIL_TARGET,
    FieldMapping,
)
from app.core.mapping.mapping import Mapping

__all__ = [
    "CONSENT_TARGET",
    "CUSTOM_TYPES",
    "EMAIL_TARGET",
    "Contact",
    "ContactBuilder",
    "EmailChecker",
    "FieldMapping",
    "InvalidRow",
    "Mapping",
    "auto_match",
    "build_contact",
    "email_key",
]
