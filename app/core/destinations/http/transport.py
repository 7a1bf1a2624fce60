"""One HTTP attempt, turned into a :class:`Reply` whatever happens on the wire.

Each thread gets its own ``requests.Session`` (sessions are not thread-safe). TLS verification
is requests' default and is never turned off here.

Every attempt is bounded as a whole, not only per read: a server that answers one byte every few
seconds, or never, is cut off at the attempt's deadline, and a cancel cuts the attempt off
within a fraction of a second (:class:`_Guard` shuts the attempt's socket, which ends any read
or write blocked on it). An answer larger than ``ANSWER_LIMIT_BYTES`` is not read on: no real
answer comes near it, and one could otherwise take the process's memory.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
import requests.adapters
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions

from app import __version__
from app.core.cancel import CancelToken

log = logging.getLogger(__name__)

# Failure kinds when no HTTP answer arrived.
TLS = "tls"  # the secure connection could not be set up (certificate, protocol)
CONNECT = "connect"  # no network, DNS, refused, connect timeout: nothing was sent
TIMEOUT = "timeout"  # sent, but no (whole) answer in time: it may have been applied
RESET = "reset"  # the connection dropped mid-request: it may have been applied
TOO_LARGE = "too_large"  # the answer went on past ANSWER_LIMIT_BYTES: it may have been applied
CANCELLED = "cancelled"  # cut off by a cancel: it may have been applied

# Far more than any answer either API gives (a bulk answer maps 100 emails to ids).
ANSWER_LIMIT_BYTES = 8 << 20
# How often the guard looks at the attempts in flight.
GUARD_TICK_S = 0.1
_CHUNK = 64 << 10


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


@dataclass
class _Watch:
    """One attempt in flight: when it must end, what cancels it, and the socket it uses."""

    deadline: float
    cancel: CancelToken | None
    connection: Any = None
    cut: str | None = None  # why the guard cut it off: "deadline" or "cancelled"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bind(self, connection: Any) -> None:
        with self.lock:
            self.connection = connection
            if self.cut is not None:
                _shut(connection)

    def cut_off(self, why: str) -> None:
        with self.lock:
            if self.cut is None:
                self.cut = why
                _shut(self.connection)


def _shut(connection: Any) -> None:
    sock = getattr(connection, "sock", None)
    if sock is None:
        return
    # socket.socket's own shutdown, also on a TLS socket: no TLS goodbye to wait for.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


# The attempt the current thread is making, for the connection classes below.
_current = threading.local()


class _Guard:
    """One thread that cuts off attempts past their deadline or cancelled, for one transport."""

    def __init__(self) -> None:
        self._watches: dict[int, _Watch] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False

    def begin(self, deadline_s: float, cancel: CancelToken | None) -> _Watch:
        watch = _Watch(time.monotonic() + deadline_s, cancel)
        with self._lock:
            self._watches[id(watch)] = watch
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name="http-guard", daemon=True)
                self._thread.start()
        _current.watch = watch
        return watch

    def end(self, watch: _Watch) -> None:
        _current.watch = None
        with self._lock:
            self._watches.pop(id(watch), None)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            thread, self._thread = self._thread, None
        self._wake.set()
        if thread is not None:
            thread.join(timeout=2.0)

    def _run(self) -> None:
        while not self._wake.wait(GUARD_TICK_S):
            now = time.monotonic()
            with self._lock:
                watches = list(self._watches.values())
            for watch in watches:
                if watch.cancel is not None and watch.cancel.is_cancelled():
                    watch.cut_off("cancelled")
                elif now > watch.deadline:
                    watch.cut_off("deadline")


def _bind_current(connection: Any) -> None:
    watch: _Watch | None = getattr(_current, "watch", None)
    if watch is not None:
        watch.bind(connection)


class _GuardedHTTPConnection(urllib3.connection.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _bind_current(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _bind_current(self)  # a kept-alive connection: bound to this attempt too
        super().request(*args, **kwargs)


class _GuardedHTTPSConnection(urllib3.connection.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _bind_current(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _bind_current(self)
        super().request(*args, **kwargs)


class _GuardedHTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


_POOLS = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


class _GuardedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter, with connections the guard can cut off."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: Any, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager


class _TooLarge(Exception):
    pass


class Transport:
    def __init__(
        self,
        key_header: str,
        api_key: str,
        timeouts: tuple[float, float],
        *,
        bypass_proxy: bool,
        deadline_s: float | None = None,
        answer_limit: int = ANSWER_LIMIT_BYTES,
    ) -> None:
        self._headers = {
            key_header: api_key,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": f"autopilot-exporter/{__version__}",
        }
        self._timeouts = timeouts
        # A whole attempt, connect to last byte: by default its connect and read timeouts.
        self.deadline_s = deadline_s if deadline_s is not None else sum(timeouts)
        self._answer_limit = answer_limit
        self._bypass_proxy = bypass_proxy
        self._local = threading.local()
        self._lock = threading.Lock()
        self._sessions: list[requests.Session] = []
        self._guard = _Guard()

    def send(
        self, method: str, url: str, body: object | None, cancel: CancelToken | None = None
    ) -> Reply:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        watch = self._guard.begin(self.deadline_s, cancel)
        try:
            # No redirects: requests would carry the key header to any other host.
            with self._session().request(
                method, url, data=data, timeout=self._timeouts, allow_redirects=False, stream=True
            ) as response:
                content = _read_capped(response, self._answer_limit)
                return reply_from(response.status_code, response.headers, content)
        except _TooLarge:
            log.warning(
                "%s %s: the answer went on past %d bytes; not read further",
                method,
                url,
                self._answer_limit,
            )
            return Reply(None, failure=TOO_LARGE)
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            kind = failure_kind(exc)
            if watch.cut == "cancelled":
                kind = CANCELLED
            elif watch.cut == "deadline":
                kind = TIMEOUT
            # requests' messages carry the URL, never the headers: safe to log.
            log.debug("%s %s failed (%s): %s", method, url, kind, exc)
            return Reply(None, failure=kind)
        finally:
            self._guard.end(watch)

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._guard.close()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            for prefix in ("https://", "http://"):
                session.mount(prefix, _GuardedAdapter())
            session.headers.update(self._headers)
            session.verify = True
            # A server on this computer must never be reached through a proxy from the env.
            session.trust_env = not self._bypass_proxy
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session


def _read_capped(response: requests.Response, limit: int) -> bytes:
    """The whole (decoded) body, or _TooLarge once it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def failure_kind(exc: BaseException) -> str:
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


def reply_from(status: int, headers: Any, content: bytes) -> Reply:
    retry_after = headers.get("Retry-After")
    if not content.strip():
        return Reply(status, None, True, "", retry_after)
    try:
        payload = json.loads(content)
    except ValueError:
        snippet = content[:120].decode("utf-8", "replace")
        return Reply(status, None, False, snippet, retry_after)
    return Reply(status, payload, True, "", retry_after)
