"""HTTP/1.1 plumbing: a threaded server on 127.0.0.1 whose handler reads a request, hands it to
the server's dispatcher, and writes or withholds the answer."""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, cast
from urllib.parse import urlsplit

Answer = tuple[int, object]  # (status, JSON payload or None for no body)


class Dispatch(Protocol):
    def serve(self, ex: SimHandler, method: str, path: str, raw: bytes) -> None: ...


class SimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], dispatcher: Dispatch, version: str) -> None:
        self.dispatcher = dispatcher
        self.version = version
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


class SimHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs and requests' pool expect
    timeout = 30  # an idle keep-alive connection ends on its own
    # Headers and body go out in separate writes; with Nagle on, the body waits for the
    # client's delayed ACK (about 40 ms a request).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def version_string(self) -> str:
        return f"{cast('SimHTTPServer', self.server).version} {self.sys_version}"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is the record."""

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        server = cast("SimHTTPServer", self.server)
        server.dispatcher.serve(self, method, urlsplit(self.path).path, raw)

    # -- Exchange ---------------------------------------------------------------------------

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def all_headers(self) -> dict[str, str]:
        return {name.lower(): value for name, value in self.headers.items()}

    def client_host(self) -> str:
        return str(self.client_address[0])

    def respond(self, answer: Answer, headers: dict[str, str] | None = None) -> None:
        status, payload = answer
        body = b"" if payload is None else json.dumps(payload).encode("utf-8")
        self._write(status, body, "application/json; charset=utf-8", headers)

    def respond_html(self, status: int, html: str) -> None:
        self._write(status, html.encode("utf-8"), "text/html; charset=utf-8", None)

    def respond_slowly(self, answer: Answer, every: float, stopping: threading.Event) -> None:
        """Headers at once, then the body one byte at a time: an answer that never ends."""
        status, payload = answer
        body = b"" if payload is None else json.dumps(payload).encode("utf-8")
        self.close_connection = True
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            for byte in body:
                if stopping.wait(every):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        except OSError:  # the client cut it off
            return

    def respond_huge(self, status: int, size: int) -> None:
        """A body of ``size`` bytes (spaces, then ``{}``), sent as fast as the client reads."""
        self.close_connection = True
        chunk = b" " * (1 << 16)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            sent = 0
            while sent < size - 2:
                piece = chunk[: size - 2 - sent]
                self.wfile.write(piece)
                sent += len(piece)
            self.wfile.write(b"{}")
        except OSError:  # the client stopped reading
            return

    def reset(self) -> None:
        """Close the connection without a byte of answer (an RST where the OS allows it)."""
        self.close_connection = True
        try:
            linger = struct.pack("ii", 1, 0)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        except OSError:
            pass

    def _write(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up (its timeout) before the answer
            self.close_connection = True
