"""The base URL rules: HTTPS always, plain HTTP only for a server on this computer."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from app.core.errors import UsageError
from app.core.i18n import _

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
            _("The base URL must be a web address such as {example}; fix the connection.").format(
                example=_EXAMPLE
            )
        )
    # Never echo a URL that carries credentials: they would land in logs and terminals.
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            _(
                "The base URL must not contain a user name or password; the API key goes in its "
                "own field."
            )
        )
    if parts.query or parts.fragment:
        raise UsageError(
            _("The base URL must not have a ?query or #fragment; use {example}.").format(
                example=_EXAMPLE
            )
        )
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        raise UsageError(
            _("The base URL {url} has an invalid port number; fix it.").format(url=text)
        ) from None
    if scheme == "http" and not is_loopback_host(host):
        raise UsageError(
            _(
                "The base URL must use https:// for {host}; plain http:// is allowed only for "
                "this computer (localhost, 127.0.0.1, ::1)."
            ).format(host=host)
        )
    return urlunsplit((scheme, parts.netloc.lower(), parts.path, "", ""))
