"""The bundled synthetic customer file behind "Try it with sample data".

Everyone in it is invented and every address is on a domain reserved for examples, so a new user
can follow the whole flow (segments, mapping, even a dry run) before touching real data.
"""

from __future__ import annotations

from pathlib import Path

from app.core.resources import resource_path
from app.core.segments import Rule, Segment

SAMPLE_SOURCE = "Sample customers"
SAMPLE_FILE = "sample_customers.csv"


def sample_file() -> Path:
    return resource_path(SAMPLE_FILE)


def sample_segments() -> list[Segment]:
    """Two segments that show what rules can do, created with the sample profiles."""
    return [
        Segment(
            name="Newsletter subscribers in Norway",
            source=SAMPLE_SOURCE,
            match="all",
            rules=(
                Rule("Country", "eq", "Norway"),
                Rule("Newsletter", "eq", "yes"),
                Rule("OptedOut", "ne", "yes"),
            ),
        ),
        Segment(
            name="Loyal customers",
            source=SAMPLE_SOURCE,
            match="all",
            rules=(Rule("LoyaltyPoints", "ge", "1000"),),
        ),
    ]
