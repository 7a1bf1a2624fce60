"""Frozen entry point of ``autopilot-exporter-gui``: the window, for menus and double-clicks."""

import sys

from app.__main__ import gui_main

if __name__ == "__main__":
    sys.exit(gui_main())
