"""`connection list` says whether this user's keyring holds each key, asked of the keyring."""

from __future__ import annotations

import json

import pytest

from app.cli import build_parser, run_command
from app.context import build_context
from app.core.connections import Connection
from app.core.store import utc_now
from tests.support.keys import KeptKeys


def listed(secrets: KeptKeys, capsys: pytest.CaptureFixture[str], *options: str) -> str:
    context = build_context(secret_store=secrets, open_log=False)
    args = build_parser().parse_args(["connection", "list", *options])
    assert run_command(args, context) == 0
    return capsys.readouterr().out


def test_the_key_column_is_the_keyrings_answer(capsys: pytest.CaptureFixture[str]) -> None:
    secrets = KeptKeys()
    context = build_context(secret_store=secrets, open_log=False)
    for name in ("Kept", "Lost"):
        context.keys.save(Connection(name, consent_at=utc_now()), f"apk-{name}-0123456789")
    secrets.keys.pop("lost")  # another OS user's keyring, or one that was reset

    rows = {line.split()[0]: line.split()[-1] for line in listed(secrets, capsys).splitlines()}
    assert rows["Kept"] == "stored" and rows["Lost"] == "needed"
    shown = {c["name"]: c["key_stored"] for c in json.loads(listed(secrets, capsys, "--json"))}
    assert shown == {"Kept": True, "Lost": False}

    secrets.locked = True  # a keyring that cannot be read: neither stored nor needed
    rows = {line.split()[0]: line.split()[-1] for line in listed(secrets, capsys).splitlines()}
    assert rows["Kept"] == rows["Lost"] == "unknown"
    shown = {c["name"]: c["key_stored"] for c in json.loads(listed(secrets, capsys, "--json"))}
    assert shown == {"Kept": None, "Lost": None}
