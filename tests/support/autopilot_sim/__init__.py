"""A local Autopilot API server for the integration tests and benchmarks; never shipped.

It implements the contract in ``autopilot-api.md`` over real HTTP on 127.0.0.1, with a per-key
rate limit, switchable faults and a record of everything it received (the machinery it shares
with the Ortto server is in ``tests.support.simkit``). Run it in-process::

    with AutopilotSimulator(keys={"k1"}, rate=200, burst=50, seed=1) as sim:
        client = AutopilotClient(sim.base_url, "k1")

or as its own process (``python -m tests.support.autopilot_sim --help``).

Where the contract is unknown, the defaults are: an invalid email is stored like any other
(``silent_drop_invalid`` and ``reject_batch_on_invalid`` switch to the other two behaviours);
an unknown ``_autopilot_list`` stores the contact without the membership (``unknown_list``);
a second list with an existing title is created (``list_title_conflict`` answers 409 instead);
``email_contact_map`` keys come back as sent (``email_case``). See ``config.SimConfig``.
"""

from tests.support.autopilot_sim.server import AutopilotSimulator
from tests.support.simkit.faults import (
    COMMIT_TIMEOUT,
    ERROR_500,
    HTML_503,
    RESET,
    SLOW,
    STATUS,
)
from tests.support.simkit.recorder import NO_ANSWER, RecordedRequest

__all__ = [
    "COMMIT_TIMEOUT",
    "ERROR_500",
    "HTML_503",
    "NO_ANSWER",
    "RESET",
    "SLOW",
    "STATUS",
    "AutopilotSimulator",
    "RecordedRequest",
]
