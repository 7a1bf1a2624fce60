"""Autopilot contact fields and one mapping of a source column onto one of them.

A target is written the way the CLI's ``--map`` takes it: a standard field name (``Email``,
``FirstName`` ...), ``custom:<type>:<Name>`` for a custom field, or ``unsubscribed`` for a consent
column. Payload keys and labels are derived from it, so a stored mapping is just text.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from app.core.errors import UsageError

STANDARD_FIELDS: tuple[str, ...] = (
    "Email",
    "FirstName",
    "LastName",
    "Salutation",
    "Company",
    "NumberOfEmployees",
    "Title",
    "Industry",
    "LeadSource",
    "Status",
    "Phone",
    "MobilePhone",
    "Fax",
    "Website",
    "Twitter",
    "LinkedIn",
    "MailingStreet",
    "MailingCity",
    "MailingState",
    "MailingPostalCode",
    "MailingCountry",
    "owner_name",
)
CUSTOM_TYPES: tuple[str, ...] = ("string", "integer", "float", "date", "boolean")
EMAIL_TARGET = "Email"
CONSENT_TARGET = "unsubscribed"
CUSTOM_PREFIX = "custom:"
# The exporter sets _autopilot_list itself; _NewEmail would rename contacts and notify would fire
# the account's REST hooks: neither is something a profile column should drive.
RESERVED_TARGETS: tuple[str, ...] = ("_autopilot_list", "_NewEmail", "notify")

_STANDARD_BY_FOLDED = {name.casefold(): name for name in STANDARD_FIELDS}


@dataclass(frozen=True)
class FieldMapping:
    """One source column sent as one Autopilot contact field."""

    target: str
    column: str

    @classmethod
    def parse(cls, spec: str) -> FieldMapping:
        """Read a CLI ``--map`` spec; the Autopilot side ends at the first ``=``."""
        target, sep, column = spec.partition("=")
        if not sep:
            raise UsageError(
                f"--map {spec!r} has no '=': write it as AUTOPILOT_FIELD=COLUMN, "
                "for example Email=PrimaryEmail"
            )
        column = column.strip()
        if not column:
            raise UsageError(f"--map {spec!r} names no column after '=': add the source column")
        return cls(canonical_target(target.strip()), column)

    @property
    def is_custom(self) -> bool:
        return self.target.startswith(CUSTOM_PREFIX)

    @property
    def custom_type(self) -> str | None:
        if not self.is_custom:
            return None
        return self.target[len(CUSTOM_PREFIX) :].partition(":")[0]

    @property
    def custom_name(self) -> str | None:
        if not self.is_custom:
            return None
        return self.target[len(CUSTOM_PREFIX) :].partition(":")[2]

    @property
    def payload_key(self) -> str:
        """The key in the contact payload (inside ``custom`` for a custom field)."""
        if self.is_custom:
            name = self.custom_name or ""
            return f"{self.custom_type}--{name.replace(' ', '--')}"
        return self.target

    @property
    def label(self) -> str:
        if self.is_custom:
            return f"{self.custom_name} (custom, {self.custom_type})"
        if self.target == CONSENT_TARGET:
            return "unsubscribed (opted out)"
        return self.target

    def target_problem(self) -> str | None:
        """Why this target cannot be sent, in the user's words, or None when it can."""
        try:
            canonical = canonical_target(self.target)
        except UsageError as err:
            return str(err)
        if canonical != self.target:
            return f"Write the Autopilot field {self.target!r} as {canonical!r}"
        return None


def canonical_target(target: str) -> str:
    """The target as stored: standard names in Autopilot's spelling, custom types lower-case.

    Raises UsageError naming what is wrong and what would be right.
    """
    if target.casefold().startswith(CUSTOM_PREFIX):
        return _canonical_custom(target)
    folded = target.casefold()
    if folded in _STANDARD_BY_FOLDED:
        return _STANDARD_BY_FOLDED[folded]
    if folded == CONSENT_TARGET:
        return CONSENT_TARGET
    if folded in {name.casefold() for name in RESERVED_TARGETS}:
        raise UsageError(f"{target!r} cannot be mapped: the exporter decides it; map another field")
    raise UsageError(_unknown_field_message(target))


def _canonical_custom(target: str) -> str:
    custom_type, sep, name = target[len(CUSTOM_PREFIX) :].partition(":")
    custom_type = custom_type.strip().lower()
    name = name.strip()
    if custom_type not in CUSTOM_TYPES:
        raise UsageError(
            f"Unknown custom field type {custom_type!r} in {target!r}: "
            f"use one of {', '.join(CUSTOM_TYPES)}"
        )
    if not sep or not name:
        raise UsageError(
            f"The custom field in {target!r} has no name: write custom:{custom_type}:Name"
        )
    return f"{CUSTOM_PREFIX}{custom_type}:{name}"


def _unknown_field_message(target: str) -> str:
    if not target:
        return "A mapping names no Autopilot field: write AUTOPILOT_FIELD=COLUMN"
    choices = [*STANDARD_FIELDS, CONSENT_TARGET]
    close = difflib.get_close_matches(target.casefold(), [c.casefold() for c in choices], n=1)
    hint = ""
    if close:
        hint = f"did you mean {_STANDARD_BY_FOLDED.get(close[0], close[0])!r}? "
    return (
        f"Unknown Autopilot field {target!r}: {hint}"
        "use a standard field, custom:TYPE:Name or unsubscribed"
    )
