"""Cancel tokens: a run's own token follows its caller's, never the other way round."""

from __future__ import annotations

from app.core.cancel import CancelToken


def test_cancelling_the_parent_cancels_its_child_with_the_same_reason() -> None:
    parent = CancelToken()
    child = parent.child()
    assert not child.is_cancelled()
    parent.cancel("Cancelled by a signal (Ctrl+C or SIGTERM).")
    assert child.is_cancelled()
    assert child.reason == "Cancelled by a signal (Ctrl+C or SIGTERM)."
    assert child.wait(10.0)  # returns at once


def test_cancelling_a_child_leaves_the_parent_be() -> None:
    parent = CancelToken()
    child = parent.child()
    child.cancel("Stopping the run.")
    assert child.is_cancelled() and not parent.is_cancelled()
    parent.cancel()
    assert child.reason == "Stopping the run."  # the first reason stays


def test_a_child_of_a_cancelled_token_starts_cancelled() -> None:
    parent = CancelToken()
    parent.cancel()
    child = parent.child()
    assert child.is_cancelled() and child.reason == "Cancelled by the user."
