"""The GUI thread's longest stall while the window imports a big file and runs an export.

A 5 ms timer on the GUI thread records the gaps between its ticks: a gap much longer than 5 ms
is a stall the user would feel (the goal is never over 50 ms). The window imports a generated
CSV (1,000,000 rows by default), then exports 100,000 profiles to the local Autopilot simulator
running in its own process (so its threads do not compete with the window's).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_stall.py [--rows N] [--profiles N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.core.destinations.autopilot.fields import FIELDS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

KEY = "apk-gui-stall-bench-000000000000000000"


class StallMeter:
    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.worst = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.worst, self._last = 0.0, time.perf_counter()
        self._timer.start()

    def stop(self) -> float:
        self._timer.stop()
        return self.worst * 1000

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self._last)
        self._last = now


def wait(app: object, condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.001)
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not finish in time")


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Id,FirstName,LastName,Email,City,Country,Points\n")
        for i in range(rows):
            handle.write(f"{i},First{i},Last{i},p{i}@example.com,Oslo,NO,{i % 900}\n")


def start_simulator(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    ready = folder / "sim.url"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.autopilot_sim",
            "--key",
            KEY,
            "--rate",
            "0",
            "--ready-file",
            str(ready),
        ],
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not ready.exists():
        if time.monotonic() > deadline:
            process.kill()
            raise TimeoutError("the simulator did not start")
        time.sleep(0.05)
    return process, ready.read_text().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=100.0, help="requests/s for the export")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        os.environ["AUTOPILOT_EXPORTER_HOME"] = str(folder / "home")
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
        os.environ["XDG_DATA_HOME"] = str(folder / "keyring")
        big, small = folder / "big.csv", folder / "small.csv"
        write_csv(big, args.rows)
        write_csv(small, args.profiles)
        sim, base_url = start_simulator(folder)
        try:
            run_window(big, small, base_url, args.rate)
        finally:
            sim.terminate()
            sim.wait(timeout=30)


def run_window(big: Path, small: Path, base_url: str, rate: float) -> None:
    from PySide6.QtWidgets import QApplication

    from app.context import build_context
    from app.core.connections import Connection
    from app.core.export import Export
    from app.core.mapping import Mapping
    from app.core.segments import Segment
    from app.core.store import utc_now
    from app.ui.application import build_main_window

    app = QApplication.instance() or QApplication([])
    context = build_context()
    context.profiles.import_file(small, "Customers")
    context.segments.add(Segment("Everyone", "Customers"))
    context.keys.save(
        Connection("Sim", base_url=base_url, rate_limit=rate, consent_at=utc_now()), KEY
    )
    mapping = Mapping.from_specs(["Email=Email", "FirstName=FirstName", "MailingCity=City"], FIELDS)
    context.exports.save(Export("Bench", "Sim", ("Everyone",), mapping))
    window = build_main_window(context)
    window.show()
    wait(app, window.is_settled, 60)
    meter = StallMeter()

    meter.start()
    started = time.monotonic()
    imported: list[object] = []
    window.segments.sources.changed.connect(lambda *args: imported.append(args))
    window.segments.import_files([big])
    wait(app, lambda: bool(imported) and window.is_settled(), 600)
    print(
        f"import of {big.stat().st_size / 1e6:.0f} MB in {time.monotonic() - started:.1f} s: "
        f"longest GUI stall {meter.stop():.0f} ms",
        flush=True,
    )

    done: list[object] = []
    window.ui.export.finished.connect(done.append)
    window.ui.export.failed.connect(done.append)
    plan = context.runner.plan("Bench")
    meter.start()
    started = time.monotonic()
    window.mapping.launcher.run(plan)
    wait(app, lambda: bool(done), 3600)
    print(
        f"export of {plan.valid:,} profiles in {time.monotonic() - started:.1f} s "
        f"({getattr(done[0], 'status', done[0])}): longest GUI stall {meter.stop():.0f} ms",
        flush=True,
    )
    window.shutdown()
    window.close()


if __name__ == "__main__":
    main()
