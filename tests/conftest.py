"""Every test runs with its own data directory and never touches the real home or keyring."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """AUTOPILOT_EXPORTER_HOME under tmp_path, so nothing is read or written in the real home."""
    home = tmp_path / "app-home"
    monkeypatch.setenv("AUTOPILOT_EXPORTER_HOME", str(home))
    # Schedules go to a crontab that is a file under tmp_path, never to the user's scheduler.
    from tests.support.schedulers import file_crontab

    monkeypatch.setenv("AUTOPILOT_EXPORTER_SCHEDULER", "cron")
    monkeypatch.setenv("AUTOPILOT_EXPORTER_CRONTAB", shlex.join(file_crontab(tmp_path / "crontab")))
    yield home
