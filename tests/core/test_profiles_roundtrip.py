"""Random messy files (seeded) read back cell for cell as Python's csv module reads them."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest

from tests.support.files import delimited, make_store, table_rows

ALPHABET = ["a", "Å", "ø", "é", "€", "“", " ", '"', ",", ";", "\t", "|", "\n", "\r\n", "0", "@"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252"]


def _cell(rnd: random.Random) -> str:
    if rnd.random() < 0.15:
        return ""
    return "".join(rnd.choice(ALPHABET) for _ in range(rnd.randrange(1, 8)))


def _messy_file(seed: int) -> tuple[str, str, str, int]:
    """(text, delimiter, encoding, columns): quoted delimiters and newlines, short rows,
    empty cells, line endings mixed row by row."""
    rnd = random.Random(seed)
    delimiter = rnd.choice([",", ";", "\t", "|"])
    width = rnd.randrange(2, 6)
    rows: list[list[str]] = [["email"] + [f"h{i}" for i in range(1, width)]]
    for _ in range(rnd.randrange(1, 40)):
        cells = width if rnd.random() > 0.1 else rnd.randrange(1, width + 1)
        rows.append([_cell(rnd) for _ in range(cells)])
    text = "".join(delimited([row], delimiter, rnd.choice(["\n", "\r\n"])) for row in rows)
    return text, delimiter, rnd.choice(ENCODINGS), width


@pytest.mark.parametrize("seed", range(24))
def test_random_messy_file_reads_back_exactly(tmp_path: Path, seed: int) -> None:
    text, delimiter, encoding, width = _messy_file(seed)
    path = tmp_path / "messy.csv"
    path.write_bytes(text.encode(encoding))
    store = make_store(tmp_path / "home")

    result = store.import_file(path, "messy")

    records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if r]
    expected = [
        (number, *(record[i] if i < len(record) else "" for i in range(width)))
        for number, record in enumerate(records[1:], start=1)
    ]
    got = [
        tuple("" if cell is None else cell for cell in row) for row in table_rows(store, "messy")
    ]
    assert (result.source.delimiter, got) == (delimiter, expected), f"seed {seed}"
