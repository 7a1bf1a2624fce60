"""Ortto's person fields: the standard ones offered, custom-field types and ids, and how mapping
targets are written (``ortto-api.md``, Fields).

A target is ``Email``, ``FirstName`` or ``LastName`` (Ortto's ``str::email``, ``str::first``,
``str::last``), another built-in field by its Ortto id (``geo::city``), ``custom:<type>:<Name>``
for one of the account's custom fields, or ``unsubscribed`` for a consent column, which becomes
the email permission ``bol::p: false`` for people who opted out.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence

from app.core.errors import UsageError
from app.core.i18n import N_, _
from app.core.mapping.fields import CONSENT_TARGET, CUSTOM_PREFIX, EMAIL_TARGET, canonical_custom

EMAIL_ID = "str::email"
PERMISSION_ID = "bol::p"  # email permission: only ever sent as false, by the exporter itself

# Mapping target -> Ortto field id, for the built-ins this program can encode with evidence.
# phn::phone ({"c", "n"} [?]) and dtz::b (birthday) are left out: a profile's phone text cannot
# be split into country code and number safely, and a standard field's value is unconverted text.
FIELD_IDS: dict[str, str] = {
    EMAIL_TARGET: EMAIL_ID,
    "FirstName": "str::first",
    "LastName": "str::last",
    "geo::city": "geo::city",
    "geo::region": "geo::region",
    "geo::country": "geo::country",
    "geo::postal": "geo::postal",
    "str::ei": "str::ei",
}
STANDARD_FIELDS: tuple[str, ...] = tuple(FIELD_IDS)

# How the window and messages name them (marked here, translated where shown: ``label``).
LABELS: dict[str, str] = {
    "geo::city": N_("City (geo::city)"),
    "geo::region": N_("Region (geo::region)"),
    "geo::country": N_("Country (geo::country)"),
    "geo::postal": N_("Postal code (geo::postal)"),
    "str::ei": N_("External id (str::ei)"),
}

# Built-ins that exist in Ortto but cannot be mapped here: the whole message, {field} the id.
RESERVED: dict[str, str] = {
    PERMISSION_ID: N_(
        "{field} cannot be mapped: the program sends the email permission itself, and only as "
        "false for people who opted out. Map an opt-out column to unsubscribed instead."
    ),
    "bol::sp": N_("{field} cannot be mapped: this program never changes the SMS permission."),
    "phn::phone": N_(
        "{field} cannot be mapped: this program does not send phone numbers to Ortto yet (Ortto "
        "wants them split into country code and number). Map the column to a custom:string "
        "field instead."
    ),
    "dtz::b": N_(
        "{field} cannot be mapped: this program does not send the birthday yet. Map the column "
        "to a custom:date field instead."
    ),
}

# The mapping's custom types -> (custom-field/create type, id prefix) (``ortto-api.md``).
CUSTOM_TYPES: dict[str, tuple[str, str]] = {
    "string": ("text", "str"),
    "integer": ("integer", "int"),
    "float": ("decimal", "dec"),
    "boolean": ("bool", "bol"),
    "date": ("date", "dtz"),
}
# Id prefixes of existing account fields a custom target of each type may write to.
ACCEPTED_PREFIXES: dict[str, frozenset[str]] = {
    "string": frozenset({"str", "txt"}),  # txt: long text, same values up to 4,000 characters
    "integer": frozenset({"int"}),
    "float": frozenset({"dec"}),
    "boolean": frozenset({"bol"}),
    "date": frozenset({"dtz"}),
}
# An account field's id prefix -> the mapping's type, for the window's list of fields.
MAPPING_TYPES: dict[str, str] = {
    "str": "string",
    "txt": "string",
    "int": "integer",
    "dec": "float",
    "bol": "boolean",
    "dtz": "date",
}

# Other column names a standard field is suggested for; its own name always matches too.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "FirstName": ("first", "fname", "fornavn", "givenname", "forename", "förnamn", "fornamn"),
    "LastName": ("last", "lname", "surname", "etternavn", "familyname", "efternamn", "efternavn"),
    "geo::city": ("city", "address1city", "mailingcity", "poststed", "town", "ort", "by"),
    "geo::region": ("region", "state", "address1stateorprovince", "mailingstate", "fylke"),
    "geo::country": ("country", "address1country", "mailingcountry", "land"),
    "geo::postal": (
        "postalcode",
        "zip",
        "zipcode",
        "address1postalcode",
        "mailingpostalcode",
        "postnummer",
    ),
    "str::ei": ("externalid", "customerid", "kundenummer"),
}

# Autopilot Journeys names a user may bring along, with their Ortto counterparts.
_JOURNEYS_NAMES: dict[str, str] = {
    "mailingcity": "geo::city",
    "mailingstate": "geo::region",
    "mailingcountry": "geo::country",
    "mailingpostalcode": "geo::postal",
}

_BY_FOLDED: dict[str, str] = {
    **{target.casefold(): target for target in FIELD_IDS},
    **{field_id: target for target, field_id in FIELD_IDS.items()},
}
_NOT_KEBAB = re.compile(r"[^a-z0-9]+")


class OrttoFields:
    """The :class:`~app.core.destinations.FieldVocabulary` of Ortto."""

    def standard_fields(self) -> Sequence[str]:
        return STANDARD_FIELDS[1:]

    def synonyms(self) -> Mapping[str, tuple[str, ...]]:
        return SYNONYMS

    def canonical(self, target: str) -> str:
        """The target as stored (``firstname`` and ``str::first`` -> ``FirstName``, ``GEO::City``
        -> ``geo::city``); UsageError naming what is wrong and what would be right."""
        text = target.strip()
        folded = text.casefold()
        if folded.startswith(CUSTOM_PREFIX):
            return canonical_custom(text)
        if folded in _BY_FOLDED:
            return _BY_FOLDED[folded]
        if folded == CONSENT_TARGET:
            return CONSENT_TARGET
        if folded in RESERVED:
            raise UsageError(_(RESERVED[folded]).format(field=repr(text)))
        raise UsageError(_unknown_field_message(text))

    def label(self, target: str) -> str:
        return _(LABELS[target]) if target in LABELS else target


FIELDS = OrttoFields()


def field_id(target: str) -> str | None:
    """The Ortto id of a standard target (``FirstName`` -> ``str::first``), else None."""
    return FIELD_IDS.get(target)


def custom_parts(target: str) -> tuple[str, str]:
    """``custom:integer:Loyalty Points`` -> ``("integer", "Loyalty Points")``."""
    kind, _, name = target[len(CUSTOM_PREFIX) :].partition(":")
    return kind, name


def kebab(name: str) -> str:
    """``Loyalty Points`` -> ``loyalty-points``: how Ortto names a created field's id.

    [rec: custom-field/create answers ``int:cm:loyalty-points`` for ``Loyalty points``; how it
    treats characters outside a-z and 0-9 is unknown, so they become ``-`` here.]
    """
    return _NOT_KEBAB.sub("-", name.strip().lower()).strip("-")


def created_id(target: str) -> str:
    """The id a custom field for ``target`` gets when this program creates it."""
    kind, name = custom_parts(target)
    return f"{CUSTOM_TYPES[kind][1]}:cm:{kebab(name)}"


def _unknown_field_message(target: str) -> str:
    if not target:
        return _("A mapping names no Ortto field: write ORTTO_FIELD=COLUMN.")
    folded = target.casefold()
    offered = ", ".join(STANDARD_FIELDS)
    if folded in _JOURNEYS_NAMES:
        return _(
            "Unknown Ortto field {target}: Ortto calls it {ortto_name}. Use one of {offered}, "
            "custom:TYPE:Name or unsubscribed."
        ).format(target=repr(target), ortto_name=repr(_JOURNEYS_NAMES[folded]), offered=offered)
    close = difflib.get_close_matches(folded, [t.casefold() for t in STANDARD_FIELDS], n=1)
    if close:
        return _(
            "Unknown Ortto field {target}: did you mean {suggestion}? Use one of {offered}, "
            "custom:TYPE:Name or unsubscribed."
        ).format(target=repr(target), suggestion=repr(_BY_FOLDED[close[0]]), offered=offered)
    return _(
        "Unknown Ortto field {target}: use one of {offered}, custom:TYPE:Name or unsubscribed."
    ).format(target=repr(target), offered=offered)
