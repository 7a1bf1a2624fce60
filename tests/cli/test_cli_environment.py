"""The computer fails, not the data: a full disk, a read-only data folder, a closed pipe.

Each is said in one line saying what happened and what to do, never "Unexpected error" and never
a traceback on the terminal; nothing already saved is lost, and a run stopped by a full disk is
resumed exactly once there is room. The disks are real: small tmpfs mounts (the tests are
skipped where the machine does not allow mounting).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cli.test_cli_export import KEY, ROOT, Cli, setup_export, upserts
from tests.integration.exporting import HEADER, customer_rows, expected_emails
from tests.support.autopilot_sim import AutopilotSimulator

Mount = Callable[[str], Path]


def _can_mount() -> bool:
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    probe = Path(f"/tmp/mount-probe-{uuid.uuid4().hex}")
    probe.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            return False
        subprocess.run(["umount", str(probe)], check=True)
        return True
    finally:
        probe.rmdir()


needs_mount = pytest.mark.skipif(not _can_mount(), reason="mounting a small disk needs root")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Mount]:
    """Mount tmpfs disks of a given size under tmp_path; all unmounted afterwards."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(point)],
            check=True,
        )
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def on_disk(tmp_path: Path, disk: Path) -> Cli:
    cli = Cli(tmp_path)
    cli.home = disk / "home"
    cli.env["AUTOPILOT_EXPORTER_HOME"] = str(cli.home)
    return cli


def one_clear_line(done: subprocess.CompletedProcess[str], *words: str) -> str:
    assert "Traceback" not in done.stderr and "Unexpected" not in done.stderr, done.stderr
    [line] = done.stderr.strip().splitlines()[-1:]
    assert all(word in line for word in words), line
    return line


def fill(disk: Path) -> Path:
    """Take every free byte of ``disk``."""
    filler = disk / "filler"
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * (1 << 16))
                handle.flush()
        except OSError:
            pass
    return filler


@needs_mount
def test_an_import_on_a_full_disk_says_so_and_keeps_what_was_there(
    tmp_path: Path, small_disk: Mount
) -> None:
    cli = on_disk(tmp_path, small_disk("3m"))
    small = tmp_path / "small.csv"
    small.write_text("\n".join([HEADER, *customer_rows(20)]) + "\n", encoding="utf-8")
    assert cli("source", "import", str(small), "--name", "Customers").returncode == 0
    big = tmp_path / "big.csv"
    big.write_text("\n".join([HEADER, *customer_rows(60_000)]) + "\n", encoding="utf-8")

    done = cli("source", "import", str(big), "--name", "Customers")
    assert done.returncode == 1
    one_clear_line(done, "is full", "free some space")
    [source] = cli.json("source", "list", "--json")  # type: ignore[misc]
    assert source["rows"] == 20, "the old data is intact"


@needs_mount
def test_a_run_stopped_by_a_full_disk_resumes_exactly_once_there_is_room(
    tmp_path: Path, small_disk: Mount
) -> None:
    disk = small_disk("8m")
    cli = on_disk(tmp_path, disk)
    rows = 2000
    with AutopilotSimulator(keys={KEY}, rate=100.0, burst=20, seed=5) as sim:
        setup_export(cli, sim, tmp_path, rows=rows, rate="10")
        process = cli.start("export", "run", "Weekly", "--json")
        assert sim.wait_for_requests(4, timeout=60), "the run never got going"
        filler = fill(disk)
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 1
        assert "Traceback" not in err and "Logging error" not in err, err
        assert "is full" in err.strip().splitlines()[-1], err

        filler.unlink()
        [run] = cli.json("history", "--json")  # type: ignore[misc]
        assert run["status"] in ("failed", "interrupted")
        resumed = cli.json("run", "resume", str(run["run_id"]), "--json")
        assert resumed["status"] == "succeeded"
        assert set(sim.contacts()) == expected_emails(rows)
        assert resumed["sent"] == len(expected_emails(rows))
        sent_twice = [email for email, times in upserts(sim).items() if times > 1]
        assert len(sent_twice) <= 100 * 4, "at most the batches in flight were sent again"


@needs_mount
def test_a_read_only_data_folder_is_refused_at_start(tmp_path: Path, small_disk: Mount) -> None:
    disk = small_disk("4m")
    cli = on_disk(tmp_path, disk)
    assert cli("source", "list").returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)

    done = cli("source", "list")
    assert done.returncode == 1
    one_clear_line(done, "read-only", "writable")


def test_a_closed_pipe_ends_quietly(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "people.csv"
    data.write_text("Id;Email\n1;a@example.no\n", encoding="utf-8")
    assert cli("source", "import", str(data), "--name", "People").returncode == 0
    for n in range(40):
        assert cli("segment", "add", f"Segment {n}", "--source", "People").returncode == 0
    # `segment list | head -1`, as a shell runs it: the reader leaves after one line.
    shown = subprocess.run(
        f"{' '.join(cli.command('segment', 'list'))} | head -c 1",
        shell=True,
        cwd=ROOT,
        env={**cli.env, "PYTHONUNBUFFERED": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.stderr == "", shown.stderr


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)
