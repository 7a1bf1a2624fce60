"""Where exports go: one protocol, and one package per service behind it.

A **destination** is a service an export can send to: Autopilot Journeys (the classic API,
``autopilot/``) or Ortto (the new Autopilot, ``ortto/``). Everything that differs between them
sits in the destination's own package: its client, its field vocabulary (standard fields,
custom-field naming, value encoding), how a segment becomes an *audience* (a list or a tag),
how a per-contact answer becomes sent or rejected, its rate defaults and its words. The plan,
the engine, the dry run, the history and both faces talk only to the protocols below, and find
the destination of a connection with :func:`destination_for`. A third destination is one more
package and one more line in ``_REGISTRY``.

The shared HTTP machinery (transport, pacing, retries, failure messages) is ``http/``; the
errors every face catches are ``errors.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from app.core.errors import UsageError
from app.core.i18n import _

if TYPE_CHECKING:
    from app.core.cancel import CancelToken
    from app.core.connections.models import Connection
    from app.core.destinations.models import BulkResult, ClientStats
    from app.core.mapping.contact import Contact
    from app.core.mapping.mapping import Mapping as FieldMap


@dataclass(frozen=True)
class Audience:
    """Where one segment's people go: a list id (Autopilot Journeys) or a tag (Ortto)."""

    key: str  # what the engine records in the run's ``lists`` and hands back to ``send``
    warning: str | None = None  # e.g. several lists share the title


@dataclass(frozen=True)
class CustomField:
    """A custom field the account has: its name as the user sees it, and its type in the
    mapping's words (``string integer float boolean date``), or the destination's own when it
    has no such word."""

    name: str
    type: str
    field_id: str = ""  # the destination's id for it, where it has one


@dataclass(frozen=True)
class Limits:
    """How long a request may wait, how often it is tried and how long the pauses between
    tries are; None: the client's own."""

    connect_timeout: float | None = None
    read_timeout: float | None = None
    max_attempts: int | None = None
    backoff_base: float | None = None
    backoff_cap: float | None = None

    def options(self) -> dict[str, float]:
        """The limits that are set, as keyword arguments for a client."""
        return {name: value for name, value in vars(self).items() if value is not None}


class FieldVocabulary(Protocol):
    """The contact fields a destination offers, and how mapping targets are written."""

    def standard_fields(self) -> Sequence[str]:
        """Targets offered besides Email, consent and custom fields, in the order to show."""
        ...

    def synonyms(self) -> Mapping[str, tuple[str, ...]]:
        """Other column names a standard field is suggested for (``fornavn`` -> FirstName)."""
        ...

    def canonical(self, target: str) -> str:
        """The target as stored (e.g. ``firstname`` -> ``FirstName``); UsageError naming what
        is wrong and what would be right."""
        ...

    def label(self, target: str) -> str:
        """How the window and messages name the target."""
        ...


class Client(Protocol):
    """What a run, a key check and the window's Connect need of a destination's client.

    Thread-safe: the engine calls ``send`` from a few threads at once. Every call that makes
    requests takes the run's cancel token and raises ``Cancelled`` when it is set.
    """

    def check_key(self) -> object:
        """One cheap read that needs a valid key; typed errors (app/core/destinations/errors)."""
        ...

    def custom_fields(self, *, cancel: CancelToken | None = None) -> list[CustomField]:
        """The account's custom fields, for the window's mapping tab (empty where the
        destination creates them on first use)."""
        ...

    def prepare(self, mapping: FieldMap, *, create_fields: bool, cancel: CancelToken) -> list[str]:
        """Everything the destination needs before the first contact (e.g. custom fields that
        must exist); returns warnings. UsageError when the run cannot go ahead as configured."""
        ...

    def resolve_audience(self, segment: str, *, cancel: CancelToken) -> Audience:
        """The audience of a segment, found or created (once)."""
        ...

    def send(
        self, contacts: Sequence[Contact], audience: str, *, cancel: CancelToken
    ) -> BulkResult:
        """Upsert at most ``max_batch`` contacts into the audience; every email of the batch
        ends confirmed or rejected (with the destination's reason) in the result."""
        ...

    def remove_from_audience(
        self, audience: str, email_keys: Sequence[str], *, cancel: CancelToken
    ) -> BulkResult:
        """Take at most ``max_removals`` people (by email key) out of the audience, and nothing
        else: never delete a contact, never touch its fields or subscription. Confirmed: no
        longer in the audience (also when they were not in it, or are unknown); rejected: could
        not be taken out, with the destination's reason."""
        ...

    def verify_audience(
        self, segment: str, audience: str, confirmed: int, *, cancel: CancelToken
    ) -> str | None:
        """A warning when the audience holds fewer people than were confirmed, else None."""
        ...

    @property
    def stats(self) -> ClientStats:
        """Counters of the attempts made so far (the run watches them for a failing
        destination, see app/core/export/health.py)."""
        ...

    def close(self) -> None: ...


class Destination(Protocol):
    """A service exports can go to; a stateless description and the factory of its client."""

    @property
    def service(self) -> str:
        """``autopilot`` | ``ortto``: stored with the connection, printed by the CLI."""
        ...

    @property
    def label(self) -> str:
        """``Autopilot Journeys`` | ``Ortto``: the window's choice."""
        ...

    @property
    def name(self) -> str:
        """``Autopilot`` | ``Ortto``: how messages name the service."""
        ...

    @property
    def audience_noun(self) -> str:
        """``list`` | ``tag``."""
        ...

    @property
    def default_rate_limit(self) -> float:
        """Requests per second when the connection does not say."""
        ...

    @property
    def max_batch(self) -> int:
        """Contacts per request at most."""
        ...

    @property
    def max_removals(self) -> int:
        """People per ``remove_from_audience`` call at most: the engine checkpoints each call."""
        ...

    @property
    def regions(self) -> Mapping[str, str]:
        """Data region -> base URL; one entry ``""`` when there are none."""
        ...

    @property
    def fields(self) -> FieldVocabulary: ...

    def base_url(self, region: str | None) -> str:
        """The API's base URL for a region; UsageError naming the regions for an unknown one."""
        ...

    def key_help(self) -> str:
        """Where in the service the user makes the API key, in one sentence."""
        ...

    def open_client(self, connection: Connection, api_key: str, limits: Limits) -> Client: ...

    def request_bodies(self, contacts: Sequence[Contact], audience: str) -> list[dict[str, object]]:
        """The request bodies a batch is sent as (what the dry run writes)."""
        ...

    def fields_to_create(self, mapping: FieldMap, known: Sequence[CustomField] | None) -> list[str]:
        """The custom fields of ``mapping`` a run would have to create in the account, judged
        from ``known`` (the account's fields as last read; None: never read). Empty where the
        destination creates fields by itself on first use."""
        ...

    def dry_run_audience(self, segment: str) -> str:
        """What a dry run writes for a segment's audience, which it cannot ask for."""
        ...

    def requests_estimate(self, valid_per_segment: Sequence[int]) -> int:
        """How many requests a run of these segments makes, for the time estimate."""
        ...

    def audience_note(self, audiences: Mapping[str, str | None]) -> str | None:
        """What the user does next with the audiences of a finished run (Ortto: build an
        audience on the tag), or None."""
        ...


def destination_for(service: str) -> Destination:
    """The destination of a connection's ``service``; UsageError for an unknown one."""
    try:
        factory = _REGISTRY[service]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise UsageError(
            _("Unknown service {service}: use one of {known}.").format(
                service=repr(service), known=known
            )
        ) from None
    return factory()


def services() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def _autopilot() -> Destination:
    from app.core.destinations.autopilot.destination import AUTOPILOT

    return AUTOPILOT


def _ortto() -> Destination:
    from app.core.destinations.ortto.destination import ORTTO

    return ORTTO


_REGISTRY = {"autopilot": _autopilot, "ortto": _ortto}
