"""What the CLI prints: data on stdout, messages on stderr."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from app.context import AppContext


class Console:
    def __init__(
        self, context: AppContext, out: TextIO | None = None, err: TextIO | None = None
    ) -> None:
        self.context = context
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def say(self, message: str) -> None:
        print(message, file=self.err, flush=True)

    def warn(self, message: str) -> None:
        print(f"warning: {message}", file=self.err, flush=True)

    def error(self, message: str) -> None:
        print(f"error: {message}", file=self.err, flush=True)

    def json(self, data: Any) -> None:
        import json  # only for --json: the window starts through this module too

        json.dump(data, self.out, ensure_ascii=False, indent=2)
        self.out.write("\n")
        self.out.flush()

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """A plain aligned text table on stdout (or a one-line note on stderr when empty)."""
        if not rows:
            self.say("(none)")
            return
        cells = [[str(h) for h in headers]] + [
            ["" if c is None else str(c) for c in r] for r in rows
        ]
        widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
        for row in cells:
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            print(line.rstrip(), file=self.out)
        self.out.flush()
