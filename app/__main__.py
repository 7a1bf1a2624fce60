"""Entry points: ``autopilot-exporter`` (CLI; no arguments opens the window), ``python -m app``
and the windowed launcher ``autopilot-exporter-gui``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from app.cli import main as cli_main

    return cli_main(argv)


def gui_main() -> int:
    from app.cli import main as cli_main

    return cli_main(["gui"])


if __name__ == "__main__":
    sys.exit(main())
