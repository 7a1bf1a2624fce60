"""The composition root: parses the arguments, builds one context, hands it to a face.

``autopilot-exporter`` with no arguments (or ``gui``) opens the window, ``--self-test`` runs the
self-test, anything else is a command of the CLI. Nothing imports this module but the entry
points (app/__main__.py and the frozen program's launchers).

The window and the self-test start without the command parser: it imports every command module
(and through them DuckDB, requests...), and a double-click should paint as soon as possible.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list in ([], ["gui"]):
        return open_window()
    if args_list == ["--self-test"]:
        return self_test()
    from app.cli import build_parser, run_command

    parser = build_parser()
    args = parser.parse_args(args_list)  # --help, --version and bad usage exit here
    if args.self_test:
        return self_test()
    if args.noun == "gui":
        return open_window()
    if args.noun is None:
        parser.print_help(sys.stderr)
        return 2
    from app.context import build_context

    try:
        context = build_context()
    except OSError as exc:
        print(f"error: {cannot_start(exc)}", file=sys.stderr)
        return 1
    return run_command(args, context)


def cannot_start(exc: OSError) -> str:
    """Why the program's folders cannot be used, in words a person can act on."""
    from app.core.environment import environment_failure
    from app.core.paths import resolve_paths

    failure = environment_failure(exc, resolve_paths().data_dir)
    return str(failure) if failure else f"the program's data folder cannot be used: {exc}"


def open_window() -> int:
    from app.context import build_context
    from app.ui.application import run_gui, show_start_failure

    try:
        context = build_context(open_log=False)  # the window opens the log once it shows
    except OSError as exc:
        return show_start_failure(cannot_start(exc))
    return run_gui(context)


def self_test() -> int:
    from app.selftest.probe import PROBE_ENV, run_startup_probe

    if os.environ.get(PROBE_ENV) == "startup":
        return run_startup_probe()
    from app.selftest import run_self_test

    return run_self_test()
