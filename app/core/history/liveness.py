"""Is a run that says "running" still alive? (Its process may have been killed or lost power.)"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta

HEARTBEAT_INTERVAL_S = 5.0
STALE_AFTER = timedelta(seconds=30)


def process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":
        # os.kill(pid, 0) would send CTRL_C_EVENT on Windows; the heartbeat alone decides there.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_interrupted(pid: int | None, heartbeat_at: datetime | None, now: datetime) -> bool:
    """A running run is interrupted when its process is gone or its heartbeat is older than 30 s."""
    if pid is None or heartbeat_at is None:
        return True
    if now - heartbeat_at > STALE_AFTER:
        return True
    return not process_alive(pid)
