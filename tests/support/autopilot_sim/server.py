"""The simulator's lifecycle and the API tests use to steer and inspect it."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from http.server import ThreadingHTTPServer
from typing import Any

from tests.support.autopilot_sim import control
from tests.support.autopilot_sim.config import KeyRing, SimConfig
from tests.support.autopilot_sim.dispatch import Dispatcher
from tests.support.autopilot_sim.faults import FaultPlan
from tests.support.autopilot_sim.handler import SimHandler
from tests.support.autopilot_sim.limiter import KeyLimiter
from tests.support.autopilot_sim.recorder import RecordedRequest
from tests.support.autopilot_sim.store import SimStore


class SimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, SimHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name (getfqdn), which can take seconds.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hang up mid-answer on purpose in these tests; nothing to report."""

    def drop_connections(self) -> None:
        """Wake handler threads blocked on idle keep-alive connections."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class AutopilotSimulator(control.Steering):
    """A local Autopilot API on 127.0.0.1 (see ``autopilot-api.md``); a test fixture only.

    >>> with AutopilotSimulator(keys={"k1"}, rate=200, burst=50) as sim:
    ...     sim.base_url  # "http://127.0.0.1:PORT/v1"
    """

    def __init__(
        self,
        keys: set[str] | frozenset[str] | tuple[str, ...] = ("test-key",),
        *,
        rate: float | None = 5.0,
        burst: int = 5,
        latency: float = 0.0,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        **options: object,
    ) -> None:
        self.seed = seed
        self.config = SimConfig(latency=latency)
        self.config.update(dict(options))
        self.keys = KeyRing(set(keys))
        self.store = SimStore(seed)
        self.limiter = KeyLimiter(rate, burst)
        self.faults = FaultPlan(seed)
        self.dispatcher = Dispatcher(
            self.store, self.config, self.keys, self.limiter, self.faults, self._control
        )
        self._address = (host, port)
        self._server: SimHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> AutopilotSimulator:
        self._server = SimHTTPServer(self._address, self.dispatcher)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="autopilot-sim",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake stalled and idle handlers, and join every thread."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self.dispatcher.stopping.set()
        server.shutdown()
        server.drop_connections()
        server.server_close()  # joins the handler threads
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> AutopilotSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the simulator is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self._address[0]}:{self.port}/v1"

    # -- inspection -------------------------------------------------------------------------

    def requests(self) -> list[RecordedRequest]:
        return self.dispatcher.recorder.all()

    def count_429(self) -> int:
        return self.dispatcher.recorder.count(429)

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> bool:
        return self.dispatcher.recorder.wait_for(count, timeout)

    def _control(self, method: str, path: str, body: object) -> tuple[int, object]:
        return control.handle(self, method, path, body)
