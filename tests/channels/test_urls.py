"""The outbound URL guard refuses internal destinations after resolving them."""

from __future__ import annotations

import pytest

from app.channels.urls import UnsafeURLError, validate_outbound_url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://127.0.0.1/hook", "loopback"),
        ("https://10.1.2.3/hook", "private"),
        ("https://192.168.0.10/hook", "private"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("https://[::1]:8443/hook", "loopback"),
        ("https://[fd00::5]/hook", "private"),
        ("https://[fe80::1]/hook", "link-local"),
        ("https://[::ffff:127.0.0.1]/hook", "loopback"),
        ("https://0.0.0.0/hook", "unspecified"),
        ("https://224.0.0.1/hook", "multicast"),
        ("https://localhost/hook", "loopback"),
        ("https://2130706433/hook", "loopback"),
    ],
)
def test_internal_destinations_are_refused(url, reason):
    with pytest.raises(UnsafeURLError) as caught:
        validate_outbound_url(url, allow_private=False, require_https=False)
    assert reason in caught.value.message


@pytest.mark.parametrize("url", ["https://127.0.0.1:8080/hook", "http://localhost/x", "http://10.0.0.1/"])
def test_internal_destinations_are_allowed_when_private_is_allowed(url):
    assert validate_outbound_url(url, allow_private=True, require_https=False) == url


def test_public_address_is_allowed():
    url = "https://93.184.215.14/hook"
    assert validate_outbound_url(url, allow_private=False, require_https=True) == url


def test_http_is_refused_when_https_is_required():
    with pytest.raises(UnsafeURLError, match="https"):
        validate_outbound_url("http://93.184.215.14/hook", allow_private=True, require_https=True)


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/file", "file:///etc/passwd", "https://user:pw@example.org/", "https:///nohost", "x"],
)
def test_other_schemes_credentials_and_garbage_are_refused(url):
    with pytest.raises(UnsafeURLError):
        validate_outbound_url(url, allow_private=True, require_https=False)
