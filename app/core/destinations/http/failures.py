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
from app.core.logging_setup import redact


class Verdict(enum.Enum):
    OK = "ok"
    RETRY = "retry"
    FAIL = "fail"


@dataclass(frozen=True)
class ServiceWords:
    """How the messages of one destination name it and where they send the user."""

    name: str  # "Autopilot", "Ortto"
    key_header: str  # the request header that carries the API key
    auth_rejected: str  # the whole message when the key is refused
    api_hint: str  # what to check when the answers are not the API's, e.g. "...(…/v1)"


@dataclass(frozen=True)
class Context:
    """What the message needs to say where and while doing what it failed."""

    host: str
    what: str  # "sending contacts", "checking the API key", ...
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
    label = _status_label(status)
    name, header = ctx.service.name, ctx.service.key_header
    if status in (401, 403):
        return AuthError(ctx.service.auth_rejected, status=status, detail=detail)
    if status == 400 and header.lower() in detail.lower():
        return AuthError(
            f"{name} did not receive the API key (it answered: {detail}). Check that no proxy "
            f"removes the {header} header, then try again.",
            status=status,
            detail=detail,
        )
    if 300 <= status < 400:
        return RequestError(
            f"{name} answered with a redirect ({label}) while {ctx.what}; the key is not sent "
            "on to another address. Check the connection's base URL.",
            status=status,
        )
    if 200 <= status < 300:
        said = "in a shape this program does not know" if reply.is_json else "not in JSON"
        return ServerError(
            f"{name} answered {said} while {ctx.what}, after {ctx.attempts} attempts, so "
            f"nothing was counted as sent. Check that {ctx.service.api_hint}, then try again.",
            status=status,
        )
    if status == 429:
        return RateLimitedError(
            f"{name} kept refusing requests as too frequent (429) while {ctx.what}, after "
            f"{ctx.attempts} attempts. Lower the connection's rate limit or wait a while, then "
            "resume.",
            status=status,
            detail=detail,
        )
    if status >= 500 or status == 408:
        return ServerError(
            f"{name} had a server problem ({label}) while {ctx.what}, after {ctx.attempts} "
            "attempts. Try again later; an interrupted run can be resumed.",
            status=status,
            detail=detail,
        )
    said = f": {detail}" if detail else ""
    return RequestError(
        f"{name} refused the request while {ctx.what} ({label}{said}). Check the "
        "connection's base URL and settings, then try again.",
        status=status,
        detail=detail,
    )


def _network_error(kind: str, ctx: Context) -> NetworkError:
    if kind == TLS:
        text = (
            f"Could not open a secure connection to {ctx.host}: certificate problem (the "
            "certificate is not trusted or does not match, or the server does not speak HTTPS). "
            "Check the base URL, the computer's date and time, and any proxy or antivirus that "
            "inspects HTTPS."
        )
    elif kind == CONNECT:
        text = (
            f"Could not reach {ctx.service.name} at {ctx.host} while {ctx.what}: no network, or "
            "the address cannot be found or refuses connections. Check the internet connection and "
            "the connection's base URL, then try again."
        )
    elif kind == TIMEOUT:
        text = (
            f"{ctx.service.name} at {ctx.host} did not answer within {ctx.read_timeout:g} seconds "
            "while "
            f"{ctx.what} ({ctx.attempts} attempts). Check the network and try again; an "
            "interrupted run can be resumed."
        )
    elif kind == TOO_LARGE:
        text = (
            f"{ctx.service.name} at {ctx.host} sent an answer far larger than any real one "
            f"while {ctx.what} ({ctx.attempts} attempts); it was not read. Check the "
            "connection's base URL and any proxy in between, then try again; an interrupted "
            "run can be resumed."
        )
    else:  # RESET, CANCELLED
        text = (
            f"The connection to {ctx.service.name} at {ctx.host} kept dropping while {ctx.what} "
            f"({ctx.attempts} attempts). Check the network and try again; an interrupted run "
            "can be resumed."
        )
    return NetworkError(text, failure=kind)


def _status_label(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"
