"""The log file, and redaction: API keys never reach it.

Every secret the program handles is registered here as soon as it is read; the filter replaces
it in every record (message and arguments) before any handler formats it.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.paths import AppPaths

_lock = threading.Lock()
_secrets: set[str] = set()
# Also catch the header if a library ever logs a request.
_HEADER = re.compile(
    r"((?:autopilotapikey|x-api-key)['\"]?\s*[:=]\s*['\"]?)([^\s'\",}]+)", re.IGNORECASE
)
MASK = "[REDACTED]"


def register_secret(secret: str) -> None:
    if secret and len(secret) >= 4:
        with _lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    """``text`` with every registered secret masked, in any letter case (a server may echo a
    key upper-cased), and with key headers masked."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    if secrets:
        pattern = re.compile("|".join(re.escape(s) for s in secrets), re.IGNORECASE)
        text = pattern.sub(MASK, text)
    return _HEADER.sub(lambda m: m.group(1) + MASK, text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class EarlyRecords(logging.Handler):
    """Keeps what is logged before the log file is open; ``configure_logging`` writes it there.

    Bounded: if the file is never opened, the oldest records beyond ``limit`` are dropped.
    """

    def __init__(self, limit: int = 1000) -> None:
        super().__init__(logging.INFO)
        self.limit = limit
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        del self.records[: -self.limit]


def hold_early_records(level: int = logging.INFO) -> None:
    """Until ``configure_logging`` runs, keep log records instead of printing them to stderr."""
    root = logging.getLogger()
    if not any(isinstance(h, EarlyRecords) or _is_log_file(h) for h in root.handlers):
        root.addHandler(EarlyRecords())
        root.setLevel(level)


def configure_logging(paths: AppPaths, *, level: int = logging.INFO) -> None:
    """A rotating log file under the user log directory, with secrets redacted (once).

    Records kept by :func:`hold_early_records` are written to it first.
    """
    import logging.handlers  # socket, pickle, queue...: not before the window's first paint

    root = logging.getLogger()
    if any(_is_log_file(h) for h in root.handlers):
        return
    paths.log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        paths.log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler._autopilot_exporter = True  # type: ignore[attr-defined]
    # A log that cannot be written (a full disk) must not print tracebacks on the terminal
    # beside the program's own message; the program goes on without those lines.
    logging.raiseExceptions = False
    from app.core.paths import make_private

    make_private(paths.log_file)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s")
    )
    handler.addFilter(RedactingFilter())
    for early in [h for h in root.handlers if isinstance(h, EarlyRecords)]:
        root.removeHandler(early)
        for record in early.records:
            handler.handle(record)
    root.addHandler(handler)
    root.setLevel(level)


def _is_log_file(handler: logging.Handler) -> bool:
    return bool(getattr(handler, "_autopilot_exporter", False))
