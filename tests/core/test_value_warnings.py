"""`value_warnings`: a typed custom field mapped to a column whose first values do not convert."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import build_parser, run_command
from app.context import AppContext, build_context
from app.core.connections import Connection
from app.core.destinations.autopilot.fields import FIELDS
from app.core.export import Export
from app.core.export.sampling import SAMPLE_VALUES, value_warnings
from app.core.mapping import Mapping
from app.core.secrets import MemorySecretStore
from app.core.segments import Segment
from app.core.store import utc_now


@pytest.fixture
def context(tmp_path: Path) -> AppContext:
    ctx = build_context(secret_store=MemorySecretStore(), open_log=False)
    lines = ["Email,Points,City,Born,Member"]
    lines += [f"p{i}@example.com,{i},Oslo,2001-02-03,yes" for i in range(1, 61)]
    lines += ["late@example.com,lots,Oslo,someday,maybe"]  # after the first 50 values
    lines.insert(3, "odd@example.com,,Bergen,,")  # empty cells are not looked at
    path = tmp_path / "customers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ctx.profiles.import_file(path, "Customers")
    ctx.segments.add(Segment("Everyone", "Customers"))
    ctx.connections.save(Connection("Journeys", consent_at=utc_now()))
    return ctx


def export_of(*specs: str) -> Export:
    return Export("Weekly", "Journeys", ("Everyone",), Mapping.from_specs(specs, FIELDS))


def test_columns_that_fit_their_types_give_no_warning(context: AppContext) -> None:
    export = export_of(
        "Email=Email",
        "custom:integer:Points=Points",
        "custom:date:Born=Born",
        "custom:boolean:Member=Member",
        "custom:string:City=City",
    )
    assert value_warnings(export, context.services) == []


def test_a_text_column_behind_a_number_field_is_named_with_an_example(
    context: AppContext,
) -> None:
    export = export_of("Email=Email", "custom:integer:Loyalty=City", "custom:date:Born=Born")
    assert value_warnings(export, context.services) == [
        "The field 'Loyalty' (type integer) is mapped to the column 'City', but "
        f"{SAMPLE_VALUES} of its first {SAMPLE_VALUES} values do not convert (for example, "
        "'Oslo' is not a whole number); rows with such values are invalid and not sent. Map a "
        "column that holds that type, or choose the type that the column holds."
    ]


def test_export_add_warns_and_saves(
    context: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    maps = ["--map", "Email=Email", "--map", "custom:boolean:Member=City"]
    args = build_parser().parse_args(
        ["export", "add", "Weekly", "--connection", "Journeys", "--segment", "Everyone", *maps]
    )
    assert run_command(args, context) == 0
    err = capsys.readouterr().err
    assert "warning: The field 'Member' (type boolean) is mapped to the column 'City'" in err
    assert "'Oslo' is not a yes/no value" in err
    assert "Export 'Weekly' saved" in err
    assert context.exports.get("Weekly").mapping.fields[1].column == "City"
