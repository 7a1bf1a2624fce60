"""Schedules: parsing, the next run, the command, and each scheduler's entry.

crontab is the real program writing into a throwaway spool; systemd's units are checked with
``systemd-analyze verify``; schtasks and launchctl (which cannot run here) as exact argument
lists and file contents.
"""

from __future__ import annotations

import os
import plistlib
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.core.errors import UsageError
from app.core.paths import AppPaths
from app.core.schedule import (
    Completed,
    NoSchedulerError,
    Schedule,
    ScheduledCommand,
    SchedulerError,
    ScheduleService,
    choose_backend,
    export_key,
    subprocess_runner,
)
from app.core.schedule.command import find_program, scheduled_command
from app.core.schedule.cron import CronBackend
from app.core.schedule.launchd import LaunchdBackend
from app.core.schedule.systemd import SystemdBackend
from app.core.schedule.windows import TaskSchedulerBackend, parse_task_xml
from tests.support.schedulers import RecordingRunner, file_crontab, real_crontab

WEIRD = "Nyhetsbrev 'VIP' \"50%\" $HOME; `x` & more"


@pytest.fixture
def oslo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is Europe/Oslo (summer time changes on 29 March and 25 October 2026)."""
    monkeypatch.setenv("TZ", "Europe/Oslo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def paths(tmp_path: Path) -> AppPaths:
    root = tmp_path / "home"
    return AppPaths(root / "data", root / "logs", root / "config")


def command(program: str = "/opt/ape/autopilot-exporter", name: str = "Weekly") -> ScheduledCommand:
    return ScheduledCommand((program, "export", "run", name, "--refresh"))


# -- the schedule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "weekday"),
    [("mon", 0), ("MON", 0), ("Monday", 0), ("sunday", 6), ("Sun", 6), (" thu ", 3)],
)
def test_weekly_accepts_english_days_and_abbreviations(day: str, weekday: int) -> None:
    assert Schedule.weekly(day, "07:30") == Schedule(7, 30, weekday)


@pytest.mark.parametrize("text", ["7.30", "24:00", "07:60", "0730", "", "ab:cd", "-1:30"])
def test_a_bad_time_says_how_to_write_one(text: str) -> None:
    with pytest.raises(UsageError, match="HH:MM on the 24-hour clock"):
        Schedule.daily(text)


@pytest.mark.parametrize("day", ["mo", "montag", "8", ""])
def test_a_bad_day_lists_the_days(day: str) -> None:
    with pytest.raises(UsageError, match="mon tue wed thu fri sat sun"):
        Schedule.weekly(day, "07:30")


def test_daily_next_run_is_today_or_tomorrow(oslo: None) -> None:
    daily = Schedule.daily("7:30")
    before = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)  # 07:00 in Oslo
    after = datetime(2026, 12, 5, 6, 30, tzinfo=UTC)  # 07:30 in Oslo: not strictly after
    assert daily.next_run(before).isoformat() == "2026-12-05T07:30:00+01:00"
    assert daily.next_run(after).isoformat() == "2026-12-06T07:30:00+01:00"


def test_weekly_next_run_finds_the_day(oslo: None) -> None:
    saturday = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    assert Schedule.weekly("mon", "07:30").next_run(saturday).isoformat() == (
        "2026-12-07T07:30:00+01:00"
    )
    assert Schedule.weekly("sat", "14:00").next_run(saturday).isoformat() == (
        "2026-12-05T14:00:00+01:00"
    )
    assert Schedule.weekly("sat", "12:00").next_run(saturday).isoformat() == (
        "2026-12-12T12:00:00+01:00"
    )


def test_next_run_keeps_the_wall_clock_across_summer_time(oslo: None) -> None:
    friday = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    assert Schedule.weekly("mon", "07:30").next_run(friday).isoformat() == (
        "2026-03-30T07:30:00+02:00"
    )


# -- the command ------------------------------------------------------------------------------


def test_the_command_refreshes_and_carries_the_data_folder(tmp_path: Path) -> None:
    where = paths(tmp_path)
    program = tmp_path / "autopilot-exporter"
    env = {"AUTOPILOT_EXPORTER_HOME": str(tmp_path / "home"), "PATH": "/usr/bin"}
    made = scheduled_command(" Weekly ", program, env, where)
    assert made.argv == (str(program), "export", "run", "Weekly", "--refresh")
    assert made.environment == {"AUTOPILOT_EXPORTER_HOME": str(tmp_path / "home")}
    assert scheduled_command("Weekly", program, {}, where).environment == {}


def test_the_program_is_the_console_script_beside_python_or_the_frozen_one(
    tmp_path: Path,
) -> None:
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.touch()
    assert find_program(executable=str(python), which=lambda _: None, frozen=True) == python
    with pytest.raises(UsageError, match="pip install"):
        find_program(executable=str(python), which=lambda _: None, frozen=False)
    script = python.with_name("autopilot-exporter")
    script.touch()
    assert find_program(executable=str(python), which=lambda _: None, frozen=False) == script


def test_keys_are_per_data_folder_and_ignore_case(tmp_path: Path) -> None:
    one, two = paths(tmp_path / "a"), paths(tmp_path / "b")
    assert export_key(one, "Weekly") == export_key(one, " weekly ")
    assert export_key(one, "Weekly") != export_key(two, "Weekly")
    assert export_key(one, WEIRD).startswith("nyhetsbrev-vip-50-home-x-more-")


# -- crontab: the real program, a throwaway spool -----------------------------------------------


def cron_result(argv: list[str], line: str, tmp_path: Path) -> list[str]:
    """What the cron daemon would run for ``line``: its ``%`` rule, then ``sh -c`` with the
    program replaced by a script that prints its arguments and environment."""
    fields = line.split(None, 5)
    text, escaped = "", False
    for ch in fields[5]:  # cron: an unescaped % ends the command; \\% is a literal %
        if escaped:
            text += ch if ch == "%" else "\\" + ch
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "%":
            break
        else:
            text += ch
    done = subprocess.run(["sh", "-c", text], capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def test_crontab_keeps_the_users_entries_and_quotes_for_cron(tmp_path: Path) -> None:
    crontab = real_crontab(tmp_path / "spool")
    mine = "15 3 * * * /usr/bin/backup --all  # my own\nMAILTO=me@example.org\n"
    subprocess.run([*crontab, "-"], input=mine, text=True, check=True)
    printer = tmp_path / "bin dir" / "print args"
    printer.parent.mkdir()
    printer.write_text('#!/bin/sh\necho "home=$AUTOPILOT_EXPORTER_HOME"\nprintf "%s\\n" "$@"\n')
    printer.chmod(0o755)
    run = ScheduledCommand(
        (str(printer), "export", "run", WEIRD, "--refresh"),
        {"AUTOPILOT_EXPORTER_HOME": "/tmp/a 50% home"},
    )
    cron = CronBackend(subprocess_runner, crontab)
    cron.install("k1", WEIRD, Schedule.weekly("mon", "07:30"), run)
    cron.install("k2", "Other", Schedule.daily("18:05"), command(name="Other"))
    cron.install("k1", WEIRD, Schedule.weekly("sun", "06:00"), run)  # replaces, once

    table = subprocess.run([*crontab, "-l"], capture_output=True, text=True, check=True).stdout
    lines = table.splitlines()
    assert lines[:2] == mine.splitlines()
    ours = [line for line in lines if line.endswith("# autopilot-exporter:k1")]
    assert len(ours) == 1 and ours[0].startswith("0 6 * * 0 ")
    assert cron_result(crontab, ours[0], tmp_path) == [
        "home=/tmp/a 50% home",
        "export",
        "run",
        WEIRD,
        "--refresh",
    ]
    assert cron.read("k1") is not None and cron.read("k1").schedule == Schedule(6, 0, 6)  # type: ignore[union-attr]
    assert cron.read("k2").schedule == Schedule(18, 5)  # type: ignore[union-attr]

    assert cron.remove("k1") is True
    assert cron.remove("k1") is False
    assert cron.read("k1") is None
    left = subprocess.run([*crontab, "-l"], capture_output=True, text=True, check=True).stdout
    assert left.splitlines()[:2] == mine.splitlines()
    assert "k1" not in left and left.count("autopilot-exporter:k2") == 2


def test_a_refused_crontab_says_what_failed(tmp_path: Path) -> None:
    runner = RecordingRunner({("crontab", "-l"): Completed(1, "", "crontab: your crontab is bad")})
    with pytest.raises(SchedulerError, match=r"crontab -l.*your crontab is bad"):
        CronBackend(runner).install("k", "W", Schedule(7, 30), command())


# -- systemd: the units, verified -------------------------------------------------------------


def test_systemd_units_verify_and_the_commands_are_exact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = tmp_path / "prog dir" / "autopilot-exporter"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    runner = RecordingRunner()
    units = tmp_path / "config" / "systemd" / "user"
    backend = SystemdBackend(runner, units)
    run = ScheduledCommand(
        (str(program), "export", "run", WEIRD, "--refresh"),
        {"AUTOPILOT_EXPORTER_HOME": "/srv/50% $data"},
    )
    backend.install("k1", WEIRD, Schedule.weekly("mon", "07:30"), run)
    assert runner.calls == [
        ["systemctl", "--user", "daemon-reload"],
        ["systemctl", "--user", "enable", "--now", "autopilot-exporter-k1.timer"],
    ]
    timer = (units / "autopilot-exporter-k1.timer").read_text()
    assert "OnCalendar=Mon *-*-* 07:30:00\n" in timer and "Persistent=true\n" in timer
    service = (units / "autopilot-exporter-k1.service").read_text()
    assert 'Environment="AUTOPILOT_EXPORTER_HOME=/srv/50%% $$data"' in service

    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"))
    done = subprocess.run(
        ["systemd-analyze", "verify", "--user", *sorted(str(p) for p in units.iterdir())],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    shown = subprocess.run(
        ["systemd-analyze", "calendar", "Mon *-*-* 07:30:00"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Mon *-*-* 07:30:00" in shown.stdout

    assert backend.read("k1") is not None and backend.read("k1").schedule == Schedule(7, 30, 0)  # type: ignore[union-attr]
    runner.calls.clear()
    assert backend.remove("k1") is True
    assert runner.calls == [
        ["systemctl", "--user", "disable", "--now", "autopilot-exporter-k1.timer"],
        ["systemctl", "--user", "daemon-reload"],
    ]
    assert list(units.iterdir()) == []
    assert backend.read("k1") is None and backend.remove("k1") is False


def test_systemd_execstart_splits_back_into_the_arguments(tmp_path: Path) -> None:
    """systemd's own parser reads ExecStart back into the same words."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    program = tmp_path / "autopilot-exporter"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    backend = SystemdBackend(RecordingRunner(), tmp_path / "units")
    run = ScheduledCommand((str(program), "export", "run", WEIRD, "--refresh"))
    backend.install("k", WEIRD, Schedule(7, 30), run)
    line = next(
        line
        for line in (tmp_path / "units" / "autopilot-exporter-k.service").read_text().splitlines()
        if line.startswith("ExecStart=")
    )
    # systemd-escape cannot parse a command line; check the inverse of our quoting by hand,
    # with shlex in POSIX mode (double quotes, backslash escapes) after undoing %% and $$.
    words = shlex.split(line.removeprefix("ExecStart=").replace("%%", "%").replace("$$", "$"))
    assert words == list(run.argv)


def test_a_disabled_timer_is_reported(tmp_path: Path) -> None:
    runner = RecordingRunner({("systemctl", "--user", "is-enabled"): Completed(1, "disabled")})
    backend = SystemdBackend(runner, tmp_path)
    backend.install("k", "W", Schedule(7, 30), command())
    found = backend.read("k")
    assert found is not None and found.problem is not None and "not enabled" in found.problem


# -- Windows and macOS: argument lists and files --------------------------------------------------


def test_schtasks_arguments() -> None:
    runner = RecordingRunner()
    backend = TaskSchedulerBackend(runner)
    program = r"C:\Program Files\Autopilot Exporter\autopilot-exporter.exe"
    backend.install("k1", "W", Schedule.weekly("mon", "07:30"), command(program, 'Say "hi"'))
    backend.install("k1", "W", Schedule.daily("18:05"), command(program))
    assert runner.calls == [
        [
            "schtasks", "/Create", "/SC", "WEEKLY", "/D", "MON", "/ST", "07:30",
            "/TN", "\\AutopilotExporter\\k1",
            "/TR", '"C:\\Program Files\\Autopilot Exporter\\autopilot-exporter.exe" export run '
            '"Say \\"hi\\"" --refresh',
            "/F",
        ],
        [
            "schtasks", "/Create", "/SC", "DAILY", "/ST", "18:05",
            "/TN", "\\AutopilotExporter\\k1",
            "/TR", '"C:\\Program Files\\Autopilot Exporter\\autopilot-exporter.exe" export run '
            "Weekly --refresh",
            "/F",
        ],
    ]  # fmt: skip


def test_schtasks_sets_the_data_folder_through_cmd_and_refuses_a_long_line() -> None:
    runner = RecordingRunner()
    run = ScheduledCommand(
        (r"C:\ape\autopilot-exporter.exe", "export", "run", "W", "--refresh"),
        {"AUTOPILOT_EXPORTER_HOME": r"D:\Portable Data"},
    )
    TaskSchedulerBackend(runner).install("k", "W", Schedule(7, 30), run)
    assert runner.calls[0][runner.calls[0].index("/TR") + 1] == (
        'cmd.exe /d /s /c "set "AUTOPILOT_EXPORTER_HOME=D:\\Portable Data"&& '
        'C:\\ape\\autopilot-exporter.exe export run W --refresh"'
    )
    with pytest.raises(UsageError, match="at most 261"):
        TaskSchedulerBackend(runner).install("k", "W", Schedule(7, 30), command(name="x" * 300))


def test_schtasks_query_delete_and_read_back() -> None:
    xml = """<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <Triggers><CalendarTrigger><StartBoundary>2026-12-05T07:30:00</StartBoundary>
  <Enabled>true</Enabled><ScheduleByWeek><DaysOfWeek><Monday /></DaysOfWeek>
  <WeeksInterval>1</WeeksInterval></ScheduleByWeek></CalendarTrigger></Triggers></Task>"""
    runner = RecordingRunner({("schtasks", "/Query"): Completed(0, xml)})
    backend = TaskSchedulerBackend(runner)
    assert backend.read("k").schedule == Schedule(7, 30, 0)  # type: ignore[union-attr]
    assert backend.remove("k") is True
    assert runner.calls == [
        ["schtasks", "/Query", "/TN", "\\AutopilotExporter\\k", "/XML"],
        ["schtasks", "/Query", "/TN", "\\AutopilotExporter\\k"],
        ["schtasks", "/Delete", "/TN", "\\AutopilotExporter\\k", "/F"],
    ]
    daily = xml.replace(
        "<ScheduleByWeek><DaysOfWeek><Monday /></DaysOfWeek>\n  <WeeksInterval>1</WeeksInterval>"
        "</ScheduleByWeek>",
        "<ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay>",
    )
    assert "ScheduleByDay" in daily and parse_task_xml(daily) == Schedule(7, 30)
    gone = TaskSchedulerBackend(RecordingRunner({("schtasks",): Completed(1, "", "not found")}))
    assert gone.read("k") is None and gone.remove("k") is False


def test_launchd_plist_and_commands(tmp_path: Path) -> None:
    runner = RecordingRunner()
    backend = LaunchdBackend(runner, tmp_path, 501)
    run = ScheduledCommand(
        ("/Applications/Autopilot Exporter.app/Contents/MacOS/autopilot-exporter", "export",
         "run", WEIRD, "--refresh"),
        {"AUTOPILOT_EXPORTER_HOME": "/Users/me/Portable"},
    )  # fmt: skip
    backend.install("k1", WEIRD, Schedule.weekly("sun", "07:30"), run)
    plist = tmp_path / "Library/LaunchAgents/com.autopilotexporter.export.k1.plist"
    assert plistlib.loads(plist.read_bytes()) == {
        "Label": "com.autopilotexporter.export.k1",
        "ProgramArguments": list(run.argv),
        "EnvironmentVariables": {"AUTOPILOT_EXPORTER_HOME": "/Users/me/Portable"},
        "StartCalendarInterval": {"Hour": 7, "Minute": 30, "Weekday": 0},
        "RunAtLoad": False,
    }
    assert runner.calls == [
        ["launchctl", "bootout", "gui/501/com.autopilotexporter.export.k1"],
        ["launchctl", "bootstrap", "gui/501", str(plist)],
    ]
    assert backend.read("k1").schedule == Schedule(7, 30, 6)  # type: ignore[union-attr]
    runner.calls.clear()
    assert backend.remove("k1") is True and not plist.exists()
    assert runner.calls == [["launchctl", "bootout", "gui/501/com.autopilotexporter.export.k1"]]
    assert backend.remove("k1") is False and backend.read("k1") is None


# -- choosing the scheduler, and the service -----------------------------------------------------


def test_the_scheduler_follows_the_platform_and_a_running_user_systemd(tmp_path: Path) -> None:
    def which(name: str) -> str | None:
        return f"/usr/bin/{name}"

    up = RecordingRunner()
    down = RecordingRunner({("systemctl",): Completed(1, "", "Failed to connect to bus")})
    assert choose_backend(up, {}, platform="linux", which=which).name == "systemd user timer"
    assert up.calls == [["systemctl", "--user", "show-environment"]]
    assert choose_backend(down, {}, platform="linux", which=which).name == "crontab"
    assert choose_backend(up, {}, platform="win32", which=which).name == "Task Scheduler"
    assert choose_backend(up, {}, platform="darwin", home=tmp_path, uid=1).name == "launchd"
    with pytest.raises(NoSchedulerError, match="apt install cron"):
        choose_backend(down, {}, platform="linux", which=lambda _: None)
    forced = {"AUTOPILOT_EXPORTER_SCHEDULER": "systemd", "XDG_CONFIG_HOME": str(tmp_path)}
    systemd = choose_backend(down, forced, platform="linux", which=which)
    assert isinstance(systemd, SystemdBackend) and systemd.directory == tmp_path / "systemd/user"
    with pytest.raises(UsageError, match="not a scheduler"):
        choose_backend(up, {"AUTOPILOT_EXPORTER_SCHEDULER": "at"}, platform="linux")


def test_the_service_round_trip_with_an_injected_clock(tmp_path: Path, oslo: None) -> None:
    backend = CronBackend(subprocess_runner, file_crontab(tmp_path / "table"))
    service = ScheduleService(
        paths(tmp_path),
        {},
        backend=backend,
        program=lambda: Path("/opt/ape/autopilot-exporter"),
        now=lambda: datetime(2026, 12, 5, 12, 0, tzinfo=UTC),
    )
    assert service.show("Weekly").schedule is None
    info = service.set("Weekly", Schedule.weekly("mon", "07:30"))
    assert info.schedule == Schedule(7, 30, 0) and info.scheduler == "crontab"
    assert info.next_run is not None and info.next_run.isoformat() == "2026-12-07T07:30:00+01:00"
    assert service.rename("Weekly", "weekly") is False  # same export, other case
    assert service.rename("Weekly", "Monday mail") is True
    assert service.show("Weekly").schedule is None
    assert service.show("Monday mail").schedule == Schedule(7, 30, 0)
    assert "'Monday mail' --refresh" in (tmp_path / "table").read_text()
    assert service.remove("Monday mail") is True
    assert service.show("Monday mail").schedule is None


@pytest.mark.parametrize(
    ("scheduler", "in_english", "in_norwegian"),
    [
        ("crontab", "This computer's crontab starts the run.", "crontab på denne datamaskinen"),
        ("Task Scheduler", "Task Scheduler on this", "Oppgaveplanlegging på denne"),
        ("systemd user timer", "A systemd user timer on", "En systemd-timer for brukeren"),
    ],
)
def test_the_scheduler_is_named_in_a_whole_sentence(
    scheduler: str, in_english: str, in_norwegian: str
) -> None:
    from app.core import i18n
    from app.core.schedule import ScheduleInfo

    info = ScheduleInfo("Weekly", scheduler, "")
    assert info.starts_the_run.startswith(in_english)
    i18n.activate(i18n.NORWEGIAN_BOKMAL)
    assert info.starts_the_run.startswith(in_norwegian)
