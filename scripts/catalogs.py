"""The translation catalogs: extract the words, update the languages, compile them.

    python scripts/catalogs.py extract   app/ -> resources/locale/autopilot_exporter.pot, then
                                         every <lang>/LC_MESSAGES/autopilot_exporter.po updated
    python scripts/catalogs.py compile   every .po -> .mo beside it (the program reads the .mo)

``scripts/dev i18n`` runs both; ``scripts/dev run|test|dist`` compile first. The .mo files are
built, never committed. Needs Babel (the test extras).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "resources" / "locale"
DOMAIN = "autopilot_exporter"
POT = LOCALE / f"{DOMAIN}.pot"
# _ and N_ mark texts, ngettext singular and plural, pgettext a context and a text.
KEYWORDS = ["_", "N_", "ngettext:1,2", "pgettext:1c,2"]


def catalogs() -> list[Path]:
    return sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def extract() -> None:
    pybabel = [sys.executable, "-m", "babel.messages.frontend"]
    keywords = [arg for word in KEYWORDS for arg in ("-k", word)]
    subprocess.run(
        [*pybabel, "extract", "-F", str(ROOT / "babel.cfg"), *keywords, "--no-wrap",
         "--sort-output", "--project", "Autopilot Segment Exporter",
         "-o", str(POT), "app"],
        cwd=ROOT,
        check=True,
    )  # fmt: skip
    for po in catalogs():
        language = po.parent.parent.name
        subprocess.run(
            [*pybabel, "update", "-i", str(POT), "-o", str(po), "-l", language, "--no-wrap",
             "--no-fuzzy-matching", "--ignore-obsolete"],
            cwd=ROOT,
            check=True,
        )  # fmt: skip


def compile_catalogs() -> list[Path]:
    """Every .po compiled to its .mo when the .mo is missing or older; returns those written."""
    written = []
    for po in catalogs():
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle)
        with mo.open("wb") as handle:
            write_mo(handle, catalog)  # fuzzy entries are left out, as msgfmt does
        written.append(mo)
    return written


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "extract":
        extract()
    elif command == "compile":
        for mo in compile_catalogs():
            print(f"compiled {mo.relative_to(ROOT)}", file=sys.stderr)
    else:
        print("usage: scripts/catalogs.py {extract|compile}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
