"""The base URL rules: HTTPS always, plain HTTP only for a server on this computer."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from app.core.errors import UsageError

_EXAMPLE = "https://api.example.com/v1"


def is_loopback_host(host: str) -> bool:
    """localhost, 127.0.0.0/8 and ::1: traffic that never leaves the machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_base_url(url: str) -> str:
    """The URL normalised (lower-case scheme and host, no trailing slash), or UsageError."""
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in ("http", "https") or not host:
        raise UsageError(
            f"The base URL must be a web address such as {_EXAMPLE}; fix the connection."
        )
    # Never echo a URL that carries credentials: they would land in logs and terminals.
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            "The base URL must not contain a user name or password; the API key goes in its "
            "own field."
        )
    if parts.query or parts.fragment:
        raise UsageError(f"The base URL must not have a ?query or #fragment; use {_EXAMPLE}.")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        raise UsageError(f"The base URL {text} has an invalid port number; fix it.") from None
    if scheme == "http" and not is_loopback_host(host):
        raise UsageError(
            f"The base URL must use https:// for {host}; plain http:// is allowed only for "
            "this computer (localhost, 127.0.0.1, ::1)."
        )
    return urlunsplit((scheme, parts.netloc.lower(), parts.path, "", ""))
