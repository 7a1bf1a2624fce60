"""`segment add | list | remove` through the real command line, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.store import StateStore

ROOT = Path(__file__).resolve().parents[2]
CUSTOMERS = (
    "Email,City,Amount,Postcode\n"
    'ola@example.no, Oslo ,"1,5",0150\n'
    "kari@example.no,oslo,20,150\n"
    "per@example.no,Bergen,3,\n"
)


def imported(folder: Path) -> Path:
    """A data directory under ``folder`` with the customers file imported as "customers"."""
    home = folder / "home"
    path = folder / "customers.csv"
    path.write_text(CUSTOMERS, encoding="utf-8")
    done = run(home, "source", "import", str(path), "--name", "customers")
    assert done.returncode == 0, done.stderr
    return home


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return imported(tmp_path)


@pytest.fixture(scope="module")
def untouched_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared by tests that only read or are refused: nothing may be saved in it."""
    return imported(tmp_path_factory.mktemp("cli-segments"))


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, AUTOPILOT_EXPORTER_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def segment(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(home, "segment", *args)


def assert_refused(done: subprocess.CompletedProcess[str], message: str) -> None:
    """Exit 2, nothing on stdout, one line on stderr, no traceback."""
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert message in done.stderr


def listed(home: Path) -> list[dict[str, object]]:
    done = segment(home, "list", "--json")
    assert done.returncode == 0, done.stderr
    items: list[dict[str, object]] = json.loads(done.stdout)
    return items


def test_add_prints_the_member_count_and_list_json_shows_it(home: Path) -> None:
    done = segment(
        home, "add", "VIP", "--source", "customers",
        "--where", "City", "eq", "OSLO", "--where", "Amount", "gt", "1,4",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr == "Segment 'VIP' saved: 2 members.\n"
    assert listed(home) == [
        {
            "name": "VIP",
            "source": "customers",
            "match": "all",
            "rules": [
                {"field": "City", "op": "eq", "value": "OSLO"},
                {"field": "Amount", "op": "gt", "value": "1,4"},
            ],
            "members": 2,
        }
    ]


def test_match_any_whole_source_and_empty_tests(home: Path) -> None:
    any_ = segment(
        home, "add", "Either", "--source", "customers", "--match", "any",
        "--where", "City", "eq", "bergen", "--where", "Postcode", "eq", "0150",
    )  # fmt: skip
    assert any_.stderr == "Segment 'Either' saved: 2 members.\n"
    whole = segment(home, "add", "All", "--source", "customers")
    assert whole.stderr == "Segment 'All' saved: 3 members.\n"
    empty = segment(
        home, "add", "NoPost", "--source", "customers", "--where", "Postcode", "is-empty", ""
    )
    assert empty.stderr == "Segment 'NoPost' saved: 1 member.\n"
    members = {item["name"]: item["members"] for item in listed(home)}
    assert members == {"All": 3, "Either": 2, "NoPost": 1}


def test_list_without_json_is_a_table_on_stdout(home: Path) -> None:
    segment(home, "add", "VIP", "--source", "customers", "--where", "City", "eq", "oslo")
    done = segment(home, "list")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "NAME  SOURCE     MEMBERS  RULES",
        'VIP   customers  2        City eq "oslo"',
    ]


def test_an_existing_name_needs_replace(home: Path) -> None:
    assert segment(home, "add", "VIP", "--source", "customers").returncode == 0
    assert_refused(
        segment(home, "add", "vip", "--source", "customers"),
        "error: A segment named 'VIP' already exists. Choose another name "
        "(or use --replace to overwrite it).",
    )
    done = segment(
        home, "add", "VIP", "--source", "customers", "--where", "City", "eq", "Bergen",
        "--replace",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == "Segment 'VIP' saved: 1 member.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--source", "nope"], 'No source named "nope"'),
        (
            ["--source", "customers", "--where", "Town", "eq", "x"],
            "Rule 1: source 'customers' has no field 'Town'; its fields are: Email, City, "
            "Amount, Postcode.",
        ),
        (
            ["--source", "customers", "--where", "City", "like", "x"],
            "Rule 1: unknown operator 'like'; use one of: eq, ne, contains,",
        ),
        (["--source", "customers", "--where", "City", "in", ","], "'in' needs a comma-separated"),
        (["--source", "customers", "--match", "some"], "invalid choice: 'some'"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    untouched_home: Path, args: list[str], message: str
) -> None:
    assert_refused(segment(untouched_home, "add", "Bad", *args), message)
    assert listed(untouched_home) == []


def test_remove(home: Path) -> None:
    segment(home, "add", "VIP", "--source", "customers")
    done = segment(home, "remove", "vip")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "Segment 'VIP' removed.\n")
    assert listed(home) == []
    assert_refused(segment(home, "remove", "VIP"), "No segment named 'VIP'")


def test_removing_a_segment_an_export_uses_exits_2_naming_it(home: Path) -> None:
    segment(home, "add", "VIP", "--source", "customers")
    state = StateStore(home / "data" / "state.sqlite3")
    stamp = "2026-01-01T00:00:00Z"
    with state.transaction() as db:
        db.execute(
            "INSERT INTO connections (name, base_url, rate_limit, profile_cap, consent_at,"
            " consent_version, created_at, updated_at)"
            " VALUES ('main', 'https://api2.autopilothq.com/v1', 5, 100000, ?, '1', ?, ?)",
            (stamp, stamp, stamp),
        )
        db.execute(
            "INSERT INTO exports (name, connection_id, mapping, created_at, updated_at)"
            " SELECT 'Newsletter', id, '[]', ?, ? FROM connections",
            (stamp, stamp),
        )
        db.execute(
            "INSERT INTO export_segments (export_id, segment_id, position)"
            " SELECT e.id, s.id, 0 FROM exports e, segments s"
        )
    assert_refused(segment(home, "remove", "VIP"), "used by the export 'Newsletter'")
    assert [item["name"] for item in listed(home)] == ["VIP"]


def test_a_segment_whose_field_left_the_source_lists_without_a_count(
    home: Path, tmp_path: Path
) -> None:
    segment(home, "add", "VIP", "--source", "customers", "--where", "City", "eq", "oslo")
    path = tmp_path / "changed.csv"
    path.write_text("Email,Town\nola@example.no,Oslo\n", encoding="utf-8")
    assert run(home, "source", "import", str(path), "--name", "customers").returncode == 0
    done = segment(home, "list", "--json")
    assert done.returncode == 0
    assert json.loads(done.stdout)[0]["members"] is None
    assert "warning: segment 'VIP': Rule 1: source 'customers' has no field 'City'" in done.stderr
