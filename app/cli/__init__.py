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
from typing import TYPE_CHECKING, Any

from app import __version__
from app.cli import connections, data, exports, runs, segments, sources
from app.cli.output import Console
from app.core.environment import environment_failure
from app.core.errors import AppError
from app.core.logging_setup import redact, register_secret

if TYPE_CHECKING:
    from app.context import AppContext

log = logging.getLogger(__name__)

# Each command module adds its noun to the parser, in this order in --help.
COMMANDS = (sources, segments, connections, exports, runs, data)


# Options a person might try for the key. A key typed on the command line stays in the shell's
# history, so there is no such option; its value is never echoed, whatever follows it.
_KEY_OPTIONS = ("--api-key", "--apikey", "--key")


class _Parser(argparse.ArgumentParser):
    """argparse, but bad usage exits 2 with one line instead of the whole usage text, and an
    option is only ever its full name (``--api-key`` is not taken for ``--api-key-stdin``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        given = list(sys.argv[1:] if args is None else args)
        for i, arg in enumerate(given):
            option, equals, value = arg.partition("=")
            if option.lower() in _KEY_OPTIONS:
                secret = value if equals else (given[i + 1] if i + 1 < len(given) else "")
                register_secret(secret.strip())
                self.error(
                    f"{option} is not an option: a key on the command line stays in the shell's "
                    "history. Type or pipe it into --api-key-stdin instead (the value given was "
                    "not shown)"
                )
        return super().parse_known_args(given, namespace)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {redact(message)} (see --help)\n")


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
    except BrokenPipeError:
        # The reader went away (`segment list | head -1`): nothing more is wanted, and Python
        # must not complain when it flushes stdout on the way out.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        failure = environment_failure(exc, context.paths.data_dir)
        if failure is not None:
            log.warning("%s: %s", failure, exc)
            console.error(str(failure))
            return failure.exit_code
        log.exception("Unexpected error in %s %s", args.noun, getattr(args, "verb", ""))
        console.error(
            f"Unexpected error; the details are in {context.paths.log_file}. Please report it."
        )
        return 1
