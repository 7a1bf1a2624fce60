"""A connection: which destination, where to send, how fast, how much, and the user's consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.core.i18n import N_
from app.core.store import to_iso

DEFAULT_SERVICE = "autopilot"  # DESIGN.md section 4: --service defaults to Autopilot Journeys
DEFAULT_PROFILE_CAP = 100_000

PRIVACY_NOTICE_VERSION = "2026-11-29"
# Marked for the catalog: the window shows it in the user's language (the CLI in English).
PRIVACY_NOTICE = N_(
    "Exporting sends data from this computer to Autopilot, a service outside your organisation. "
    "The data includes personal data about your customers (such as names and email addresses). "
    "You are responsible for making sure that sending it is lawful and that Autopilot meets "
    "your organisation's privacy and compliance obligations (for example a data processing "
    "agreement under the GDPR). People who opted out are never subscribed again by this program. "
    "In Ortto, people the export creates get your Ortto account's default email permission: "
    "the program only ever turns it off, for people your opt-out column says opted out."
)


@dataclass(frozen=True)
class Connection:
    name: str
    base_url: str = ""  # empty: the destination's own for the region (see validate_settings)
    rate_limit: float = 0.0  # 0: the destination's default
    profile_cap: int = DEFAULT_PROFILE_CAP
    consent_at: datetime | None = None
    consent_version: str = PRIVACY_NOTICE_VERSION
    key_stored: bool = False
    keyring_backend: str = ""
    service: str = DEFAULT_SERVICE  # a key of app.core.destinations: "autopilot" | "ortto"
    region: str | None = None  # the destination's data region, where it has them

    def to_json(self) -> dict[str, object]:
        """The CLI's `connection list --json` shape; never holds the key."""
        return {
            "name": self.name,
            "service": self.service,
            "region": self.region,
            "base_url": self.base_url,
            "rate_limit": self.rate_limit,
            "profile_cap": self.profile_cap,
            "consent_at": to_iso(self.consent_at),
            "consent_version": self.consent_version,
            "key_stored": self.key_stored,
            "keyring_backend": self.keyring_backend,
        }
