"""One HTTP attempt, turned into a :class:`Reply` whatever happens on the wire.

Each thread gets its own ``requests.Session`` (sessions are not thread-safe). TLS verification
is requests' default and is never turned off here.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass

import requests
import urllib3.exceptions

from app import __version__

log = logging.getLogger(__name__)

# Failure kinds when no HTTP answer arrived.
TLS = "tls"  # the secure connection could not be set up (certificate, protocol)
CONNECT = "connect"  # no network, DNS, refused, connect timeout: nothing was sent
TIMEOUT = "timeout"  # sent, but no answer in time: it may have been applied
RESET = "reset"  # the connection dropped mid-request: it may have been applied


@dataclass(frozen=True)
class Reply:
    """What one attempt produced. ``status`` is None when no HTTP answer arrived."""

    status: int | None
    payload: object = None  # parsed JSON body; None when empty or not JSON
    is_json: bool = False  # the body was JSON (or empty)
    snippet: str = ""  # start of a body that is not JSON, for the log
    retry_after: str | None = None
    failure: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Transport:
    def __init__(
        self, key_header: str, api_key: str, timeouts: tuple[float, float], *, bypass_proxy: bool
    ) -> None:
        self._headers = {
            key_header: api_key,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": f"autopilot-exporter/{__version__}",
        }
        self._timeouts = timeouts
        self._bypass_proxy = bypass_proxy
        self._local = threading.local()
        self._lock = threading.Lock()
        self._sessions: list[requests.Session] = []

    def send(self, method: str, url: str, body: object | None) -> Reply:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            # No redirects: requests would carry the key header to any other host.
            response = self._session().request(
                method, url, data=data, timeout=self._timeouts, allow_redirects=False
            )
        except requests.exceptions.RequestException as exc:
            kind = failure_kind(exc)
            # requests' messages carry the URL, never the headers: safe to log.
            log.debug("%s %s failed (%s): %s", method, url, kind, exc)
            return Reply(None, failure=kind)
        return reply_from(response)

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(self._headers)
            session.verify = True
            # A server on this computer must never be reached through a proxy from the env.
            session.trust_env = not self._bypass_proxy
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session


def failure_kind(exc: requests.exceptions.RequestException) -> str:
    if isinstance(exc, requests.exceptions.SSLError):
        return TLS
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return CONNECT
    if isinstance(exc, requests.exceptions.Timeout):
        return TIMEOUT
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, urllib3.exceptions.MaxRetryError):
            reason = reason.reason
        if isinstance(reason, urllib3.exceptions.NewConnectionError):
            return CONNECT
        if isinstance(reason, urllib3.exceptions.ReadTimeoutError):
            return TIMEOUT
        return RESET
    return RESET


def reply_from(response: requests.Response) -> Reply:
    content = response.content
    retry_after = response.headers.get("Retry-After")
    if not content.strip():
        return Reply(response.status_code, None, True, "", retry_after)
    try:
        payload = json.loads(content)
    except ValueError:
        snippet = content[:120].decode("utf-8", "replace")
        return Reply(response.status_code, None, False, snippet, retry_after)
    return Reply(response.status_code, payload, True, "", retry_after)
