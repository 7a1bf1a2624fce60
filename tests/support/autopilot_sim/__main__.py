"""Run the simulator as its own process, for tests that start and kill other processes.

    python -m tests.support.autopilot_sim --port 0 --key K --ready-file PATH

The base URL is written to the ready file (atomically) once the server listens; SIGTERM or
SIGINT stops it cleanly. Steer and inspect it over HTTP: ``GET /_sim/state``,
``GET /_sim/requests``, ``POST /_sim/config`` (see ``control.apply_config``).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from tests.support.autopilot_sim.faults import ERROR_500, HTML_503, RESET
from tests.support.autopilot_sim.server import AutopilotSimulator


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.support.autopilot_sim")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key", action="append", default=[], help="a valid API key (repeatable)")
    parser.add_argument("--rate", type=float, default=5.0, help="requests/s per key; 0 = no limit")
    parser.add_argument("--burst", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to answers")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of faulty answers")
    parser.add_argument(
        "--fault-kinds",
        default=f"{ERROR_500},{HTML_503},{RESET}",
        help="comma-separated kinds sharing --fault-rate equally",
    )
    parser.add_argument("--fault-path", default="*", help="path pattern under /v1 for faults")
    parser.add_argument("--slow-seconds", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ready-file", type=Path, required=True)
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
    kinds = [k.strip() for k in args.fault_kinds.split(",") if k.strip()]
    if args.fault_rate > 0 and kinds:
        share = args.fault_rate / len(kinds)
        sim.set_fault_rates(dict.fromkeys(kinds, share), seed=args.seed, path=args.fault_path)
    return sim


def write_ready(path: Path, base_url: str) -> None:
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(base_url + "\n", encoding="utf-8")
    os.replace(temp, path)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    done = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: done.set())
    sim = build(args).start()
    try:
        write_ready(args.ready_file, sim.base_url)
        print(f"Autopilot simulator listening on {sim.base_url}", file=sys.stderr, flush=True)
        while not done.wait(1.0):
            pass
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
