"""The command line: a headless face of the same core the window uses.

The contract (commands, JSON shapes, exit codes) is DESIGN.md section 4. Data goes to stdout,
messages to stderr; every failure is one line saying what happened and what to do.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from app import __version__
from app.cli import connections, data, exports, runs, segments, sources
from app.cli.output import Console
from app.core.errors import AppError

if TYPE_CHECKING:
    from app.context import AppContext

log = logging.getLogger(__name__)

# Each command module adds its noun to the parser, in this order in --help.
COMMANDS = (sources, segments, connections, exports, runs, data)


class _Parser(argparse.ArgumentParser):
    """argparse, but bad usage exits 2 with one line instead of the whole usage text."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="autopilot-exporter",
        description="Export segments of customer profiles to Autopilot lists.",
    )
    parser.add_argument("--version", action="version", version=f"autopilot-exporter {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that the program, its resources and keyring work, then exit",
    )
    nouns = parser.add_subparsers(dest="noun", metavar="COMMAND", parser_class=_Parser)
    nouns.add_parser("gui", help="open the window (the default with no arguments)")
    for module in COMMANDS:
        module.register(nouns)
    return parser


Handler = Callable[[argparse.Namespace, Console], int]


def run_command(args: argparse.Namespace, context: AppContext) -> int:
    """Run the parsed command; every failure becomes one line on stderr and an exit status."""
    handler: Handler = args.handler
    console = Console(context)
    try:
        return handler(args, console)
    except AppError as exc:
        console.error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        console.error("Stopped.")
        return 1
    except Exception:
        log.exception("Unexpected error in %s %s", args.noun, getattr(args, "verb", ""))
        console.error(
            f"Unexpected error; the details are in {context.paths.log_file}. Please report it."
        )
        return 1
