"""Answers that never end, or never stop coming, and a cancel while the server hangs.

Every attempt has a deadline as a whole (a server trickling one byte at a time is cut off), every
answer a size limit (a body of 64 MB is not read into memory), a cancel cuts off the request in
flight at once, and a server that gives no answer at all is given up on after ``give_up_s``
however many attempts are left. Real sockets against the local test server; the times are
real, and short.
"""

from __future__ import annotations

import threading
import time

import pytest

from app.core.cancel import Cancelled, CancelToken
from app.core.destinations.errors import NetworkError
from app.core.destinations.http.transport import ANSWER_LIMIT_BYTES
from tests.integration.conftest import ClientFactory, SimFactory
from tests.support.simkit.faults import HUGE, HUGE_BYTES, SLOW, TRICKLE


def people(count: int) -> list[dict[str, object]]:
    return [{"Email": f"person{i}@example.no", "FirstName": f"P{i}"} for i in range(count)]


def test_an_answer_that_trickles_is_cut_off_at_the_deadline_and_asked_again(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = make_sim(slow_seconds=0.5)  # about a minute for the whole answer
    client = make_client(base_url=sim.base_url, read_timeout=1.0, connect_timeout=1.0)
    sim.fail_next(TRICKLE, 1, path="/contacts")
    started = time.monotonic()
    result = client.upsert_contacts(people(20))
    took = time.monotonic() - started
    assert len(result.confirmed) == 20 and result.requests == 2
    assert took < 6.0, f"cut off at the deadline of about 2 s, not after a minute ({took:.1f} s)"


def test_an_answer_far_too_large_is_not_read_and_asked_again(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    assert HUGE_BYTES > ANSWER_LIMIT_BYTES
    sim = make_sim()
    client = make_client(base_url=sim.base_url)
    sim.fail_next(HUGE, 1, path="/contacts")
    result = client.upsert_contacts(people(20))
    assert len(result.confirmed) == 20 and result.requests == 2
    assert client.stats.errors.get("too_large") == 1


def test_too_large_answers_every_time_fail_with_a_message(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = make_sim()
    client = make_client(base_url=sim.base_url, max_attempts=2)
    sim.fail_next(HUGE, 5, path="/contacts")
    with pytest.raises(NetworkError, match="far larger than any real one"):
        client.upsert_contacts(people(5))


def test_a_cancel_cuts_off_a_request_the_server_never_answers(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = make_sim(slow_seconds=30.0)
    client = make_client(base_url=sim.base_url, read_timeout=60.0)
    sim.fail_next(SLOW, 1, path="/contacts")
    cancel = CancelToken()
    threading.Timer(0.5, cancel.cancel, args=("test",)).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        client.upsert_contacts(people(5), cancel=cancel)
    assert time.monotonic() - started < 2.0


def test_a_server_that_never_answers_is_given_up_on_with_attempts_left(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = make_sim(slow_seconds=30.0)
    client = make_client(
        base_url=sim.base_url, read_timeout=0.5, connect_timeout=0.5, give_up_s=2.0
    )
    sim.fail_next(SLOW, 100, path="/contacts")
    started = time.monotonic()
    with pytest.raises(NetworkError, match="did not answer"):
        client.upsert_contacts(people(5))
    took = time.monotonic() - started
    assert 2.0 <= took < 5.0
    assert len(sim.requests("/contacts")) < 8, "not every attempt was spent"
