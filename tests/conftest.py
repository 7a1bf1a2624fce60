"""Every test runs with its own data directory and never touches the real home or keyring."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionstart(session: pytest.Session) -> None:
    """The Norwegian tests read the compiled catalog: compile it when the .po is newer."""
    import runpy

    runpy.run_path(str(ROOT / "scripts" / "catalogs.py"))["compile_catalogs"]()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Tests read the window in English unless they choose Norwegian (``norwegian`` fixture)."""
    from app.core import advice, i18n

    i18n.activate(i18n.ENGLISH)
    advice.speak_to(advice.CLI)  # a window built by the test speaks to the window
    yield
    i18n.activate(i18n.ENGLISH)
    advice.speak_to(advice.CLI)


@pytest.fixture
def norwegian() -> Iterator[str]:
    """The window in Norwegian Bokmål for one test; English again after it."""
    from app.core import i18n

    assert i18n.activate(i18n.NORWEGIAN_BOKMAL) == i18n.NORWEGIAN_BOKMAL, "no compiled catalog"
    yield i18n.NORWEGIAN_BOKMAL


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
