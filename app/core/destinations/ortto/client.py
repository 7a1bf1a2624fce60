"""The Ortto HTTP client: paced, retrying, thread-safe, clear of Ortto's abuse guard.

One client serves one connection. Every call is a ``POST`` with a JSON body (``ortto-api.md``).
Pacing, retries and typed errors are the shared :class:`ApiSession`'s; what is Ortto's own is
here: custom fields that must exist before a merge, per-person answers, the whole-batch 400 with
its details, the 429's ``try-in-seconds``, a key refused once stays refused for this client, and
a small budget of bad answers (:mod:`.guard`) so that a run never gets the computer's IP banned.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from app.core.cancel import CancelToken
from app.core.clock import Clock, SystemClock
from app.core.destinations import Audience, CustomField
from app.core.destinations.errors import AuthError, DestinationError, RequestError, ServerError
from app.core.destinations.http.failures import (
    CHECKING_KEY,
    Doing,
    ServiceWords,
    Verdict,
    api_message,
    error_for,
    judge,
)
from app.core.destinations.http.session import ApiSession, SessionClient, SessionOptions, Tally
from app.core.destinations.http.transport import Reply
from app.core.destinations.models import BulkResult
from app.core.destinations.ortto import account, answers
from app.core.destinations.ortto.answers import AccountField, Outcome
from app.core.destinations.ortto.encoding import (
    MAX_BODY_BYTES,
    MAX_PEOPLE,
    body_bytes,
    merge_body,
    person,
    removal_body,
    split,
    untagged,
)
from app.core.destinations.ortto.fields import (
    CUSTOM_TYPES,
    FIELDS,
    MAPPING_TYPES,
    custom_parts,
)
from app.core.destinations.ortto.guard import BAD_ANSWERS, WINDOW_S, BadAnswerBudget
from app.core.errors import (
    CHECK_MAPPING_THEN_RESUME,
    CHECK_TAG_THEN_RESUME,
    RESUMABLE,
    ResumeOffer,
    UsageError,
)
from app.core.i18n import N_, _, ngettext, number

if TYPE_CHECKING:
    from app.core.mapping.contact import Contact
    from app.core.mapping.mapping import Mapping as FieldMap

log = logging.getLogger(__name__)

T = TypeVar("T")

WORDS = ServiceWords(
    name="Ortto",
    key_header="X-Api-Key",
    auth_rejected=N_(
        "Ortto refused the API key (it may have been disconnected under Data sources, or the "
        "account or the user who made the key is no longer active). {resume}"
    ),
    api_check=N_(
        "Check that the connection's base URL is Ortto's API for the account's data region "
        "(https://api.ap3api.com/v1, api.au.ap3api.com or api.eu.ap3api.com), then try again."
    ),
    bad_key=N_(
        "The API key is empty or contains spaces or characters an Ortto key never has; copy it "
        "again from Ortto (Data sources > Custom API)."
    ),
)


def auth_rejected() -> str:
    """What a run says when Ortto refuses the key (it offers to resume)."""
    return WORDS.key_refused()


# What a request to Ortto was for, as its failure messages say it.
READING_FIELDS = Doing(N_("This happened while reading the custom fields."))
SENDING_PEOPLE = Doing(N_("This happened while sending people."))
REMOVING_TAG = Doing(N_("This happened while removing a tag from people."))
# A key check should answer quickly when Ortto is unreachable.
_CHECK_ATTEMPTS = 3
# Statuses that blame the content of a merge, so a smaller batch can succeed (413: a proxy's
# answer to a large body; Ortto's own is 400).
SPLITTABLE = frozenset({400, 413, 422})
# 400s without per-person details that one send may meet while splitting its batch in halves
# before it gives up: enough to find a few bad people in 100, few enough to stop a request Ortto
# refuses whatever it holds.
MAX_REFUSALS_PER_SEND = 12
# A rejected person's reason (kept with the run, and in the rejected rows' file).
TOO_LARGE = N_("Ortto takes at most 2 MB per request, and this person's fields alone are larger")


Body = Callable[[Sequence[dict[str, object]]], dict[str, object]]
Reader = Callable[[object, int], list[Outcome] | None]


@dataclass(frozen=True)
class _Kind:
    """What a batch of merges does: send people, or take a tag off them."""

    what: Doing
    body: Body
    read: Reader
    check: ResumeOffer  # what the user checks when Ortto keeps refusing without saying whom


SENDING = _Kind(SENDING_PEOPLE, merge_body, answers.merge_outcomes, CHECK_MAPPING_THEN_RESUME)
REMOVING = _Kind(REMOVING_TAG, removal_body, answers.removal_outcomes, CHECK_TAG_THEN_RESUME)


@dataclass
class _Sending:
    """One ``send``'s (or removal's) people, verdicts and counts."""

    keys: list[str]  # email keys, by index
    people: list[dict[str, object]]  # encoded, by index
    kind: _Kind = SENDING
    tally: Tally = field(default_factory=Tally)
    confirmed: dict[str, str] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)
    refusals: int = 0


class OrttoClient(SessionClient):
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        rate_limit: float = 10.0,
        burst: int | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_attempts: int = 8,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        give_up_s: float = 60.0,
        bad_answers: int = BAD_ANSWERS,
        bad_window: float = WINDOW_S,
        max_body_bytes: int = MAX_BODY_BYTES,
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
        clock = clock or SystemClock()
        self._http = ApiSession(
            base_url,
            api_key,
            WORDS,
            options,
            clock=clock,
            rng=rng,
            retry_hint=answers.try_in_seconds,
        )
        self._budget = BadAnswerBudget(clock, bad_answers, bad_window)
        self._max_bytes = max_body_bytes
        self._lock = threading.Lock()
        self._custom_ids: dict[str, str] = {}  # mapping target -> the account's field id
        self._refused: AuthError | None = None

    # -- public API -------------------------------------------------------------------------

    @property
    def budget(self) -> BadAnswerBudget:
        return self._budget

    def check_key(self) -> dict[str, object]:
        """``POST /person/custom-field/get {}``: a cheap read that needs a valid key for this
        region; typed errors when the key or the network fail."""
        reply, _fields = self._post(
            "/person/custom-field/get",
            {},
            what=CHECKING_KEY,
            cancel=None,
            read=answers.account_fields,
            attempts=min(self._http.max_attempts, _CHECK_ATTEMPTS),
        )
        return dict(reply.payload) if isinstance(reply.payload, dict) else {}

    def account_fields(self, *, cancel: CancelToken | None = None) -> list[AccountField]:
        """The account's person custom fields as Ortto lists them."""
        _reply, fields = self._post(
            "/person/custom-field/get",
            {},
            what=READING_FIELDS,
            cancel=cancel,
            read=answers.account_fields,
        )
        return fields or []

    # -- the destination protocol (app.core.destinations.Client) ---------------------------

    def custom_fields(self, *, cancel: CancelToken | None = None) -> list[CustomField]:
        """The account's custom fields: name, type in the mapping's words (Ortto's own type
        where the mapping has no word for it) and Ortto id."""
        return [
            CustomField(
                f.name, MAPPING_TYPES.get(f.prefix) or f.display_type or f.prefix, f.field_id
            )
            for f in self.account_fields(cancel=cancel)
        ]

    def prepare(self, mapping: FieldMap, *, create_fields: bool, cancel: CancelToken) -> list[str]:
        """Find every custom field of ``mapping`` among the account's (by name, ignoring case);
        create the missing ones only when ``create_fields`` (the user's yes), else UsageError
        naming them. A field of that name with another type is a UsageError too."""
        targets: list[str] = []
        for mapped in mapping.fields:
            canonical = FIELDS.canonical(mapped.target)
            if canonical != mapped.target:
                raise UsageError(
                    _(
                        "The export maps {target}, which Ortto knows as {canonical}: edit the "
                        "export's mapping."
                    ).format(target=repr(mapped.target), canonical=repr(canonical))
                )
            if mapped.is_custom:
                targets.append(mapped.target)
        if not targets:
            with self._lock:
                self._custom_ids = {}
            return []
        known = self.account_fields(cancel=cancel)
        found: dict[str, str] = {}
        missing: list[str] = []
        for target in targets:
            match = account.match(known, target)
            if match is None:
                missing.append(target)
            else:
                account.check_type(match, target)
                found[target] = match.field_id
        warnings: list[str] = []
        if missing and not create_fields:
            raise UsageError(account.missing_message(missing))
        if missing:
            for target in missing:
                found[target] = self._create_field(target, cancel).field_id
            warnings.append(account.created_message(missing))
        with self._lock:
            self._custom_ids = found
        return warnings

    def resolve_audience(self, segment: str, *, cancel: CancelToken) -> Audience:
        """The segment's tag: its name, trimmed. Ortto creates a tag on first use, so this asks
        nothing."""
        tag = segment.strip()
        if not tag:
            raise UsageError(_("A segment without a name cannot become an Ortto tag: name it."))
        return Audience(tag)

    def send(
        self, contacts: Sequence[Contact], audience: str, *, cancel: CancelToken
    ) -> BulkResult:
        """Merge the contacts by email with the tag ``audience``: every person ends confirmed
        (``created``/``merged``, with Ortto's person id) or rejected (with Ortto's reason).
        Auth, network and server failures raise; an unrecognised answer is a failed request."""
        with self._lock:
            ids = dict(self._custom_ids)
        state = _Sending(
            [c.email_key for c in contacts], [person(c, audience, ids) for c in contacts]
        )
        for chunk in split(state.people, max_bytes=self._max_bytes):
            self._merge(state, chunk, cancel)
        return BulkResult(state.confirmed, state.rejected, state.tally.requests)

    def remove_from_audience(
        self, audience: str, email_keys: Sequence[str], *, cancel: CancelToken
    ) -> BulkResult:
        """Take the tag ``audience`` off these people: merges by email with ``unset_tags`` and
        no other field (``encoding.removal_body``), 100 people per request, inside the same
        bad-answer budget and failure rules as ``send``. A person Ortto does not have counts as
        done (nothing to take the tag off); a refused one (e.g. suppressed) is rejected with
        Ortto's reason and stays for another run."""
        keys = list(email_keys)
        state = _Sending(keys, [untagged(k, audience) for k in keys], REMOVING)
        for start in range(0, len(keys), MAX_PEOPLE):
            self._merge(state, list(range(start, min(start + MAX_PEOPLE, len(keys)))), cancel)
        return BulkResult(state.confirmed, state.rejected, state.tally.requests)

    def verify_audience(
        self, segment: str, audience: str, confirmed: int, *, cancel: CancelToken
    ) -> str | None:
        """Ortto has no count of the people with a tag to compare with: nothing to check."""
        return None

    # -- merging -----------------------------------------------------------------------------

    def _merge(self, state: _Sending, chunk: list[int], cancel: CancelToken) -> None:
        people = [state.people[i] for i in chunk]
        kind = state.kind
        body = kind.body(people)
        if len(chunk) == 1 and body_bytes(body) > self._max_bytes:
            state.rejected[state.keys[chunk[0]]] = _(TOO_LARGE)  # no request could carry it
            return
        count = len(chunk)
        reply, outcomes = self._post(
            "/person/merge",
            body,
            what=kind.what,
            cancel=cancel,
            tally=state.tally,
            read=lambda payload: kind.read(payload, count),
            refusable=SPLITTABLE,
        )
        if kind is REMOVING and outcomes is not None and answers.created(reply.payload):
            log.warning(
                "Ortto created %d people while removing a tag (skip_non_existing ignored?)",
                answers.created(reply.payload),
            )
        if outcomes is None and reply.status == 400:
            # No valid person in the batch: the details give each one's reason [rec].
            outcomes = answers.refused_outcomes(reply.payload, count)
        if outcomes is not None:
            _record(state, chunk, outcomes)
            return
        self._split(state, chunk, reply, cancel)

    def _split(self, state: _Sending, chunk: list[int], reply: Reply, cancel: CancelToken) -> None:
        """A refusal that names nobody: halve the batch to find whom it is about, bounded."""
        state.refusals += 1
        detail = api_message(reply)
        if state.refusals > MAX_REFUSALS_PER_SEND:
            reason = f"{reply.status}: {detail}" if detail else str(reply.status)
            raise RequestError(
                ngettext(
                    "Ortto refused {count} request in a row ({reason}) without saying which "
                    "person it was about. {doing} It was stopped so that Ortto does not lock "
                    "this computer out. {resume}",
                    "Ortto refused {count} requests in a row ({reason}) without saying which "
                    "person it was about. {doing} It was stopped so that Ortto does not lock "
                    "this computer out. {resume}",
                    state.refusals,
                ).format(
                    count=number(state.refusals),
                    reason=reason,
                    doing=state.kind.what,
                    resume=state.kind.check,
                ),
                status=reply.status,
                detail=detail,
                resume_offer=state.kind.check,
            )
        if len(chunk) == 1:
            state.rejected[state.keys[chunk[0]]] = detail or _(
                "Ortto refused this person ({status})"
            ).format(status=reply.status)
            return
        middle = len(chunk) // 2
        self._merge(state, chunk[:middle], cancel)
        self._merge(state, chunk[middle:], cancel)

    # -- custom fields -----------------------------------------------------------------------

    def _create_field(self, target: str, cancel: CancelToken) -> AccountField:
        """``POST /person/custom-field/create``. Not idempotent: a retry after an attempt that
        may have landed is refused as a duplicate, so a refusal looks the field up first."""
        kind, name = custom_parts(target)
        what = Doing(
            N_("This happened while creating the custom field '{field}'."), (("field", name),)
        )
        body = {"type": CUSTOM_TYPES[kind][0], "name": name}
        reply, made = self._post(
            "/person/custom-field/create",
            body,
            what=what,
            cancel=cancel,
            read=answers.created_field,
            refusable=frozenset({400, 409}),
        )
        if made is not None:
            log.info("Created the Ortto custom field %s (%s)", name, made.field_id)
            return made
        match = account.match(self.account_fields(cancel=cancel), target)
        if match is not None:
            account.check_type(match, target)
            return match
        detail = api_message(reply)
        reason = f"{reply.status}: {detail}" if detail else str(reply.status)
        raise RequestError(
            _(
                "Ortto refused to create the custom field '{field}' ({reason}). Check the "
                "account's custom fields in Ortto (an account has about 100, and the API cannot "
                "delete one), then try again."
            ).format(field=name, reason=reason),
            status=reply.status,
            detail=detail,
        )

    # -- requests ----------------------------------------------------------------------------

    def _post(
        self,
        path: str,
        body: object,
        *,
        what: Doing,
        cancel: CancelToken | None,
        read: Callable[[object], T | None],
        tally: Tally | None = None,
        refusable: frozenset[int] = frozenset(),
        attempts: int | None = None,
    ) -> tuple[Reply, T | None]:
        """The first answer ``read`` recognises (with what it read), or a refusal whose status
        is in ``refusable`` (with None); else a typed error. An answer ``read`` does not
        recognise is a failed attempt, retried like a 5xx."""
        http = self._http
        limit = attempts or http.max_attempts
        for attempt in range(1, limit + 1):
            reply = self._attempt(path, body, cancel, tally)
            verdict = judge(reply)
            unrecognised = False
            if verdict is Verdict.OK:
                parsed = read(reply.payload)
                if parsed is not None:
                    return reply, parsed
                unrecognised, verdict = True, Verdict.RETRY
                log.warning("Ortto's answer did not have the expected shape. %s", what.english)
            if reply.status in (401, 403):
                error = error_for(reply, http.context(what, attempt))
                if isinstance(error, AuthError):
                    with self._lock:
                        self._refused = error
                raise error
            if verdict is Verdict.FAIL and reply.status in refusable:
                return reply, None
            if verdict is Verdict.FAIL or attempt == limit:
                if unrecognised:
                    raise _unrecognised(what, attempt)
                raise error_for(reply, http.context(what, attempt))
            http.wait_before_retry(reply, attempt, limit, what, cancel)
        raise AssertionError("the loop returns or raises")

    def _attempt(
        self, path: str, body: object, cancel: CancelToken | None, tally: Tally | None
    ) -> Reply:
        """One paced attempt inside the bad-answer budget; after a refused key, none at all."""
        with self._lock:
            refused = self._refused
        if refused is not None:  # never knock again with a key Ortto refused (abuse guard)
            raise AuthError(
                str(refused),
                status=refused.status,
                detail=refused.detail,
                resume_offer=refused.resume_offer,
            )
        self._budget.admit(cancel)
        reply: Reply | None = None
        try:
            reply = self._http.attempt("POST", path, body, cancel, tally)
        finally:
            self._budget.done(reply.status if reply is not None else None)
        return reply


def _record(state: _Sending, chunk: list[int], outcomes: list[Outcome]) -> None:
    for index, outcome in zip(chunk, outcomes, strict=True):
        key = state.keys[index]
        if outcome.stored:
            state.confirmed[key] = outcome.value
        else:
            state.rejected[key] = outcome.value


def _unrecognised(what: Doing, attempts: int) -> DestinationError:
    return ServerError(
        ngettext(
            "Ortto's answer did not have the expected shape ({attempts} attempt), and nothing "
            "was counted from it. {doing} {check} {resume}",
            "Ortto's answer did not have the expected shape ({attempts} attempts), and nothing "
            "was counted from it. {doing} {check} {resume}",
            attempts,
        ).format(attempts=number(attempts), doing=what, check=_(WORDS.api_check), resume=RESUMABLE),
        resume_offer=RESUMABLE,
    )
