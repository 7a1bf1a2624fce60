"""A test server's lifecycle: start on a free port, serve on a thread, stop and join it all."""

from __future__ import annotations

import copy
import threading
import time
from typing import Any, Self

from tests.support.simkit.dispatch import Dispatcher
from tests.support.simkit.hooks import Action, Hook
from tests.support.simkit.http import SimHTTPServer
from tests.support.simkit.recorder import RecordedRequest


class SimServer:
    """Base of the in-process servers; subclasses set ``dispatcher`` before ``start``."""

    version = "Simulator/1"  # the Server header
    thread_name = "api-sim"
    dispatcher: Dispatcher
    store: Any  # the server's data; ``data_fields`` names what save_data keeps of it
    data_fields: tuple[str, ...] = ()

    def __init__(self, host: str, port: int) -> None:
        self._address = (host, port)
        self._server: SimHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        self._server = SimHTTPServer(self._address, self.dispatcher, self.version)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=self.thread_name,
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

    def __enter__(self) -> Self:
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
        return f"http://{self._address[0]}:{self.port}{self.dispatcher.prefix}"

    # -- the request log ----------------------------------------------------------------------

    def requests(self, path: str | None = None) -> list[RecordedRequest]:
        """Every request received, in order of arrival; only those to ``path`` if given."""
        items = self.dispatcher.recorder.all()
        return items if path is None else [r for r in items if r.path == path]

    def path_counts(self) -> dict[str, int]:
        return dict(self.dispatcher.recorder.path_counts())

    def count_429(self) -> int:
        return self.dispatcher.recorder.count(429)

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> bool:
        return self.dispatcher.recorder.wait_for(count, timeout)

    # -- stepping in and starting over -------------------------------------------------------

    def on_request(
        self, path: str, nth: int, moment: str, action: Action, *, method: str | None = None
    ) -> Hook:
        """Call ``action`` at ``moment`` (``simkit.hooks``: before, after, answered) of the
        ``nth`` request to ``path`` (a glob below the base URL) from now on."""
        return self.dispatcher.hooks.add(path, nth, moment, action, method=method)

    def settled(self, timeout: float = 10.0) -> bool:
        """Wait until every request that arrived is recorded (none is being handled)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.dispatcher.lock:
                arrived = self.dispatcher.counters["requests"]
            if len(self.dispatcher.recorder) >= arrived:
                return True
            time.sleep(0.01)
        return False

    def save_data(self) -> dict[str, object]:
        """A copy of the server's data (not its ids, settings or log), for ``restore_data``."""
        with self.store.lock:
            return {name: copy.deepcopy(getattr(self.store, name)) for name in self.data_fields}

    def restore_data(self, saved: dict[str, object]) -> None:
        """Back to ``saved`` with an empty request log, counters, hooks and faults, so tests
        can share an expensive setup. Call it while no request is being handled."""
        self.dispatcher.hooks.clear()
        self.dispatcher.faults.clear()
        self.dispatcher.limiter.configure(self.dispatcher.limiter.rate)  # full buckets
        with self.store.lock:
            for name, value in saved.items():
                current = getattr(self.store, name)
                current.clear()  # in place: the API and dispatcher hold these objects
                current.update(copy.deepcopy(value))
            self.store.counters.clear()
        self.dispatcher.recorder.clear()
