"""Log redaction: API keys never reach a log file.

Every secret the program handles is registered here as soon as it is read; the filter replaces
it in every record (message and arguments) before any handler formats it.
"""

from __future__ import annotations

import logging
import re
import threading

_lock = threading.Lock()
_secrets: set[str] = set()
# Also catch the header if a library ever logs a request.
_HEADER = re.compile(r"(autopilotapikey['\"]?\s*[:=]\s*['\"]?)([^\s'\",}]+)", re.IGNORECASE)
MASK = "[REDACTED]"


def register_secret(secret: str) -> None:
    if secret and len(secret) >= 4:
        with _lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, MASK)
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
