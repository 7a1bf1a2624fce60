"""`erase-all`: delete every profile, segment, export, connection, run and key;
`restore-state`: put back the newest good backup of a damaged state store;
`rebuild-profiles`: make damaged profile data again from the sources' files."""

from __future__ import annotations

import argparse

from app.cli.output import Console
from app.cli.schedules import forget_schedules
from app.core.erase import erase_everything
from app.core.errors import UsageError
from app.core.state_backups import StateBackups, quick_check


def register(nouns: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    erase = nouns.add_parser(
        "erase-all", help="delete all profiles, segments, exports, connections, runs and keys"
    )
    erase.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    erase.set_defaults(handler=_erase)
    restore = nouns.add_parser(
        "restore-state",
        help="put back the newest good backup of a damaged store of connections, exports "
        "and history",
    )
    restore.add_argument("--list", action="store_true", help="list the backups and stop")
    restore.set_defaults(handler=_restore)
    rebuild = nouns.add_parser(
        "rebuild-profiles",
        help="make damaged profile data again from the files the sources were imported from",
    )
    rebuild.set_defaults(handler=_rebuild)


def _erase(args: argparse.Namespace, console: Console) -> int:
    if not args.yes:
        raise UsageError(
            "erase-all deletes every profile, segment, export, connection, run and API key "
            "this program keeps; add --yes to confirm."
        )
    ctx = console.context
    exports = [export.name for export in ctx.exports.all()]
    names = erase_everything(ctx.state, ctx.profiles, ctx.paths.reports_dir)
    ctx.keys.forget(names)
    console.say(f"Deleted all data and {len(names)} connection(s) with their API keys.")
    forget_schedules(exports, console)
    return 0


def _restore(args: argparse.Namespace, console: Console) -> int:
    # Never through console.context.state: opening a damaged store is what fails.
    paths = console.context.paths
    backups = StateBackups(paths.state_db, paths.data_dir / "backups")
    if args.list:
        rows = [
            (b.label, "good" if quick_check(b.path) is None else "damaged", str(b.path))
            for b in backups.all()
        ]
        console.table(("Taken", "State", "File"), rows)
        return 0
    if paths.state_db.exists() and quick_check(paths.state_db) is None:
        raise UsageError(
            f"The state store ({paths.state_db}) is sound; nothing was restored. "
            "restore-state is for a store the program reported damaged."
        )
    newest = backups.newest_good()
    if newest is None:
        raise UsageError(
            "No good backup of the state store is kept; move the damaged file aside to start "
            "afresh (API keys stay in the keyring)."
        )
    aside = backups.restore(newest)
    console.say(
        f"Restored the backup from {newest.label}. The damaged store is kept as {aside}; "
        "what changed after the backup (runs, exports) must be done again."
    )
    return 0


def _rebuild(args: argparse.Namespace, console: Console) -> int:
    result = console.context.profiles.rebuild()
    console.say(result.summary())
    return 0 if not result.failed else 1
