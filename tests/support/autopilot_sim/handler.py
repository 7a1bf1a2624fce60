"""HTTP/1.1 plumbing: read a request, hand it to the dispatcher, write or withhold the answer."""

from __future__ import annotations

import json
import socket
import struct
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

from tests.support.autopilot_sim.calls import Answer

if TYPE_CHECKING:
    from tests.support.autopilot_sim.server import SimHTTPServer


class SimHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API and requests' pool expect
    timeout = 30  # an idle keep-alive connection ends on its own
    server_version = "AutopilotSimulator/1"
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

    def respond(self, answer: Answer, headers: dict[str, str] | None = None) -> None:
        status, payload = answer
        body = b"" if payload is None else json.dumps(payload).encode("utf-8")
        self._write(status, body, "application/json; charset=utf-8", headers)

    def respond_html(self, status: int, html: str) -> None:
        self._write(status, html.encode("utf-8"), "text/html; charset=utf-8", None)

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
