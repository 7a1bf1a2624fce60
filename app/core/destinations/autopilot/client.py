"""The Autopilot Journeys HTTP client: paced, retrying, thread-safe.

One client serves one connection. Every thread that calls it gets its own HTTP session, but all
of them share one token bucket (:class:`ApiSession`), so the connection's rate limit holds
however many requests the export engine keeps in flight.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

from app.core.cancel import CancelToken
from app.core.clock import Clock
from app.core.destinations import Audience, CustomField
from app.core.destinations.autopilot import answers, bulk
from app.core.destinations.autopilot.encoding import encode
from app.core.destinations.autopilot.models import AutopilotList, ListResolution
from app.core.destinations.errors import RequestError
from app.core.destinations.http.failures import (
    CHECKING_KEY,
    ServiceWords,
    Verdict,
    error_for,
    judge,
    may_have_applied,
)
from app.core.destinations.http.session import ApiSession, SessionClient, SessionOptions, Tally
from app.core.destinations.http.transport import Reply
from app.core.destinations.models import BulkResult
from app.core.i18n import N_, _, ngettext, number

if TYPE_CHECKING:
    from app.core.mapping.contact import Contact
    from app.core.mapping.mapping import Mapping as FieldMap

log = logging.getLogger(__name__)

WORDS = ServiceWords(
    name="Autopilot",
    key_header="autopilotapikey",
    auth_rejected=N_("Autopilot rejected the API key (it may have been regenerated). {resume}"),
    api_check=answers.API_CHECK,
    bad_key=N_(
        "The API key is empty or contains spaces or characters an Autopilot key never has; "
        "copy it again from Autopilot (Settings > Autopilot API)."
    ),
)


def auth_rejected() -> str:
    """What a run says when Autopilot refuses the key (it offers to resume)."""
    return WORDS.key_refused()


# A key check should answer quickly when Autopilot is unreachable.
_CHECK_ATTEMPTS = 3
# Refusals of a removal that concern that one contact (say, an address Autopilot cannot take
# in a path); anything else (a wrong key, a wrong base URL) stops the run.
_REFUSES_ONE = frozenset({400, 409, 422})


def _removal_verdict(reply: Reply) -> Verdict:
    """Autopilot's own 404 (JSON) to a removal: the person is not on the list, or unknown."""
    if reply.status == 404 and reply.failure is None and reply.is_json:
        return Verdict.OK
    return judge(reply)


class AutopilotClient(SessionClient):
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        rate_limit: float = 5.0,
        burst: int | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_attempts: int = 8,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        give_up_s: float = 60.0,
    ) -> None:
        options = SessionOptions(
            rate_limit,
            burst,
            connect_timeout,
            read_timeout,
            max_attempts,
            backoff_base,
            backoff_cap,
            give_up_s,
        )
        self._http = ApiSession(base_url, api_key, WORDS, options, clock=clock, rng=rng)
        self._list_lock = threading.Lock()

    # -- public API -------------------------------------------------------------------------

    def check_key(self) -> dict[str, object]:
        """The account as Autopilot describes it; typed errors when the key or network fail."""
        what = CHECKING_KEY
        attempts = min(self._http.max_attempts, _CHECK_ATTEMPTS)
        try:
            reply = self._http.request("GET", "/account", what=what, attempts=attempts)
        except RequestError as err:
            if err.status != 404:
                raise
            reply = self._http.request("GET", "/lists", what=what, attempts=attempts)
        return dict(reply.payload) if isinstance(reply.payload, dict) else {}

    def get_lists(self, *, cancel: CancelToken | None = None) -> list[AutopilotList]:
        reply = self._http.request("GET", "/lists", what=answers.READING_LISTS, cancel=cancel)
        return answers.parse_lists(reply.payload)

    def find_list(
        self, title: str, *, cancel: CancelToken | None = None
    ) -> tuple[AutopilotList | None, str | None]:
        return answers.match_title(self.get_lists(cancel=cancel), title)

    def find_or_create_list(
        self, title: str, *, cancel: CancelToken | None = None
    ) -> ListResolution:
        with self._list_lock:  # two threads must not both create the same list
            found, warning = self.find_list(title, cancel=cancel)
            if found is not None:
                return ListResolution(found.list_id, False, warning)
            return self._create_list(title.strip(), cancel)

    def upsert_contacts(
        self, contacts: Sequence[Mapping[str, object]], *, cancel: CancelToken | None = None
    ) -> BulkResult:
        bulk.check_batch(contacts)
        tally = Tally()
        confirmed: dict[str, str] = {}
        rejected: dict[str, str] = {}

        def post(batch: bulk.Contacts) -> object:
            body = {"contacts": [dict(c) for c in batch]}

            def verdict(reply: Reply) -> Verdict:
                if judge(reply) is Verdict.OK and not answers.is_bulk_answer(batch, reply.payload):
                    return Verdict.RETRY  # an answer about nobody: ask again, then fail
                return judge(reply)

            return self._http.request(
                "POST",
                "/contacts",
                body,
                what=answers.SENDING_CONTACTS,
                cancel=cancel,
                tally=tally,
                judge_reply=verdict,
            ).payload

        if contacts:
            bulk.upsert(contacts, post, confirmed, rejected)
        return BulkResult(confirmed, rejected, tally.requests)

    def list_contact_count(self, list_id: str, *, cancel: CancelToken | None = None) -> int:
        path = f"/list/{quote(list_id, safe='')}/contacts"
        reply = self._http.request("GET", path, what=answers.COUNTING_LIST, cancel=cancel)
        return answers.parse_total(reply.payload)

    # -- the destination protocol (app.core.destinations.Client) ---------------------------

    def custom_fields(self, *, cancel: CancelToken | None = None) -> list[CustomField]:
        """None to choose from: Autopilot creates a custom field when a contact first has it."""
        return []

    def prepare(self, mapping: FieldMap, *, create_fields: bool, cancel: CancelToken) -> list[str]:
        """Nothing to prepare: Autopilot creates custom fields on first use."""
        return []

    def resolve_audience(self, segment: str, *, cancel: CancelToken) -> Audience:
        resolution = self.find_or_create_list(segment, cancel=cancel)
        return Audience(resolution.list_id, resolution.warning)

    def send(
        self, contacts: Sequence[Contact], audience: str, *, cancel: CancelToken
    ) -> BulkResult:
        return self.upsert_contacts([encode(c, audience) for c in contacts], cancel=cancel)

    def remove_from_audience(
        self, audience: str, email_keys: Sequence[str], *, cancel: CancelToken
    ) -> BulkResult:
        """``DELETE /list/{list_id}/contact/{email}`` per person, paced like every request: the
        membership goes, the contact stays (its fields and subscription untouched). A 404 (not a
        member, or no such contact) means there is nothing left to remove: done. Removing is
        idempotent, so a retry after a timeout is harmless."""
        tally = Tally()
        confirmed: dict[str, str] = {}
        rejected: dict[str, str] = {}
        base = f"/list/{quote(audience, safe='')}/contact/"
        for key in email_keys:
            try:
                reply = self._http.request(
                    "DELETE",
                    base + quote(key, safe="@"),
                    what=answers.REMOVING_FROM_LIST,
                    cancel=cancel,
                    tally=tally,
                    judge_reply=_removal_verdict,
                )
            except RequestError as err:
                if err.status not in _REFUSES_ONE:
                    raise
                rejected[key] = err.detail or _(
                    "Autopilot refused to remove this contact ({status})"
                ).format(status=err.status)
                continue
            confirmed[key] = "" if reply.status != 404 else "not a member"
        return BulkResult(confirmed, rejected, tally.requests)

    def verify_audience(
        self, segment: str, audience: str, confirmed: int, *, cancel: CancelToken
    ) -> str | None:
        """Membership rides on the upsert, which only client libraries document: compare the
        list's count with what Autopilot confirmed."""
        total = self.list_contact_count(audience, cancel=cancel)
        if total >= confirmed:
            return None
        return ngettext(
            "Autopilot's list '{segment}' shows {total} contact, fewer than the {confirmed} "
            "it confirmed; check the list in Autopilot.",
            "Autopilot's list '{segment}' shows {total} contacts, fewer than the {confirmed} "
            "it confirmed; check the list in Autopilot.",
            total,
        ).format(segment=segment, total=number(total), confirmed=number(confirmed))

    # -- requests ---------------------------------------------------------------------------

    def _create_list(self, title: str, cancel: CancelToken | None = None) -> ListResolution:
        """POST /list is not idempotent: after an attempt that may have landed, look first."""
        what = answers.CREATING_LIST
        http, limit = self._http, self._http.max_attempts
        for attempt in range(1, limit + 1):
            reply = http.attempt("POST", "/list", {"name": title}, cancel, None)
            verdict = judge(reply)
            if verdict is Verdict.OK:
                return ListResolution(answers.parse_list_id(reply.payload), True, None)
            # 409 is the blueprint's answer to a duplicate title: look the list up below.
            conflict = reply.status == 409
            if not conflict and (verdict is Verdict.FAIL or attempt == limit):
                raise error_for(reply, http.context(what, attempt))
            http.wait_before_retry(reply, attempt, limit, what, cancel)
            if may_have_applied(reply):
                found, warning = self.find_list(title, cancel=cancel)
                if found is not None:
                    return ListResolution(found.list_id, not conflict, warning)
        raise error_for(reply, http.context(what, limit))
