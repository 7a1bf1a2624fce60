"""Running a test server as its own process, for tests that start and kill other processes.

The base URL is written to the ready file (atomically) once the server listens; SIGTERM or
SIGINT stops it cleanly.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from tests.support.simkit.control import FaultSteering
from tests.support.simkit.faults import ERROR_500, HTML_503, RESET
from tests.support.simkit.server import SimServer


def add_common_arguments(parser: argparse.ArgumentParser, rate: float, burst: int) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key", action="append", default=[], help="a valid API key (repeatable)")
    parser.add_argument("--rate", type=float, default=rate, help="requests/s per key; 0 = no limit")
    parser.add_argument("--burst", type=int, default=burst)
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


def apply_fault_arguments(sim: FaultSteering, args: argparse.Namespace) -> None:
    kinds = [k.strip() for k in args.fault_kinds.split(",") if k.strip()]
    if args.fault_rate > 0 and kinds:
        share = args.fault_rate / len(kinds)
        sim.set_fault_rates(dict.fromkeys(kinds, share), seed=args.seed, path=args.fault_path)


def write_ready(path: Path, base_url: str) -> None:
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(base_url + "\n", encoding="utf-8")
    os.replace(temp, path)


def serve(sim: SimServer, ready_file: Path, name: str) -> int:
    """Run ``sim`` until SIGTERM or SIGINT; announce it on stderr and in the ready file."""
    done = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: done.set())
    sim.start()
    try:
        write_ready(ready_file, sim.base_url)
        print(f"{name} listening on {sim.base_url}", file=sys.stderr, flush=True)
        while not done.wait(1.0):
            pass
    finally:
        sim.stop()
    return 0
