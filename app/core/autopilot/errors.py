"""Typed failures of the Autopilot client, each with a message the user can act on.

The messages never contain the API key, request bodies or personal data: they name what the
program was doing, what Autopilot (or the network) answered, and what to do next.
"""

from __future__ import annotations

from app.core.errors import AppError

AUTH_REJECTED = (
    "Autopilot rejected the API key (it may have been regenerated). "
    "Enter the current key in the connection and resume."
)


class AutopilotError(AppError):
    """Base of every failure talking to Autopilot; ``status`` is the HTTP status if one came."""

    exit_code = 1

    def __init__(self, message: str, *, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class AuthError(AutopilotError):
    """The key was refused (401/403): retrying cannot help, the run stops at once."""

    exit_code = 2

    def __init__(
        self, message: str = AUTH_REJECTED, *, status: int | None = None, detail: str = ""
    ) -> None:
        super().__init__(message, status=status, detail=detail)


class NetworkError(AutopilotError):
    """No usable answer: no network, DNS, refused connection, TLS, timeouts, dropped sockets."""


class ServerError(AutopilotError):
    """Autopilot kept failing (5xx) or answered something that is not its API."""


class RateLimitedError(AutopilotError):
    """Autopilot kept answering 429 after every retry."""


class RequestError(AutopilotError):
    """Autopilot refused the request itself (4xx other than auth); retrying cannot help."""

    exit_code = 2
