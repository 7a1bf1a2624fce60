"""What an API handler receives and returns."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from tests.support.simkit.http import Answer as Answer  # re-exported for the handlers


@dataclass(frozen=True)
class Call:
    body: object  # parsed JSON, None when there was no body
    key: str  # the (valid) API key the request carried
    params: dict[str, str]  # path parameters, URL-decoded


def error(status: int, message: str) -> Answer:
    """Autopilot's error shape: the reason phrase and a message."""
    return status, {"error": HTTPStatus(status).phrase, "message": message}
