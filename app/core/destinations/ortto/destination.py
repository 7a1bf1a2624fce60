"""Ortto as a destination: its words, regions, defaults, payloads and client."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.core.destinations.ortto.client import OrttoClient
from app.core.destinations.ortto.encoding import MAX_PEOPLE
from app.core.destinations.ortto.encoding import request_bodies as merge_bodies
from app.core.destinations.ortto.fields import FIELDS, OrttoFields, created_id, custom_parts
from app.core.errors import UsageError
from app.core.i18n import _, ngettext

if TYPE_CHECKING:
    from app.core.connections.models import Connection
    from app.core.destinations import CustomField, Limits
    from app.core.mapping.contact import Contact
    from app.core.mapping.mapping import Mapping as FieldMap

GLOBAL = "global"
REGIONS: dict[str, str] = {
    GLOBAL: "https://api.ap3api.com/v1",
    "au": "https://api.au.ap3api.com/v1",
    "eu": "https://api.eu.ap3api.com/v1",
}


@dataclass(frozen=True)
class Ortto:
    service: str = "ortto"
    label: str = "Ortto"
    name: str = "Ortto"
    audience_noun: str = "tag"
    # The docs disagree (10 or 30 per second by plan, or 200 per 10 s): the lowest. [doc]
    default_rate_limit: float = 10.0
    max_batch: int = MAX_PEOPLE
    max_removals: int = MAX_PEOPLE  # one merge with unset_tags per 100 people
    regions: Mapping[str, str] = field(default_factory=lambda: dict(REGIONS))
    fields: OrttoFields = FIELDS

    def base_url(self, region: str | None) -> str:
        key = (region or GLOBAL).strip().lower() or GLOBAL
        try:
            return REGIONS[key]
        except KeyError:
            names = ", ".join(REGIONS)
            raise UsageError(
                _(
                    "Unknown Ortto data region {region}: use one of {names} (the region your "
                    "Ortto account was created in)."
                ).format(region=repr(region), names=names)
            ) from None

    def key_help(self) -> str:
        return _(
            "Make a key in Ortto under Data sources > Custom API; it works only against the "
            "data region the account is in (global, au or eu)."
        )

    def open_client(self, connection: Connection, api_key: str, limits: Limits) -> OrttoClient:
        return OrttoClient(
            connection.base_url,
            api_key,
            rate_limit=connection.rate_limit or self.default_rate_limit,
            **limits.options(),  # type: ignore[arg-type]
        )

    def request_bodies(self, contacts: Sequence[Contact], audience: str) -> list[dict[str, object]]:
        """The merge bodies as a run sends them; custom fields go by the id a created field
        gets (a dry run has no account to look them up in)."""
        return merge_bodies(contacts, audience)

    def fields_to_create(self, mapping: FieldMap, known: Sequence[CustomField] | None) -> list[str]:
        """The custom fields of ``mapping`` that ``known`` has under no name or id; none when
        the account's fields were never read (nothing to judge from)."""
        if known is None:
            return []
        names = {f.name.strip().casefold() for f in known}
        ids = {f.field_id.split(":", 1)[-1] for f in known if f.field_id}
        missing: list[str] = []
        for mapped in mapping.fields:
            if not mapped.is_custom:
                continue
            name = custom_parts(mapped.target)[1]
            made = created_id(mapped.target).split(":", 1)[-1]
            if name.strip().casefold() not in names and made not in ids:
                missing.append(name)
        return missing

    def dry_run_audience(self, segment: str) -> str:
        return segment.strip()  # the tag: known without asking Ortto

    def requests_estimate(self, valid_per_segment: Sequence[int]) -> int:
        # One merge per 100 people (more only when 2 MB comes first), one custom-field lookup.
        batches = sum(math.ceil(valid / self.max_batch) for valid in valid_per_segment)
        return batches + 1

    def audience_note(self, audiences: Mapping[str, str | None]) -> str | None:
        tags = list(dict.fromkeys(tag for tag in audiences.values() if tag))
        if not tags:
            return None
        named = ", ".join(f"'{tag}'" for tag in tags)
        return ngettext(
            "In Ortto, create an audience with the filter 'Tags has any of' {tags} to reach the "
            "people sent with the tag (Ortto has no static lists; the tag is on every person "
            "this export sent).",
            "In Ortto, create an audience with the filter 'Tags has any of' {tags} to reach the "
            "people sent with one of the tags (Ortto has no static lists; the tag is on every "
            "person this export sent).",
            len(tags),
        ).format(tags=named)


ORTTO = Ortto()
