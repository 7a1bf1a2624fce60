"""The Ortto test server itself, driven with plain requests: the contract's shapes and switches."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.ortto_sim import (
    COMMIT_TIMEOUT,
    ERROR_500,
    NO_ANSWER,
    ManualClock,
    OrttoSimulator,
)

ROOT = Path(__file__).resolve().parents[2]
KEY = "ortto-pk-7d2e4c1a9b8f4e6d8c0a1b2c3d4e5f60"
SEED = 20240611
EMAIL = "str::email"
LOYALTY = "int:cm:loyalty-points"

Post = Callable[..., requests.Response]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make_ortto(clock: ManualClock) -> Iterator[Callable[..., OrttoSimulator]]:
    started: list[OrttoSimulator] = []

    def make(**kwargs: Any) -> OrttoSimulator:
        kwargs.setdefault("keys", {KEY})
        kwargs.setdefault("rate", None)
        kwargs.setdefault("seed", SEED)
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("custom_fields", {"Loyalty points": "integer"})
        ortto = OrttoSimulator(**kwargs).start()
        started.append(ortto)
        return ortto

    yield make
    for ortto in started:
        ortto.stop()


@pytest.fixture
def ortto(make_ortto: Callable[..., OrttoSimulator]) -> OrttoSimulator:
    return make_ortto()


@pytest.fixture
def post(ortto: OrttoSimulator) -> Iterator[Post]:
    """POST a JSON body to a path under /v1 with the key (or ``key=...``, None for none)."""
    with requests.Session() as session:

        def send(path: str, body: object = None, *, key: str | None = KEY, **kw: Any) -> Any:
            headers = {"X-Api-Key": key} if key is not None else {}
            kw.setdefault("timeout", 5)
            return session.post(f"{ortto.base_url}{path}", json=body, headers=headers, **kw)

        yield send


def merge_body(*people: dict[str, Any]) -> dict[str, Any]:
    return {"people": list(people), "merge_by": [EMAIL], "merge_strategy": 2,
            "find_strategy": 0, "async": False}  # fmt: skip


def person(email: str, tags: list[str] | None = None, **fields: Any) -> dict[str, Any]:
    sent: dict[str, Any] = {"fields": {EMAIL: email, **fields}}
    if tags is not None:
        sent["tags"] = tags
    return sent


def assert_error(answer: requests.Response, status: int, text: str) -> dict[str, Any]:
    payload: dict[str, Any] = answer.json()
    assert answer.status_code == status
    assert payload["code"] == status
    assert text in payload["error"]
    uuid.UUID(payload["request_id"])
    return payload


def test_auth_answers_401_for_a_missing_wrong_or_disconnected_key_and_403_when_expired(
    ortto: OrttoSimulator, post: Post
) -> None:
    assert_error(post("/person/custom-field/get", {}, key=None), 401, "missing API key")
    assert_error(post("/person/custom-field/get", {}, key="nope"), 401, "invalid API key")
    lower = requests.post(
        f"{ortto.base_url}/person/custom-field/get", json={}, headers={"x-api-key": KEY}, timeout=5
    )
    assert lower.status_code == 200

    ortto.expire_account()
    assert_error(post("/person/custom-field/get", {}), 403, "account expired")
    ortto.expire_account(False)
    ortto.forbid_key(KEY)
    assert_error(post("/person/custom-field/get", {}), 403, "no longer has access")
    ortto.disconnect_key(KEY)
    assert_error(post("/person/custom-field/get", {}), 401, "invalid API key")
    assert [r.status for r in ortto.requests()] == [401, 401, 200, 403, 403, 401]
    assert ortto.counters().get("people_created", 0) == 0


def test_merge_answers_each_person_in_order_and_stores_only_the_valid(
    ortto: OrttoSimulator, post: Post
) -> None:
    ortto.suppress("Gone@Example.no")
    ortto.put_person({EMAIL: "kari@example.no", "str::first": "K", "str::last": "Nordmann"})

    answer = post("/person/merge", merge_body(
        person("new@example.no", **{LOYALTY: 7, "bol::p": False}),
        person(" KARI@example.no ", **{"str::first": "Kari"}),
        person("gone@example.no"),
        person("odd@example.no", **{"str:cm:not-made": "x"}),
        person("long@example.no", **{"str::first": "x" * 256}),
        person("float@example.no", **{LOYALTY: 1.5}),
    ))  # fmt: skip

    assert answer.status_code == 200
    entries = answer.json()["people"]
    assert [e["status"] for e in entries] == [
        "created", "merged", "suppressed", "invalid", "invalid", "invalid"
    ]  # fmt: skip
    assert entries[2] == {"status": "suppressed", "error": "Email is suppressed"}
    assert entries[3]["error"].startswith("failed to validate field str:cm:not-made")
    assert "255" in entries[4]["error"]
    assert set(ortto.people()) == {"new@example.no", "kari@example.no"}
    kari = ortto.person("kari@example.no")
    assert kari is not None and entries[1]["person_id"] == kari["person_id"]
    assert kari["fields"] == {
        EMAIL: " KARI@example.no ",
        "str::first": "Kari",
        "str::last": "Nordmann",
    }
    new = ortto.person("NEW@example.no")
    assert new is not None and new["fields"] == {
        EMAIL: "new@example.no",
        LOYALTY: 7,
        "bol::p": False,
    }


def test_a_batch_with_no_valid_person_fails_whole_with_details(
    ortto: OrttoSimulator, post: Post
) -> None:
    ortto.suppress("a@example.no")

    answer = post("/person/merge", merge_body(person("a@example.no"), person("not-an-email")))

    payload = assert_error(answer, 400, "No valid contacts provided (Email is suppressed)")
    assert payload["error"] == "No valid contacts provided (Email is suppressed)"
    assert payload["details"] == [
        {"status": "suppressed", "error": "Email is suppressed"},
        {
            "status": "invalid",
            "error": "failed to validate field str::email: invalid email address",
        },
    ]
    assert ortto.people() == {}


def test_batch_size_and_body_size_limits(ortto: OrttoSimulator, post: Post) -> None:
    many = [person(f"p{i}@example.no") for i in range(101)]
    assert_error(post("/person/merge", merge_body(*many)), 400, "between 1 and 100")
    assert_error(post("/person/merge", merge_body()), 400, "between 1 and 100")
    assert post("/person/merge", merge_body(*many[:100])).status_code == 200

    huge = merge_body(person("big@example.no", **{"txt:cm:notes": "x" * (2 * 1024 * 1024)}))
    assert_error(post("/person/merge", huge), 400, "too large")
    ortto.configure(oversize_status=413)
    assert_error(post("/person/merge", huge), 413, "too large")
    assert len(ortto.people()) == 100


def test_custom_fields_are_listed_created_and_refused_when_duplicate_or_over_the_limit(
    ortto: OrttoSimulator, post: Post
) -> None:
    made = post("/person/custom-field/create", {"type": "text", "name": "Favourite Colour"})
    assert made.json() == {
        "name": "Favourite Colour",
        "field_id": "str:cm:favourite-colour",
        "display_type": "text",
    }
    for kind, prefix in [("large_text", "txt"), ("decimal", "dec"), ("date", "dtz"),
                         ("bool", "bol"), ("phone", "phn")]:  # fmt: skip
        answer = post("/person/custom-field/create", {"type": kind, "name": f"My {kind}"})
        assert answer.json()["field_id"] == f"{prefix}:cm:my-{kind.replace('_', '-')}"
    assert_error(
        post("/person/custom-field/create", {"type": "integer", "name": "favourite colour"}),
        400,
        "already exists",
    )
    ortto.configure(max_custom_fields=7)
    assert_error(
        post("/person/custom-field/create", {"type": "integer", "name": "One more"}), 400, "limit"
    )

    listed = post("/person/custom-field/get").json()["fields"]  # no body at all
    assert listed[0] == {
        "field": {"id": LOYALTY, "name": "Loyalty points", "display_type": "integer"},
        "tracked_value": False,
    }
    assert [f["field"]["id"] for f in listed][1:3] == [
        "str:cm:favourite-colour",
        "txt:cm:my-large-text",
    ]
    assert len(listed) == len(ortto.custom_fields()) == 7

    stored = post(
        "/person/merge", merge_body(person("c@example.no", **{"str:cm:favourite-colour": "blue"}))
    )
    assert stored.json()["people"][0]["status"] == "created"
    unknown = post("/person/merge", merge_body(person("d@example.no", **{"str::nickname": "D"})))
    assert unknown.json()["details"][0]["error"].startswith(
        "failed to validate field str::nickname"
    )


def test_tags_are_added_created_on_first_use_and_unset(ortto: OrttoSimulator, post: Post) -> None:
    post(
        "/person/merge",
        merge_body(person("a@example.no", ["Spring", "VIP"]), person("b@example.no", ["Spring"])),
    )
    assert ortto.tagged("Spring") == {"a@example.no", "b@example.no"}

    leaving = person("a@example.no", ["Summer"])
    leaving["unset_tags"] = ["Spring"]
    post("/person/merge", merge_body(leaving))

    assert ortto.tagged("Spring") == {"b@example.no"}
    assert ortto.tagged("Summer") == {"a@example.no"}
    assert ortto.tags() == ["Spring", "VIP", "Summer"]
    a = ortto.person("a@example.no")
    assert a is not None and a["tags"] == ["VIP", "Summer"]


def test_the_rate_limit_answers_429_with_try_in_seconds(
    make_ortto: Callable[..., OrttoSimulator], clock: ManualClock
) -> None:
    ortto = make_ortto(rate=10.0, burst=2, try_in_seconds=10)
    url, headers = f"{ortto.base_url}/person/custom-field/get", {"X-Api-Key": KEY}

    statuses = [requests.post(url, json={}, headers=headers, timeout=5) for _ in range(3)]
    assert [a.status_code for a in statuses] == [200, 200, 429]
    assert statuses[2].json() == {
        "error": {"code": "rate-limit", "message": "rate limit", "try-in-seconds": 10}
    }
    clock.advance(0.1)
    assert requests.post(url, json={}, headers=headers, timeout=5).status_code == 200
    assert ortto.count_429() == 1
    assert not ortto.ever_banned  # 429s are not bad requests


@pytest.mark.parametrize("ban_status", [429, 403])
def test_fifteen_bad_requests_in_fifteen_seconds_ban_the_caller(
    make_ortto: Callable[..., OrttoSimulator], clock: ManualClock, ban_status: int
) -> None:
    ortto = make_ortto(ban_status=ban_status)
    url = f"{ortto.base_url}/person/custom-field/get"

    def call(key: str = KEY) -> requests.Response:
        return requests.post(url, json={}, headers={"X-Api-Key": key}, timeout=5)

    for _ in range(14):
        assert call("wrong").status_code == 401
    clock.advance(15.0)  # those fall out of the window
    for _ in range(14):
        assert call("wrong").status_code == 401
    assert call().status_code == 200 and not ortto.ever_banned
    assert requests.post(f"{ortto.base_url}/person/nope", json={}, headers={"X-Api-Key": KEY},
                         timeout=5).status_code == 404  # fmt: skip
    assert [(b.host, b.reason) for b in ortto.bans()] == [("127.0.0.1", "bad requests")]

    clock.advance(5.0)
    banned = call()
    assert banned.status_code == ban_status
    if ban_status == 429:
        assert banned.json()["error"]["try-in-seconds"] == 10
    else:
        assert "too many bad requests" in banned.json()["error"]
    clock.advance(10.0)
    assert call().status_code == 200
    assert len(ortto.bans()) == 1


def test_faults_commit_then_timeout_and_a_500_in_ortto_shape(
    make_ortto: Callable[..., OrttoSimulator],
) -> None:
    ortto = make_ortto(slow_seconds=0.05)
    url, headers = f"{ortto.base_url}/person/merge", {"X-Api-Key": KEY}
    ortto.fail_next(COMMIT_TIMEOUT)
    ortto.fail_next(ERROR_500, path="/person/custom-field/*")

    with pytest.raises(requests.ConnectionError):
        requests.post(url, json=merge_body(person("z@example.no")), headers=headers, timeout=5)
    failed = requests.post(f"{ortto.base_url}/person/custom-field/get", headers=headers, timeout=5)

    assert ortto.person("z@example.no") is not None  # applied, never confirmed
    assert_error(failed, 500, "unexpected")
    assert [(r.status, r.fault) for r in ortto.requests()] == [
        (NO_ANSWER, COMMIT_TIMEOUT),
        (500, ERROR_500),
    ]


def test_the_log_keeps_headers_bodies_and_counts_per_path(
    ortto: OrttoSimulator, post: Post
) -> None:
    body = merge_body(person("a@example.no"))
    post("/person/merge", body)
    post("/person/custom-field/get", {})
    ortto.configure(record_bodies=False, redact_key=True)
    post("/person/merge", body)

    first, _, last = ortto.requests()
    assert (first.method, first.path, first.status, first.body) == (
        "POST",
        "/person/merge",
        200,
        body,
    )
    assert first.headers["x-api-key"] == KEY
    assert first.headers["content-type"] == "application/json"
    assert (last.body, last.headers["x-api-key"]) == (None, "<redacted>")
    assert ortto.path_counts() == {"/person/merge": 2, "/person/custom-field/get": 1}
    assert len(ortto.requests("/person/merge")) == 2


def test_the_server_runs_as_its_own_process_and_is_steered_over_http(tmp_path: Path) -> None:
    ready = tmp_path / "ortto.url"
    command = [sys.executable, "-m", "tests.support.ortto_sim", "--key", KEY]
    command += ["--field", "integer:Loyalty points", "--suppress", "s@example.no"]
    command += ["--ready-file", str(ready)]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()  # written once the server listens
        base_url = ready.read_text(encoding="utf-8").strip()
        assert line.strip() == f"Ortto simulator listening on {base_url}"
        headers = {"X-Api-Key": KEY}
        sent = merge_body(person("far@example.no", **{LOYALTY: 3}), person("s@example.no"))

        answer = requests.post(f"{base_url}/person/merge", json=sent, headers=headers, timeout=5)

        assert [e["status"] for e in answer.json()["people"]] == ["created", "suppressed"]
        state = requests.get(f"{base_url}/_sim/state", timeout=5).json()
        assert state["people"]["far@example.no"]["fields"][LOYALTY] == 3
        config = {"disconnect_keys": [KEY]}
        assert requests.post(f"{base_url}/_sim/config", json=config, timeout=5).ok
        again = requests.post(f"{base_url}/person/merge", json=sent, headers=headers, timeout=5)
        assert again.status_code == 401
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
        process.stderr.close()  # type: ignore[union-attr]
