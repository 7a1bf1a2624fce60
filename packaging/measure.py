"""Measure the frozen program and write the figures into docs/packaging.md.

    .venv/bin/python packaging/measure.py [--runs N] [--no-build]

1. builds the program with packaging/build.sh (timed) and a bare PySide6 window frozen the same
   way (packaging/bare-window.spec);
2. measures the one-folder size and the archive size (bytes on disk as files, in MB of 10^6);
3. times start-up to a shown window, offscreen: from launching the process to the first paint
   of its window (the process prints the time of that paint), for the program with
   AUTOPILOT_EXPORTER_SELF_TEST=startup (it starts the window as a double-click does, prints
   the times of the frame's first paint, of the end of its filling and of its ready signal, and
   quits) next to the bare window (same rule); the whole process, to exit, is shown too. The
   first start of each follows a drop of the page cache when the system allows it (a cold
   start); then N warm starts, alternating the two, give the medians;
4. replaces the table between the ``figures`` markers in docs/packaging.md and prints it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
PROGRAM = DIST / "autopilot-exporter" / "autopilot-exporter"
BARE_DIST = ROOT / "build" / "measure"
BARE = BARE_DIST / "bare-window" / "bare-window"
DOC = ROOT / "docs" / "packaging.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"
GOAL_RATIO, GOAL_FOLDER_MB, GOAL_ARCHIVE_MB = 1.5, 220, 90


@dataclass(frozen=True)
class Start:
    to_paint_s: float  # launch to the window's first paint
    process_s: float  # launch to exit (includes shutting down)
    to_built_s: float | None = None  # launch to the frame filled (the program only)
    to_ready_s: float | None = None  # launch to its ready signal (the program only)


@dataclass(frozen=True)
class Startup:
    cold: Start | None  # None when the page cache could not be dropped
    warm: list[Start]

    @property
    def median_s(self) -> float:
        return statistics.median(s.to_paint_s for s in self.warm)

    @property
    def median_process_s(self) -> float:
        return statistics.median(s.process_s for s in self.warm)

    @property
    def median_built_s(self) -> float:
        return statistics.median(s.to_built_s or 0.0 for s in self.warm)

    @property
    def median_ready_s(self) -> float:
        return statistics.median(s.to_ready_s or 0.0 for s in self.warm)


def run(cmd: list[str], **kwargs: object) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - started


def build() -> float:
    seconds = run(["packaging/build.sh"])
    run(
        [
            sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
            "--distpath", str(BARE_DIST), "--workpath", str(BARE_DIST / "work"),
            "packaging/bare-window.spec",
        ]
    )  # fmt: skip
    return seconds


def folder_bytes(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def drop_page_cache() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def start_once(cmd: list[str], env: dict[str, str]) -> Start:
    """One start; both print ``first paint at <time.time()>``, the program also ``built at``
    and ``ready at``."""
    launched, started = time.time(), time.perf_counter()
    done = subprocess.run(cmd, check=True, env=env, capture_output=True, text=True, timeout=60)
    process_s = time.perf_counter() - started
    lines = [line.rsplit(" at ", 1) for line in done.stdout.splitlines() if " at " in line]
    times = {what: float(at) - launched for what, at in lines}
    if "first paint" not in times:
        raise SystemExit(f"{cmd[0]} printed no 'first paint at': {done.stdout}{done.stderr}")
    return Start(times["first paint"], process_s, times.get("built"), times.get("ready"))


def startup_times(runs: int) -> tuple[Startup, Startup]:
    with tempfile.TemporaryDirectory() as home:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "LANG": "C.UTF-8",
            "QT_QPA_PLATFORM": "offscreen",
            "AUTOPILOT_EXPORTER_SELF_TEST": "startup",
        }
        program, bare = [str(PROGRAM), "--self-test"], [str(BARE)]
        cold: dict[str, Start | None] = {}
        for name, cmd in (("program", program), ("bare", bare)):
            cold[name] = start_once(cmd, env) if drop_page_cache() else None
        warm: dict[str, list[Start]] = {"program": [], "bare": []}
        start_once(program, env)  # warm the page cache once for the warm starts
        start_once(bare, env)
        for _ in range(runs):
            warm["program"].append(start_once(program, env))
            warm["bare"].append(start_once(bare, env))
    return Startup(cold["program"], warm["program"]), Startup(cold["bare"], warm["bare"])


def mb(size: float) -> str:
    return f"{size / 1e6:.1f} MB"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def cold_ms(start: Start | None) -> str:
    if start is None:
        return "not measured (the page cache could not be dropped)"
    return f"{ms(start.to_paint_s)} (process {ms(start.process_s)})"


def goal(text: str, ok: bool) -> str:
    return f"{text}: {'met' if ok else '**missed**'}"


def table(
    build_s: float | None, folder: int, archive: Path, app: Startup, bare: Startup, runs: int
) -> str:
    size = archive.stat().st_size
    ratio = app.median_s / bare.median_s
    built = "not measured (--no-build)" if build_s is None else f"{build_s:.0f} s"
    rows = [
        ("build: PyInstaller, strip, archive (`packaging/build.sh`)", built, ""),
        ("one-folder `dist/autopilot-exporter/`", mb(folder),
         goal(f"≤ {GOAL_FOLDER_MB} MB", folder <= GOAL_FOLDER_MB * 1e6)),
        (f"archive `dist/{archive.name}`", mb(size),
         goal(f"≤ {GOAL_ARCHIVE_MB} MB", size <= GOAL_ARCHIVE_MB * 1e6)),
        (f"launch to first paint, program (median of {runs} warm starts)", ms(app.median_s), ""),
        (f"launch to first paint, bare PySide6 window (median of {runs})", ms(bare.median_s), ""),
        ("ratio program / bare window, warm", f"{ratio:.2f}x",
         goal(f"≤ {GOAL_RATIO}x", ratio <= GOAL_RATIO)),
        ("launch to the window filled (tabs built), program, warm median", ms(app.median_built_s),
         ""),
        ("launch to ready (keyring known, tabs show their data), program, warm median",
         ms(app.median_ready_s), ""),
        ("whole process (to exit), program / bare window, warm medians",
         f"{ms(app.median_process_s)} / {ms(bare.median_process_s)}", ""),
        ("cold: first start after dropping the page cache, program", cold_ms(app.cold), ""),
        ("cold: first start after dropping the page cache, bare window", cold_ms(bare.cold), ""),
    ]  # fmt: skip
    if app.cold is not None and bare.cold is not None:
        cold_ratio = app.cold.to_paint_s / bare.cold.to_paint_s
        rows.append(("ratio program / bare window, cold", f"{cold_ratio:.2f}x", ""))
    machine = (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, on {time.strftime('%Y-%m-%d')}"
    )
    lines = [f"Measured by `packaging/measure.py` ({machine}).", "", "| figure | value | goal |"]
    lines.append("|---|---|---|")
    lines += [f"| {name} | {value} | {target} |" for name, value, target in rows]
    return "\n".join(lines)


def write_doc(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    if START not in doc or END not in doc:
        raise SystemExit(f"{DOC} has no {START} ... {END} markers")
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="warm starts of each (default 10)")
    parser.add_argument("--no-build", action="store_true", help="measure the existing builds")
    args = parser.parse_args()
    build_s = None if args.no_build else build()
    archives = sorted(DIST.glob("autopilot-exporter-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not archives or not BARE.exists():
        raise SystemExit("build first (run without --no-build)")
    app, bare = startup_times(args.runs)
    text = table(build_s, folder_bytes(PROGRAM.parent), archives[-1], app, bare, args.runs)
    write_doc(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
