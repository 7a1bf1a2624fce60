"""The keywords that mark a text for the catalog (as scripts/catalogs.py extracts them)."""

from __future__ import annotations

# _ and N_ a text, ngettext a singular and a plural, pgettext a context and a text.
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
