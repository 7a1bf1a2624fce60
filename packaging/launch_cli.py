"""Frozen entry point of ``autopilot-exporter``: the CLI, or the window without arguments."""

import sys

from app.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
