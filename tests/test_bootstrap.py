"""The composition root: the log file, and what is logged before it is open."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.context import build_context
from app.core.logging_setup import EarlyRecords, register_secret


@pytest.fixture
def bare_root(monkeypatch: pytest.MonkeyPatch) -> Iterator[logging.Logger]:
    """The root logger without handlers (as in a fresh process); put back afterwards."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", logging.WARNING)
    yield root
    for handler in root.handlers:
        handler.close()


def test_what_is_logged_before_the_log_opens_is_written_to_it(
    bare_root: logging.Logger, app_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    context = build_context(open_log=False)
    register_secret("sk-early-secret-123")
    logging.getLogger("qt").warning("early warning with sk-early-secret-123")
    logging.getLogger("app").info("early info")
    assert not context.paths.log_file.exists()

    from app.core.logging_setup import configure_logging

    configure_logging(context.paths)
    logging.getLogger("app").info("after")
    text = context.paths.log_file.read_text(encoding="utf-8")
    lines = [line.split(": ", 1)[1] for line in text.splitlines()]
    assert lines[0].startswith("early warning with ")
    assert "sk-early-secret-123" not in text, "the early records are redacted too"
    assert lines[1:] == ["early info", "after"]
    assert capsys.readouterr().err == "", "nothing was printed to stderr meanwhile"


def test_the_early_records_are_bounded(bare_root: logging.Logger, app_home: Path) -> None:
    build_context(open_log=False)
    [early] = [h for h in bare_root.handlers if isinstance(h, EarlyRecords)]
    for index in range(1500):
        logging.getLogger("app").info("record %d", index)
    records = early.records
    assert [r.getMessage() for r in records[:1]] == ["record 500"]
    assert len(records) == 1000
