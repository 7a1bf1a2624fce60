"""The screenshot command renders every tab at 1280x800, and again at 200% scaling, in the dark
theme and in Norwegian; no text is cut off in any of them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
TABS = ("1-connections", "2-segments", "3-mapping", "4-history")


@pytest.mark.slow
def test_screenshots_of_every_tab_at_normal_and_double_scale(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.screens.screenshots", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    names = {p.name for p in tmp_path.glob("*.png")}
    for tab in TABS:
        assert f"{tab}.png" in names
    dialogs = {"3c-schedule.png"}  # a dialog, at its own size
    assert dialogs <= names
    for name in names - dialogs:
        image = QImage(str(tmp_path / name))
        expected = (2560, 1600) if name.endswith(".200.png") else (1280, 800)
        assert (image.width(), image.height()) == expected, name
    for name in dialogs:
        image = QImage(str(tmp_path / name))
        assert 300 <= image.width() <= 1280 and 200 <= image.height() <= 800, name
    for variant in ("200", "dark", "nb"):
        assert {f"{tab}.{variant}.png" for tab in TABS} <= names, variant
    assert "Traceback" not in result.stderr
