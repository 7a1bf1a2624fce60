"""`erase-all`: delete every profile, segment, export, connection, run and key."""

from __future__ import annotations

import argparse

from app.cli.output import Console
from app.cli.schedules import forget_schedules
from app.core.erase import erase_everything
from app.core.errors import UsageError


def register(nouns: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    erase = nouns.add_parser(
        "erase-all", help="delete all profiles, segments, exports, connections, runs and keys"
    )
    erase.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    erase.set_defaults(handler=_erase)


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
