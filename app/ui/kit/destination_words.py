"""How the window names a destination, its data regions and its audiences.

The destination's own words (``label``, ``name``, ``audience_noun``) come from the core; this
only adds how the window's choice puts them, so a marketer who knows "Autopilot" finds Ortto.
A destination without an entry here is shown by its label.
"""

from __future__ import annotations

from app.core.connections.models import DEFAULT_SERVICE
from app.core.destinations import Destination, FieldVocabulary, destination_for
from app.core.errors import UsageError
from app.core.i18n import N_, _
from app.core.mapping import CONSENT_TARGET, FieldMapping

# What the connection form's choice says of each service (keys of app.core.destinations).
_CHOICES = {
    "autopilot": N_("Autopilot Journeys (classic)"),
    "ortto": N_("Ortto (the new Autopilot)"),
}
# Data regions by their code in Destination.regions.
_REGIONS = {
    "global": N_("Global"),
    "au": N_("Australia"),
    "eu": N_("Europe"),
    "us": N_("United States"),
}


def for_service(service: object) -> Destination:
    """The destination of a run or a stored connection; one this version does not know (data
    written by a newer one) is named as the default, rather than failing to show it."""
    try:
        return destination_for(str(service or DEFAULT_SERVICE))
    except UsageError:
        return destination_for(DEFAULT_SERVICE)


def choice(destination: Destination) -> str:
    """The destination as the connection form offers it."""
    words = _CHOICES.get(destination.service)
    return _(words) if words else destination.label


def region(code: str) -> str:
    words = _REGIONS.get(code)
    return _(words) if words else code.upper()


def has_regions(destination: Destination) -> bool:
    return any(destination.regions)


def service_text(destination: Destination, region_code: str | None) -> str:
    """A connection's destination in a few words: ``Autopilot Journeys``, ``Ortto (Europe)``."""
    if region_code and has_regions(destination):
        return _("{label} ({region})").format(label=destination.label, region=region(region_code))
    return destination.label


def by_audience(destination: Destination, *, lists: str, tags: str) -> str:
    """The text for the destination's kind of audience. A sentence about lists and one about
    tags are each written whole, never one sentence with the noun put in: another language may
    need other words around it (gender, definite forms)."""
    return tags if destination.audience_noun == "tag" else lists


def audiences_in(destination: Destination) -> str:
    """``Lists in Autopilot:`` | ``Tags in Ortto:``."""
    return by_audience(destination, lists=_("Lists in {name}:"), tags=_("Tags in {name}:")).format(
        name=destination.name
    )


def field_label(target: str, vocabulary: FieldVocabulary) -> str:
    """How the destination names a mapped field (rows, menus, previews, history)."""
    field = FieldMapping(target, "")
    if field.is_custom or target == CONSENT_TARGET:
        return field.label
    try:
        return vocabulary.label(target)
    except UsageError:  # not one of this destination's fields: the mapping's check says so
        return target
