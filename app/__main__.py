"""Entry points: ``autopilot-exporter`` (CLI; no arguments opens the window), ``python -m app``
and the windowed launcher ``autopilot-exporter-gui``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from app.bootstrap import main as start

    return start(argv)


def gui_main() -> int:
    from app.bootstrap import open_window

    return open_window()


if __name__ == "__main__":
    sys.exit(main())
