"""Deciding what an attempt means: done, worth another try, or a typed error for the user."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from http import HTTPStatus

from app.core.destinations.errors import (
    AuthError,
    DestinationError,
    NetworkError,
    RateLimitedError,
    RequestError,
    ServerError,
)
from app.core.destinations.http.retry import RETRYABLE_STATUSES
from app.core.destinations.http.transport import CONNECT, TIMEOUT, TLS, TOO_LARGE, Reply
from app.core.errors import NEW_KEY_THEN_RESUME, RESUMABLE, SLOW_DOWN_THEN_RESUME
from app.core.i18n import N_, _, ngettext, number
from app.core.logging_setup import redact


class Verdict(enum.Enum):
    OK = "ok"
    RETRY = "retry"
    FAIL = "fail"


@dataclass(frozen=True)
class Doing:
    """What a request was for, as a whole sentence of its failure messages ("This happened
    while sending contacts."): an English msgid whose named placeholders are filled with
    ``values`` after translation."""

    sentence: str
    values: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return _(self.sentence).format(**dict(self.values))

    @property
    def english(self) -> str:
        """The sentence as the log keeps it (the log is English)."""
        return self.sentence.format(**dict(self.values))


CHECKING_KEY = Doing(N_("This happened while checking the API key."))


@dataclass(frozen=True)
class ServiceWords:
    """How the messages of one destination name it and where they send the user. Every text is
    a whole sentence (an English msgid, translated when a message is made)."""

    name: str  # "Autopilot", "Ortto"
    key_header: str  # the request header that carries the API key
    auth_rejected: str  # the message when the key is refused; {resume} is the offer
    api_check: str  # what to check when the answers are not the API's
    bad_key: str  # the message for a key that cannot be one, and where to copy it from

    def key_refused(self) -> str:
        return _(self.auth_rejected).format(resume=NEW_KEY_THEN_RESUME)


@dataclass(frozen=True)
class Context:
    """What the message needs to say where and while doing what it failed."""

    host: str
    what: Doing
    attempts: int
    read_timeout: float
    service: ServiceWords


def judge(reply: Reply) -> Verdict:
    if reply.failure is not None:
        return Verdict.FAIL if reply.failure == TLS else Verdict.RETRY
    if reply.ok:
        # A 2xx that is not JSON is a proxy or portal page, not the service's answer.
        return Verdict.OK if reply.is_json else Verdict.RETRY
    if reply.status in RETRYABLE_STATUSES:
        return Verdict.RETRY
    return Verdict.FAIL


def may_have_applied(reply: Reply) -> bool:
    """Whether a failed attempt could still have changed something at the destination."""
    if reply.failure in (TLS, CONNECT):
        return False
    return reply.status not in (429, 401, 403)


def error_kind(reply: Reply) -> str | None:
    """The counter an attempt goes to in the client's stats; None for a success."""
    if reply.failure is not None:
        return reply.failure
    status = reply.status or 0
    if 200 <= status < 300:
        return None if reply.is_json else "bad_answer"
    if status == 429:
        return "throttled"
    if status in (401, 403):
        return "auth"
    return "server" if status >= 500 or status == 408 else "refused"


def api_message(reply: Reply) -> str:
    """The service's own message from an error body, cleaned of anything secret."""
    payload = reply.payload
    if isinstance(payload, dict):
        for key in ("message", "error"):
            value = payload.get(key)
            if isinstance(value, str) and value.strip():
                return redact(" ".join(value.split()))[:300]
    return ""


def error_for(reply: Reply, ctx: Context) -> DestinationError:
    if reply.failure is not None:
        return _network_error(reply.failure, ctx)
    status = reply.status or 0
    detail = api_message(reply)
    words = ctx.service
    said = {
        "name": words.name,
        "status": _status_label(status),
        "attempts": number(ctx.attempts),
        "doing": ctx.what,
    }
    if status in (401, 403):
        return AuthError(
            words.key_refused(), status=status, detail=detail, resume_offer=NEW_KEY_THEN_RESUME
        )
    if status == 400 and words.key_header.lower() in detail.lower():
        return AuthError(
            _(
                "{name} did not receive the API key (it answered: {detail}). Check that no proxy "
                "removes the {header} header, then try again."
            ).format(name=words.name, detail=detail, header=words.key_header),
            status=status,
            detail=detail,
        )
    if 300 <= status < 400:
        return RequestError(
            _(
                "{name} answered with a redirect ({status}), and the key is not sent on to "
                "another address. {doing} Check the connection's base URL."
            ).format(**said),
            status=status,
        )
    if 200 <= status < 300:
        if reply.is_json:
            text = ngettext(
                "{name} answered in a shape this program does not know, after {attempts} "
                "attempt, so nothing was counted as sent. {doing} {check}",
                "{name} answered in a shape this program does not know, after {attempts} "
                "attempts, so nothing was counted as sent. {doing} {check}",
                ctx.attempts,
            )
        else:
            text = ngettext(
                "{name} did not answer in JSON, after {attempts} attempt, so nothing was "
                "counted as sent. {doing} {check}",
                "{name} did not answer in JSON, after {attempts} attempts, so nothing was "
                "counted as sent. {doing} {check}",
                ctx.attempts,
            )
        return ServerError(text.format(**said, check=_(words.api_check)), status=status)
    if status == 429:
        return RateLimitedError(
            ngettext(
                "{name} kept refusing requests as too frequent (429), after {attempts} attempt. "
                "{doing} {resume}",
                "{name} kept refusing requests as too frequent (429), after {attempts} "
                "attempts. {doing} {resume}",
                ctx.attempts,
            ).format(**said, resume=SLOW_DOWN_THEN_RESUME),
            status=status,
            detail=detail,
            resume_offer=SLOW_DOWN_THEN_RESUME,
        )
    if status >= 500 or status == 408:
        return ServerError(
            ngettext(
                "{name} had a server problem ({status}), after {attempts} attempt. {doing} Try "
                "again later. {resume}",
                "{name} had a server problem ({status}), after {attempts} attempts. {doing} Try "
                "again later. {resume}",
                ctx.attempts,
            ).format(**said, resume=RESUMABLE),
            status=status,
            detail=detail,
            resume_offer=RESUMABLE,
        )
    if detail:
        text = _(
            "{name} refused the request ({status}: {detail}). {doing} Check the connection's "
            "base URL and settings, then try again."
        )
    else:
        text = _(
            "{name} refused the request ({status}). {doing} Check the connection's base URL "
            "and settings, then try again."
        )
    return RequestError(text.format(**said, detail=detail), status=status, detail=detail)


def _network_error(kind: str, ctx: Context) -> NetworkError:
    said = {
        "name": ctx.service.name,
        "host": ctx.host,
        "attempts": number(ctx.attempts),
        "seconds": f"{ctx.read_timeout:g}",
        "doing": ctx.what,
        "resume": RESUMABLE,
    }
    if kind == TLS:
        text = _(
            "Could not open a secure connection to {host}: certificate problem (the "
            "certificate is not trusted or does not match, or the server does not speak HTTPS). "
            "Check the base URL, the computer's date and time, and any proxy or antivirus that "
            "inspects HTTPS."
        )
        return NetworkError(text.format(**said), failure=kind)
    if kind == CONNECT:
        text = _(
            "Could not reach {name} at {host}: no network, or the address cannot be found or "
            "refuses connections. {doing} Check the internet connection and the connection's "
            "base URL, then try again."
        )
        return NetworkError(text.format(**said), failure=kind)
    if kind == TIMEOUT:
        text = ngettext(
            "{name} at {host} did not answer within {seconds} s ({attempts} attempt). {doing} "
            "Check the network and try again. {resume}",
            "{name} at {host} did not answer within {seconds} s ({attempts} attempts). {doing} "
            "Check the network and try again. {resume}",
            ctx.attempts,
        )
    elif kind == TOO_LARGE:
        text = ngettext(
            "{name} at {host} sent an answer far larger than any real one ({attempts} "
            "attempt), and it was not read. {doing} Check the connection's base URL and any "
            "proxy in between, then try again. {resume}",
            "{name} at {host} sent an answer far larger than any real one ({attempts} "
            "attempts), and it was not read. {doing} Check the connection's base URL and any "
            "proxy in between, then try again. {resume}",
            ctx.attempts,
        )
    else:  # RESET, CANCELLED
        text = ngettext(
            "The connection to {name} at {host} kept dropping ({attempts} attempt). {doing} "
            "Check the network and try again. {resume}",
            "The connection to {name} at {host} kept dropping ({attempts} attempts). {doing} "
            "Check the network and try again. {resume}",
            ctx.attempts,
        )
    return NetworkError(text.format(**said), failure=kind, resume_offer=RESUMABLE)


def _status_label(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"
