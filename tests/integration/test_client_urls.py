"""Base URL rules: HTTPS, or plain HTTP to this computer only; nothing secret echoed."""

from __future__ import annotations

import pytest

from app.core.destinations.autopilot import DEFAULT_BASE_URL
from app.core.destinations.http.urls import validate_base_url
from app.core.errors import UsageError


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        (DEFAULT_BASE_URL, DEFAULT_BASE_URL),
        (" HTTPS://API2.AutopilotHQ.com/v1/ ", DEFAULT_BASE_URL),
        ("http://localhost:8080/v1", "http://localhost:8080/v1"),
        ("http://127.0.0.1:9/v1/", "http://127.0.0.1:9/v1"),
        ("http://127.10.20.30/v1", "http://127.10.20.30/v1"),
        ("http://[::1]:8000/v1", "http://[::1]:8000/v1"),
    ],
)
def test_good_urls_are_normalised(given: str, normalised: str) -> None:
    assert validate_base_url(given) == normalised


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("http://api2.autopilothq.com/v1", "must use https:// for api2.autopilothq.com"),
        ("http://192.168.1.10/v1", "only for this computer"),
        ("http://localhost.example.com/v1", "must use https://"),
        ("ftp://api2.autopilothq.com/v1", "must be a web address"),
        ("api2.autopilothq.com/v1", "must be a web address"),
        ("https:///v1", "must be a web address"),
        ("https://api2.autopilothq.com/v1?key=1", "?query"),
        ("https://api2.autopilothq.com:99999/v1", "invalid port"),
    ],
)
def test_bad_urls_are_refused_with_a_reason(given: str, says: str) -> None:
    with pytest.raises(UsageError, match=says.replace("?", r"\?")):
        validate_base_url(given)


def test_credentials_in_the_url_are_refused_without_echoing_them() -> None:
    with pytest.raises(UsageError) as caught:
        validate_base_url("https://user:s3cret-pass@api2.autopilothq.com/v1")

    assert "s3cret-pass" not in str(caught.value)
