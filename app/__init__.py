"""Autopilot Segment Exporter: export segments of customer profiles to Autopilot lists."""

__version__ = "0.1.0"
