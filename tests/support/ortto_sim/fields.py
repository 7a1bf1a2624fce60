"""Field ids (``type:namespace:name``), custom field types, and what a value of each type may be.

Where the contract does not say how a value is encoded ([?] in ``ortto-api.md``), the check
follows ``OrttoConfig``'s switches, so a test can try the other reading.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from tests.support.ortto_sim.config import OrttoConfig

EMAIL = "str::email"

BUILT_INS = frozenset(
    {
        "str::email",
        "str::first",
        "str::last",
        "phn::phone",
        "geo::city",
        "geo::region",
        "geo::country",
        "geo::postal",
        "str::ei",
        "dtz::b",
        "bol::p",
        "bol::sp",
    }
)

# custom-field/create "type" -> (id prefix, display_type)
CREATE_TYPES = {
    "text": "str",
    "large_text": "txt",
    "integer": "int",
    "decimal": "dec",
    "date": "dtz",
    "time": "dtz",
    "bool": "bol",
    "phone": "phn",
    "single_select": "sst",
    "multi_select": "mst",
}
PREFIXES = frozenset(CREATE_TYPES.values()) | {"geo"}

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def kebab(name: str) -> str:
    """``"Loyalty points"`` -> ``"loyalty-points"``."""
    return re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")


def custom_id(create_type: str, name: str) -> str:
    return f"{CREATE_TYPES[create_type]}:cm:{kebab(name)}"


def bad_email(value: object) -> bool:
    if not isinstance(value, str) or not _EMAIL.fullmatch(value.strip()):
        return True
    domain = value.strip().lower().rsplit("@", 1)[1]
    return domain == "invalid" or domain.endswith(".invalid")


def value_problem(field_id: str, value: object, config: OrttoConfig) -> str | None:
    """Why ``value`` cannot go into ``field_id`` (a known field), or None."""
    if value is None:
        return None if config.null_values == "clear" else "null is not a value"
    prefix = field_id.split(":", 1)[0]
    if prefix in ("str", "txt", "sst"):
        limit = config.max_txt if prefix == "txt" else config.max_str
        if not isinstance(value, str):
            return "expected a string"
        if len(value) > limit:
            return f"string longer than {limit} characters"
        return None
    if prefix == "int":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "expected an integer"
        if isinstance(value, float) and config.int_values == "integer":
            return "expected an integer"
        return None
    if prefix == "dec":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else "expected a number"
    if prefix == "bol":
        return None if isinstance(value, bool) else "expected a boolean"
    if prefix == "mst":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return None if ok else "expected a list of strings"
    if prefix == "dtz":
        return _date_problem(value, config.dtz_format)
    if prefix == "phn":
        return _object_problem(value, config.phn_format, ("c", "n"), "a phone")
    if prefix == "geo":
        return _object_problem(value, config.geo_format, ("name",), "a place")
    return f"unknown field type {prefix}"


def _date_problem(value: object, accepted: str) -> str | None:
    if isinstance(value, str) and accepted in ("iso", "either"):
        text = value.strip()
        try:
            if len(text) == 10:
                date.fromisoformat(text)
            else:
                datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return "expected an ISO 8601 date"
        return None
    if isinstance(value, dict) and accepted in ("object", "either"):
        parts = ("year", "month", "day")
        if not all(isinstance(value.get(p), int) for p in parts):
            return "expected {year, month, day, timezone}"
        try:
            date(value["year"], value["month"], value["day"])
        except ValueError:
            return "not a date"
        return None
    return "expected an ISO 8601 date" if accepted == "iso" else "expected a date object"


def _object_problem(value: object, accepted: str, keys: tuple[str, ...], what: str) -> str | None:
    if isinstance(value, str) and accepted in ("string", "either"):
        return None
    if isinstance(value, dict) and accepted in ("object", "either"):
        ok = all(isinstance(value.get(k), str) and value[k] for k in keys)
        return None if ok else f"expected {what} object with {', '.join(keys)}"
    return f"expected {what} {'string' if accepted == 'string' else 'object'}"
