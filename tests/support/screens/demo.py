"""A filled-in workspace for the screenshots: sample profiles, connections, exports, runs.

There are two connections, one to Autopilot Journeys and one to Ortto. Nothing here talks to
either: runs go to :class:`DemoClient`, which answers like the connection's service would (and
refuses a few contacts, so the History shows rejections).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from datetime import timedelta

from app.context import AppContext, build_context
from app.core.cancel import CancelToken
from app.core.connections import Connection
from app.core.destinations import Audience, CustomField, Destination, destination_for
from app.core.destinations.autopilot.fields import FIELDS
from app.core.destinations.models import BulkResult, ClientStats
from app.core.export import Export
from app.core.history import Run
from app.core.mapping import Contact, FieldMapping, auto_match
from app.core.mapping import Mapping as FieldMap
from app.core.secrets import KeyringStatus, SecretStore
from app.core.store import utc_now
from app.ui.segments.sample_data import SAMPLE_SOURCE, sample_file, sample_segments

CONNECTION = "Autopilot (marketing)"
ORTTO_CONNECTION = "Ortto (newsletter)"
ORTTO_REGION = "eu"
EXPORT = "Newsletter Norway, November"
LOYAL_EXPORT = "Loyal customers"
ORTTO_EXPORT = "Welcome offer (Ortto)"
PACE_S = 0.2
# The Ortto account's custom fields, as Connect would have read them.
ORTTO_FIELDS = (
    CustomField("Job Title", "string", "str:cm:job-title"),
    CustomField("Last purchase", "date", "dtz:cm:last-purchase"),
)


class DemoSecretStore:
    """Looks like the desktop keyring; keeps keys in memory."""

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}
        self.status = KeyringStatus(
            True,
            "keyring.backends.SecretService.Keyring",
            "your desktop's keyring (Secret Service)",
            True,
            True,
        )

    def get(self, connection: str) -> str | None:
        return self._keys.get(connection.casefold())

    def set(self, connection: str, api_key: str) -> None:
        self._keys[connection.casefold()] = api_key

    def delete(self, connection: str) -> None:
        self._keys.pop(connection.casefold(), None)


class DemoClient:
    """Confirms every contact except those whose address starts with one of ``refuse``.

    Each call takes as long as Autopilot's rate limit allows (5 a second), so the history shows
    believable durations. Segments become what the destination makes of them: Autopilot list
    ids, or Ortto tags named after the segment.
    """

    def __init__(self, refuse: Sequence[str] = (), destination: Destination | None = None) -> None:
        self._refuse = tuple(refuse)
        self._ids = itertools.count(1)
        self._lists: dict[str, int] = {}
        self._destination = destination or destination_for("autopilot")

    def check_key(self) -> object:
        return {}

    @property
    def stats(self) -> ClientStats:
        return ClientStats()

    def custom_fields(self, *, cancel: CancelToken | None = None) -> list[CustomField]:
        return list(ORTTO_FIELDS) if self._destination.audience_noun == "tag" else []

    def prepare(self, mapping: FieldMap, *, create_fields: bool, cancel: CancelToken) -> list[str]:
        return []

    def resolve_audience(self, segment: str, *, cancel: CancelToken) -> Audience:
        time.sleep(PACE_S)
        if self._destination.audience_noun == "tag":
            return Audience(segment)
        return Audience(f"contactlist_{abs(hash(segment)) % 10**8:08d}")

    def send(
        self, contacts: Sequence[Contact], audience: str, *, cancel: CancelToken
    ) -> BulkResult:
        time.sleep(PACE_S)
        confirmed, rejected = {}, {}
        for contact in contacts:
            email = contact.email_key
            if email.startswith(self._refuse):
                rejected[email] = f"{self._destination.name} refused the address (blocked domain)"
            else:
                confirmed[email] = f"person_{next(self._ids):06d}"
            self._lists[audience] = self._lists.get(audience, 0) + 1
        return BulkResult(confirmed, rejected, 1)

    def remove_from_audience(
        self, audience: str, email_keys: Sequence[str], *, cancel: CancelToken
    ) -> BulkResult:
        time.sleep(PACE_S)
        return BulkResult(dict.fromkeys(email_keys, ""), {}, len(email_keys))

    def verify_audience(
        self, segment: str, audience: str, confirmed: int, *, cancel: CancelToken
    ) -> str | None:
        time.sleep(PACE_S)
        return None

    def close(self) -> None:
        pass


def demo_context(secret_store: SecretStore | None = None) -> AppContext:
    """A context whose runs go to :class:`DemoClient`, and whose keys stay in memory unless
    ``secret_store`` says otherwise."""
    return build_context(
        secret_store=secret_store or DemoSecretStore(),
        client_factory=lambda connection, key: DemoClient(
            ("emma", "oskar"), destination_for(connection.service)
        ),
    )


def seed(context: AppContext) -> None:
    """Everything the tabs show in the screenshots, through the same core the window uses."""
    context.keys.save(
        Connection(CONNECTION, consent_at=utc_now() - timedelta(days=3)), "demo-api-key"
    )
    ortto = Connection(
        ORTTO_CONNECTION,
        consent_at=utc_now() - timedelta(days=1),
        service="ortto",
        region=ORTTO_REGION,
    )
    context.keys.save(ortto, "demo-ortto-key")
    context.connections.cache_fields(ORTTO_CONNECTION, ORTTO_FIELDS)
    context.profiles.import_file(sample_file(), SAMPLE_SOURCE)
    for segment in sample_segments():
        context.segments.add(segment)
    source = context.profiles.get_source(SAMPLE_SOURCE)
    segment = context.segments.get(sample_segments()[0].name)
    _, members = context.segments.preview(segment, limit=50)
    suggested = auto_match(source.columns, [m.values for m in members], vocabulary=FIELDS)
    mapping = FieldMap(
        (*suggested.fields, FieldMapping("custom:integer:Loyalty Points", "LoyaltyPoints"))
    )
    context.exports.save(Export(EXPORT, CONNECTION, (segment.name,), mapping))
    loyal = Export(LOYAL_EXPORT, CONNECTION, (sample_segments()[1].name,), suggested)
    context.exports.save(loyal)
    _runs(context, loyal)
    _ortto(context, source.columns, [m.values for m in members], segment.name)


def _ortto(
    context: AppContext, columns: Sequence[str], rows: list[dict[str, str]], segment: str
) -> Run:
    """An Ortto export mapping a field the account has and one it would have to create (the
    user said yes), and its run, so History shows tags."""
    vocabulary = destination_for("ortto").fields
    suggested = auto_match(columns, rows, vocabulary=vocabulary)
    mapping = FieldMap(
        (
            *suggested.fields,
            FieldMapping("custom:date:Last purchase", "LastPurchase"),
            FieldMapping("custom:integer:Loyalty Points", "LoyaltyPoints"),
        )
    )
    export = Export(ORTTO_EXPORT, ORTTO_CONNECTION, (segment,), mapping, create_fields=True)
    context.exports.save(export)
    runner = context.runner
    return runner.run(runner.plan(export), "demo-ortto-key")


def _runs(context: AppContext, loyal: Export) -> list[Run]:
    runner = context.runner
    return [
        runner.dry_run(runner.plan(EXPORT)),
        runner.run(runner.plan(loyal), "demo-api-key"),
        runner.run(runner.plan(EXPORT), "demo-api-key"),
    ]
