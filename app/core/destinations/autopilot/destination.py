"""Autopilot Journeys as a destination: its words, defaults, payloads and client."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.core.destinations.autopilot.client import AutopilotClient
from app.core.destinations.autopilot.encoding import bulk_body
from app.core.destinations.autopilot.fields import FIELDS, AutopilotFields
from app.core.errors import UsageError
from app.core.i18n import _

if TYPE_CHECKING:
    from app.core.connections.models import Connection
    from app.core.destinations import CustomField, Limits
    from app.core.mapping.contact import Contact
    from app.core.mapping.mapping import Mapping as FieldMap

BASE_URL = "https://api2.autopilothq.com/v1"
MAX_BATCH = 100  # the bulk upsert takes at most 100 contacts per request


@dataclass(frozen=True)
class AutopilotJourneys:
    service: str = "autopilot"
    label: str = "Autopilot Journeys"
    name: str = "Autopilot"
    audience_noun: str = "list"
    default_rate_limit: float = 5.0  # the only published limit
    max_batch: int = MAX_BATCH
    # One DELETE per person and list: each is its own checkpoint.
    max_removals: int = 1
    regions: Mapping[str, str] = field(default_factory=lambda: {"": BASE_URL})
    fields: AutopilotFields = FIELDS

    def base_url(self, region: str | None) -> str:
        if region:
            raise UsageError(
                _(
                    "Autopilot Journeys has no data regions; leave the region out "
                    "(--region is for Ortto connections)."
                )
            )
        return BASE_URL

    def key_help(self) -> str:
        return _(
            "Make the key in Autopilot Journeys under Settings > Autopilot API "
            "(the classic API, api2.autopilothq.com)."
        )

    def open_client(self, connection: Connection, api_key: str, limits: Limits) -> AutopilotClient:
        return AutopilotClient(
            connection.base_url,
            api_key,
            rate_limit=connection.rate_limit,
            **limits.options(),  # type: ignore[arg-type]
        )

    def request_bodies(self, contacts: Sequence[Contact], audience: str) -> list[dict[str, object]]:
        return [bulk_body(contacts, audience)] if contacts else []

    def fields_to_create(self, mapping: FieldMap, known: Sequence[CustomField] | None) -> list[str]:
        return []  # Autopilot adds a custom field when a contact first carries it

    def dry_run_audience(self, segment: str) -> str:
        return f"list:{segment}"  # the list id is Autopilot's to give

    def requests_estimate(self, valid_per_segment: Sequence[int]) -> int:
        # One list lookup, maybe a create, per segment; one request per batch; one count per list.
        batches = sum(math.ceil(valid / self.max_batch) for valid in valid_per_segment)
        return batches + 3 * len(valid_per_segment)

    def audience_note(self, audiences: Mapping[str, str | None]) -> str | None:
        return None


AUTOPILOT = AutopilotJourneys()
