"""Run the Ortto simulator as its own process, for tests that start and kill other processes.

    python -m tests.support.ortto_sim --port 0 --key K --ready-file PATH

The base URL is written to the ready file (atomically) once the server listens; SIGTERM or
SIGINT stops it cleanly. Steer and inspect it over HTTP: ``GET /_sim/state``,
``GET /_sim/requests``, ``POST /_sim/config`` (see ``control.apply_config``).
"""

from __future__ import annotations

import argparse
import sys

from tests.support.ortto_sim.fields import CREATE_TYPES
from tests.support.ortto_sim.server import OrttoSimulator
from tests.support.simkit import standalone


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.support.ortto_sim")
    standalone.add_common_arguments(parser, rate=10.0, burst=10)
    parser.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="TYPE:NAME",
        help=f"a custom field to start with (repeatable); TYPE one of {sorted(CREATE_TYPES)}",
    )
    parser.add_argument("--suppress", action="append", default=[], help="a suppressed email")
    parser.add_argument("--try-in-seconds", type=int, default=1, help="in 429 answers")
    parser.add_argument("--ban-after", type=int, default=15, help="bad requests; 0 = no guard")
    parser.add_argument("--max-custom-fields", type=int, default=100)
    return parser.parse_args(argv)


def build(args: argparse.Namespace) -> OrttoSimulator:
    fields = dict(reversed(spec.split(":", 1)) for spec in args.field)
    sim = OrttoSimulator(
        keys=set(args.key),
        rate=args.rate or None,
        burst=args.burst,
        latency=args.latency,
        seed=args.seed,
        host=args.host,
        port=args.port,
        custom_fields=fields,
        suppressed=args.suppress,
        slow_seconds=args.slow_seconds,
        try_in_seconds=args.try_in_seconds,
        ban_after=args.ban_after,
        max_custom_fields=args.max_custom_fields,
    )
    standalone.apply_fault_arguments(sim, args)
    return sim


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return standalone.serve(build(args), args.ready_file, "Ortto simulator")


if __name__ == "__main__":
    sys.exit(main())
