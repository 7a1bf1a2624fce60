"""`export schedule NAME (--daily HH:MM | --weekly DAY HH:MM | --off | --show)`, and taking a
removed export's schedule with it."""

from __future__ import annotations

import argparse
from collections.abc import Iterable

from app.cli.output import Console


def register(verbs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    schedule = verbs.add_parser(
        "schedule",
        help="run an export by itself with this computer's scheduler (it refreshes the source "
        "first)",
    )
    schedule.add_argument("name")
    when = schedule.add_mutually_exclusive_group(required=True)
    when.add_argument("--daily", metavar="HH:MM", help="every day at this local time")
    when.add_argument(
        "--weekly", nargs=2, metavar=("DAY", "HH:MM"), help="every week, e.g. --weekly mon 07:30"
    )
    when.add_argument("--off", action="store_true", help="remove the schedule")
    when.add_argument("--show", action="store_true", help="print the schedule and its next run")
    schedule.set_defaults(handler=_schedule)


def _schedule(args: argparse.Namespace, console: Console) -> int:
    from app.core.schedule import Schedule

    ctx = console.context
    if args.off:
        return _off(args.name, console)
    export = ctx.exports.get(args.name)  # an unknown name stops here
    if args.show:
        return _show(export.name, console)
    if args.daily is not None:
        schedule = Schedule.daily(args.daily)
    else:
        schedule = Schedule.weekly(*args.weekly)
    info = ctx.schedules.set(export.name, schedule)
    console.say(
        f"Export '{export.name}' now runs {schedule.describe()} (local time) through the "
        f"{info.scheduler}; each run refreshes its source first and is kept in the history."
    )
    console.say(f"Note: {info.keyring_note}")
    return _show(export.name, console)


def _show(name: str, console: Console) -> int:
    info = console.context.schedules.show(name)
    rows = [("export", info.export)]
    if info.schedule is None:
        rows.append(("schedule", "none"))
    else:
        rows.append(("schedule", info.schedule.describe()))
        next_run = "-" if info.next_run is None else info.next_run.strftime("%Y-%m-%d %H:%M %z")
        rows.append(("next run", next_run))
    rows.append(("scheduler", info.scheduler))
    for label, value in rows:
        print(f"{label:<10} {value}", file=console.out)
    console.out.flush()
    if info.problem:
        console.warn(info.problem)
    return 0


def _off(name: str, console: Console) -> int:
    ctx = console.context
    removed = ctx.schedules.remove(name)
    if not removed:
        ctx.exports.get(name)  # an unknown name is an error; a known one simply had none
        console.say(f"Export '{name.strip()}' had no schedule; nothing changed.")
        return 0
    console.say(f"The schedule of export '{name.strip()}' was removed.")
    return 0


def forget_schedules(names: Iterable[str], console: Console) -> None:
    """Remove the schedules of exports that were just removed (see ScheduleService.forget)."""
    removed, warnings = console.context.schedules.forget(names)
    for name in removed:
        console.say(f"The schedule of export '{name}' was removed too.")
    for warning in warnings:
        console.warn(warning)
