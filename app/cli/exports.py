"""`export add | list | remove | run`."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.output import Console
from app.cli.running import cancel_on_signals, print_run, run_with_signals
from app.cli.schedules import forget_schedules
from app.cli.schedules import register as register_schedule
from app.cli.sources import report_refresh
from app.core.cancel import CancelToken
from app.core.destinations import destination_for
from app.core.errors import AlreadyExistsError, AppError, NotFoundError
from app.core.export import Export, PlanProblems, check_export
from app.core.export.sampling import value_warnings
from app.core.mapping import Mapping


def register(nouns: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = nouns.add_parser("export", help="exports: segments, a connection and a field mapping")
    verbs = parser.add_subparsers(dest="verb", metavar="ACTION", required=True)

    add = verbs.add_parser("add", help="save an export (does not run it)")
    add.add_argument("name")
    add.add_argument("--connection", required=True)
    add.add_argument(
        "--segment",
        action="append",
        required=True,
        dest="segments",
        help="a segment to export (repeat for several; sent in this order)",
    )
    add.add_argument(
        "--map",
        action="append",
        required=True,
        dest="maps",
        metavar="AUTOPILOT_FIELD=COLUMN",
        help="Email=COLUMN is required; also FirstName=, LastName=, any standard "
        "field, custom:TYPE:Name=COLUMN, unsubscribed=COLUMN (opt-out flag)",
    )
    add.add_argument(
        "--create-fields",
        action="store_true",
        help="create custom fields the destination lacks (Ortto: they cannot be deleted later)",
    )
    add.add_argument(
        "--remove-departed",
        action="store_true",
        help="take people who left a segment off its list or tag (never deletes a contact)",
    )
    add.add_argument("--replace", action="store_true")
    add.set_defaults(handler=_add)

    lst = verbs.add_parser("list", help="list saved exports")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=_list)

    remove = verbs.add_parser("remove", help="remove a saved export (its runs stay in history)")
    remove.add_argument("name")
    remove.set_defaults(handler=_remove)

    run = verbs.add_parser("run", help="run an export now")
    run.add_argument("name")
    run.add_argument(
        "--all",
        action="store_true",
        help="send everyone again, also those the destination already has unchanged",
    )
    run.add_argument(
        "--refresh",
        action="store_true",
        help="first import the export's source again from its file, if the file changed",
    )
    run.add_argument(
        "--allow-mass-removal",
        action="store_true",
        help="with --remove-departed: go ahead even when more than half of a list or tag left",
    )
    run.add_argument("--dry-run", action="store_true", help="send nothing; write the payloads")
    run.add_argument("--output", type=Path, help="with --dry-run: where to write the payloads")
    run.add_argument("--json", action="store_true", help="print the run as JSON on stdout")
    run.set_defaults(handler=_run)

    register_schedule(verbs)


def _add(args: argparse.Namespace, console: Console) -> int:
    ctx = console.context
    connection = ctx.connections.get(args.connection)
    mapping = Mapping.from_specs(args.maps, destination_for(connection.service).fields)
    export = Export(
        args.name.strip(),
        connection.name,
        tuple(args.segments),
        mapping,
        create_fields=args.create_fields,
        remove_departed=args.remove_departed,
    )
    if not args.replace:
        try:
            ctx.exports.get(export.name)
        except NotFoundError:
            pass
        else:
            raise AlreadyExistsError(
                f"An export named '{export.name}' exists; use --replace to overwrite it."
            )
    problems = check_export(export, ctx.services)
    if problems:
        raise PlanProblems(problems)
    saved = ctx.exports.save(export, replace_existing=args.replace)
    for warning in value_warnings(saved, ctx.services):
        console.warn(warning)
    console.say(
        f"Export '{saved.name}' saved: {len(saved.segments)} segment(s) to connection "
        f"'{saved.connection}'. Run it with: autopilot-exporter export run \"{saved.name}\""
    )
    return 0


def _list(args: argparse.Namespace, console: Console) -> int:
    exports = console.context.exports.all()
    if args.json:
        console.json([e.to_json() for e in exports])
        return 0
    console.table(
        ["NAME", "CONNECTION", "SEGMENTS", "EMAIL FROM"],
        [
            (e.name, e.connection, ", ".join(e.segments), e.mapping.email_column() or "-")
            for e in exports
        ],
    )
    return 0


def _remove(args: argparse.Namespace, console: Console) -> int:
    export = console.context.exports.get(args.name)
    console.context.exports.remove(export.name)
    console.say(f"Export '{export.name}' removed; its runs stay in the history.")
    forget_schedules([export.name], console)
    return 0


def _run(args: argparse.Namespace, console: Console) -> int:
    ctx = console.context
    if args.output is not None and not args.dry_run:
        console.error("--output is only for --dry-run.")
        return 2
    export = ctx.exports.get(args.name)
    try:
        if not args.dry_run:
            ctx.runs.refuse_if_live(export.name)  # before asking the keyring or refreshing
        # The key is read before the run starts; the sending threads never touch the keyring.
        key = None if args.dry_run else ctx.keys.read(export.connection)
        if args.refresh:
            for result in ctx.runner.refresh_sources(export):
                report_refresh(console, result)
    except AppError as exc:
        # Nobody may be watching (a scheduled run): the history keeps why it did not start.
        ctx.runner.record_not_started(export, str(exc), dry_run=args.dry_run)
        raise
    if args.dry_run or key is None:
        console.say(f"Planning a dry run of '{export.name}'...")
        plan = ctx.runner.plan(
            export, send_all=args.all, allow_mass_removal=args.allow_mass_removal
        )
        cancel = CancelToken()
        with cancel_on_signals(cancel, console):
            run = ctx.runner.dry_run(plan, args.output, cancel=cancel)
        console.say(f"Dry run: the payloads that would be sent are in {run.output_path}")
        return print_run(console, run, as_json=args.json)
    console.say(f"Planning '{export.name}'...")
    plan = ctx.runner.plan(export, send_all=args.all, allow_mass_removal=args.allow_mass_removal)
    return run_with_signals(console, plan, key, run_id=None, as_json=args.json)
