"""Schedulers for tests, none of which touches the real user's schedules.

- :func:`file_crontab`: a stand-in crontab whose table is a file (every test gets one through
  the autouse fixture in tests/conftest.py, so no command ever reaches the real crontab).
- :func:`real_crontab`: the real crontab(1) program writing into a throwaway spool: each call
  runs in a private mount namespace (``unshare --mount``) where a temporary folder is mounted
  over ``/var/spool/cron/crontabs``. crontab has no option for another spool, and this way the
  real user's table is never read nor written. Skips where crontab is not installed or the
  machine does not allow a private mount (not root, or a container without the capability).
- :class:`RecordingRunner`: records argument lists and answers as told, for the schedulers that
  cannot run here (systemctl without a user manager, schtasks, launchctl).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from app.core.schedule import Completed

FAKE_CRONTAB = Path(__file__).with_name("fake_crontab.sh")
SPOOL = "/var/spool/cron/crontabs"


def file_crontab(table: Path) -> list[str]:
    return ["sh", str(FAKE_CRONTAB), str(table)]


def real_crontab(spool: Path) -> list[str]:
    """The crontab command line that writes into ``spool`` instead of the system's spool."""
    if shutil.which("crontab") is None:
        pytest.skip("crontab is not installed (scripts/dev test installs cron)")
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    spool.mkdir(parents=True, exist_ok=True)
    shutil.chown(spool, group="crontab")
    spool.chmod(0o1730)
    argv = [
        "unshare",
        "--mount",
        "sh",
        "-c",
        f'mount --bind "$0" {SPOOL} && exec crontab "$@"',
        str(spool),
    ]
    probe = subprocess.run([*argv, "-l"], capture_output=True, text=True, check=False)
    if "no crontab" not in probe.stderr:
        pytest.skip(f"a private crontab spool is not possible here: {probe.stderr.strip()}")
    return argv


class RecordingRunner:
    """Records every argument list; answers ``answers[argv[0]]`` or success."""

    def __init__(self, answers: dict[tuple[str, ...], Completed] | None = None) -> None:
        self.calls: list[list[str]] = []
        self.stdin: list[str | None] = []
        self.answers = answers or {}

    def __call__(self, argv: Sequence[str], stdin: str | None = None) -> Completed:
        self.calls.append(list(argv))
        self.stdin.append(stdin)
        for prefix, answer in self.answers.items():
            if tuple(argv[: len(prefix)]) == prefix:
                return answer
        return Completed(0)
