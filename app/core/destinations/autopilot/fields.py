"""Autopilot Journeys' contact fields: the standard names, and how mapping targets are written.

A target is written the way the CLI's ``--map`` takes it: a standard field name (``Email``,
``FirstName`` ...), ``custom:<type>:<Name>`` for a custom field, or ``unsubscribed`` for a consent
column (``autopilot-api.md``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

from app.core.errors import UsageError
from app.core.i18n import _
from app.core.mapping.fields import CONSENT_TARGET, CUSTOM_PREFIX, canonical_custom

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
# The exporter sets _autopilot_list itself; _NewEmail would rename contacts and notify would fire
# the account's REST hooks: neither is something a profile column should drive.
RESERVED_TARGETS: tuple[str, ...] = ("_autopilot_list", "_NewEmail", "notify")

# Alternative names seen in Norwegian/Nordic and English exports and in Customer Insights'
# unified profile (Address1_City ...); a standard field's own name always matches too.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "FirstName": ("first", "fname", "fornavn", "givenname", "forename", "förnamn", "fornamn"),
    "LastName": ("last", "lname", "surname", "etternavn", "familyname", "efternamn", "efternavn"),
    "Company": ("companyname", "firma", "bedrift", "organisation", "organization", "accountname"),
    "Title": ("jobtitle", "tittel", "stilling"),
    "Phone": ("telephone", "telephone1", "telefon", "phonenumber", "telefonnummer", "tlf"),
    "MobilePhone": ("mobile", "mobil", "mobilnummer", "cellphone", "mobiltelefon"),
    "Website": ("websiteurl", "webside", "nettside", "hjemmeside"),
    "MailingStreet": ("street", "address", "address1line1", "adresse", "gateadresse"),
    "MailingCity": ("city", "address1city", "poststed", "town"),
    "MailingState": ("state", "address1stateorprovince", "fylke", "region"),
    "MailingPostalCode": ("postalcode", "zip", "zipcode", "address1postalcode", "postnummer"),
    "MailingCountry": ("country", "address1country", "land"),
    "Salutation": ("tiltale",),
    "Industry": ("bransje",),
}

_STANDARD_BY_FOLDED = {name.casefold(): name for name in STANDARD_FIELDS}


class AutopilotFields:
    """The :class:`~app.core.destinations.FieldVocabulary` of Autopilot Journeys."""

    def standard_fields(self) -> Sequence[str]:
        return STANDARD_FIELDS[1:]

    def synonyms(self) -> Mapping[str, tuple[str, ...]]:
        return SYNONYMS

    def canonical(self, target: str) -> str:
        """The target as stored: standard names in Autopilot's spelling, custom types lower-case.

        Raises UsageError naming what is wrong and what would be right.
        """
        if target.casefold().startswith(CUSTOM_PREFIX):
            return canonical_custom(target)
        folded = target.casefold()
        if folded in _STANDARD_BY_FOLDED:
            return _STANDARD_BY_FOLDED[folded]
        if folded == CONSENT_TARGET:
            return CONSENT_TARGET
        if folded in {name.casefold() for name in RESERVED_TARGETS}:
            raise UsageError(
                _(
                    "{target} cannot be mapped: the program sets it itself; map another field."
                ).format(target=repr(target))
            )
        raise UsageError(_unknown_field_message(target))

    def label(self, target: str) -> str:
        return target


FIELDS = AutopilotFields()


def _unknown_field_message(target: str) -> str:
    if not target:
        return _("A mapping names no Autopilot field: write AUTOPILOT_FIELD=COLUMN.")
    choices = [*STANDARD_FIELDS, CONSENT_TARGET]
    close = difflib.get_close_matches(target.casefold(), [c.casefold() for c in choices], n=1)
    if close:
        return _(
            "Unknown Autopilot field {target}: did you mean {suggestion}? Use a standard field, "
            "custom:TYPE:Name or unsubscribed."
        ).format(target=repr(target), suggestion=repr(_STANDARD_BY_FOLDED.get(close[0], close[0])))
    return _(
        "Unknown Autopilot field {target}: use a standard field, custom:TYPE:Name or unsubscribed."
    ).format(target=repr(target))
