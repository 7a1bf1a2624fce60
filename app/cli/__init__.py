"""The command line: a headless face of the same core the window uses.

The contract (commands, JSON shapes, exit codes) is DESIGN.md section 4. Data goes to stdout,
messages to stderr; every failure is one line saying what happened and what to do.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from app import __version__
from app.cli.output import Console
from app.core.errors import AppError

log = logging.getLogger(__name__)

# Each command module adds its noun to the parser.
_NOUN_MODULES = ("sources", "segments", "connections", "exports", "runs", "data")


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
    gui = nouns.add_parser("gui", help="open the window (the default with no arguments)")
    gui.set_defaults(handler=_run_gui)
    import importlib

    for module_name in _NOUN_MODULES:
        try:
            module = importlib.import_module(f"app.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"app.cli.{module_name}":
                raise
            continue
        module.register(nouns)
    return parser


Handler = Callable[[argparse.Namespace, Console], int]


def _run_gui(args: argparse.Namespace, console: Console) -> int:
    from app.bootstrap import build_context
    from app.ui.application import run_gui

    return run_gui(build_context(open_log=False))  # the window opens the log once it shows


def _self_test() -> int:
    from app.window_probe import PROBE_ENV, run_startup_probe

    if os.environ.get(PROBE_ENV) == "startup":
        return run_startup_probe()
    from app.selftest import run_self_test

    return run_self_test()


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # The window and the self-test start without loading every command module (and DuckDB,
    # requests...) that the parser would import: a double-click should paint as soon as
    # possible, and the self-test times that start.
    if args_list in ([], ["gui"]):
        return _run_gui(argparse.Namespace(), Console())
    if args_list == ["--self-test"]:
        return _self_test()
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.self_test:
        return _self_test()
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    console = Console()
    try:
        return handler(args, console)
    except AppError as exc:
        console.error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        console.error("Stopped.")
        return 1
    except Exception:
        log.exception("Unexpected error in %s", args_list[:2])
        where = console.context.paths.log_file if console.has_context else "the log file"
        console.error(f"Unexpected error; the details are in {where}. Please report it.")
        return 1
