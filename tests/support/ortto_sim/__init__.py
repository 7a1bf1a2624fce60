"""A local Ortto API server for the integration tests and benchmarks; never shipped.

It implements the contract in ``ortto-api.md`` over real HTTP on 127.0.0.1: the ``X-Api-Key``
auth (401 and 403), ``person/merge`` with per-person results, tags, custom fields, a per-key
rate limit, the abuse guard, switchable faults and a record of every request (headers too).
It shares its machinery with the Autopilot server (``tests.support.simkit``). Run it
in-process::

    with OrttoSimulator(keys={"k1"}, rate=200, burst=50, seed=1) as sim:
        requests.post(f"{sim.base_url}/person/merge", json=..., headers={"X-Api-Key": "k1"})
        assert sim.tagged("Newsletter") == {"kari@example.no"}

or as its own process (``python -m tests.support.ortto_sim --help``).

Where the contract is unknown ([?]), the defaults are (switches in ``config.OrttoConfig``):
a body over 2 MB is Ortto's 400 (``oversize_status=413``); the abuse guard counts bad requests
and bad credentials together (``ban_counting="separate"``) and a banned caller gets 429 with
``try-in-seconds`` (``ban_status=403``); ``dtz`` values are ISO 8601 strings
(``dtz_format="object"``/``"either"``), ``phn`` and ``geo`` objects (``phn_format``,
``geo_format`` ``"string"``/``"either"``); ``int`` fields take JSON integers only
(``int_values="number"``); a null value clears the field (``null_values="invalid"``);
``async: true`` is applied at once and answered 200 ``{}`` (``async_answer``).
"""

from tests.support.ortto_sim.guard import Ban
from tests.support.ortto_sim.server import OrttoSimulator
from tests.support.simkit.clock import ManualClock
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
    "Ban",
    "ManualClock",
    "OrttoSimulator",
    "RecordedRequest",
]
