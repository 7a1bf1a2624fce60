"""Run the simulator as its own process, for tests that start and kill other processes.

    python -m tests.support.autopilot_sim --port 0 --key K --ready-file PATH

The base URL is written to the ready file (atomically) once the server listens; SIGTERM or
SIGINT stops it cleanly. Steer and inspect it over HTTP: ``GET /_sim/state``,
``GET /_sim/requests``, ``POST /_sim/config`` (see ``control.apply_config``).
"""

from __future__ import annotations

import argparse
import sys

from tests.support.autopilot_sim.server import AutopilotSimulator
from tests.support.simkit import standalone


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.support.autopilot_sim")
    standalone.add_common_arguments(parser, rate=5.0, burst=5)
    return parser.parse_args(argv)


def build(args: argparse.Namespace) -> AutopilotSimulator:
    sim = AutopilotSimulator(
        keys=set(args.key),
        rate=args.rate or None,
        burst=args.burst,
        latency=args.latency,
        seed=args.seed,
        host=args.host,
        port=args.port,
        slow_seconds=args.slow_seconds,
    )
    standalone.apply_fault_arguments(sim, args)
    return sim


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return standalone.serve(build(args), args.ready_file, "Autopilot simulator")


if __name__ == "__main__":
    sys.exit(main())
