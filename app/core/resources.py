"""Where the bundled resources (icons, the sample file) are, installed or frozen.

Installed or editable, ``resources/`` is the package ``app.resources``. In the frozen program
PyInstaller puts the same files under ``<bundle>/app/resources`` (the spec in packaging/ lists
them), which is also where PyInstaller's own resource reader looks for ``app.resources``.
"""

from __future__ import annotations

import sys
from pathlib import Path

FROZEN_RESOURCES = ("app", "resources")


def resources_root() -> Path:
    """The folder that holds the resources, as a real path on disk."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle).joinpath(*FROZEN_RESOURCES)
    from importlib.resources import files  # only here: it costs the frozen start nothing

    # Both a wheel install and an editable install give a plain directory here (never a zip).
    return Path(str(files("app.resources")))


def resource_path(*parts: str) -> Path:
    """The path of one resource, e.g. ``resource_path("icons", "autopilot-exporter.svg")``."""
    return resources_root().joinpath(*parts)
