"""Typed failures of a destination's client, each with a message the user can act on.

The messages never contain the API key, request bodies or personal data: they name what the
program was doing, what the destination (or the network) answered, and what to do next. The
faces catch these types, never a destination's own. A message that ends by offering to resume
the run carries that offer in ``resume_offer`` (see app/core/errors.py, ResumeOffer).
"""

from __future__ import annotations

from app.core.errors import AppError, ResumeOffer


class DestinationError(AppError):
    """Base of every failure talking to a destination; ``status`` is the HTTP status if one came."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        detail: str = "",
        resume_offer: ResumeOffer | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail
        self.resume_offer = resume_offer


class AuthError(DestinationError):
    """The key was refused (401/403): retrying cannot help, the run stops at once."""

    exit_code = 2


class NetworkError(DestinationError):
    """No usable answer: no network, DNS, refused connection, TLS, timeouts, dropped sockets."""

    def __init__(
        self, message: str, *, failure: str = "", resume_offer: ResumeOffer | None = None
    ) -> None:
        super().__init__(message, resume_offer=resume_offer)
        self.failure = failure  # the transport's word for it: "connect", "timeout", "tls", ...


class ServerError(DestinationError):
    """The destination kept failing (5xx) or answered something that is not its API."""


class RateLimitedError(DestinationError):
    """The destination kept answering 429 after every retry."""


class RequestError(DestinationError):
    """The destination refused the request itself (4xx other than auth); retrying cannot help."""

    exit_code = 2
