"""DNS rebinding: a name that resolves to a public address when checked and to 127.0.0.1 when
connecting must never reach 127.0.0.1 (every connector speaks through httpx)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from app.channels.connectors import ChannelConfig, Rejected, get_connector
from tests.fakes.tls import loopback_certificate
from tests.fakes.webhook import FakeWebhookReceiver

PUBLIC = "93.184.215.14"


class RebindingResolver:
    """socket.getaddrinfo answering a public address the first time for rebind.test, then loopback."""

    def __init__(self) -> None:
        self.real = socket.getaddrinfo
        self.answers: list[str] = []

    def __call__(self, host, port, *args, **kwargs):
        if host != "rebind.test":
            return self.real(host, port, *args, **kwargs)
        address = PUBLIC if not self.answers else "127.0.0.1"
        self.answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port or 80)))]


@pytest.fixture
def rebinding(monkeypatch) -> RebindingResolver:
    resolver = RebindingResolver()
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    return resolver


def public_config(platform: str, server_url: str | None, **kwargs) -> ChannelConfig:
    """A production-like config: private addresses refused (plain http only to reach the fake)."""
    return ChannelConfig(
        platform=platform,
        server_url=server_url,
        handle=None,
        timeout=2,
        allow_private_urls=False,
        require_https=False,
        **kwargs,
    )


def rebound(url: str) -> str:
    return f"http://rebind.test:{urlsplit(url).port}"


def test_a_webhook_never_connects_to_the_rebound_address(rebinding, receiver, make_request):
    config = public_config(
        "webhook",
        None,
        credentials={"secret": receiver.secret},
        settings={"url": rebound(receiver.url) + receiver.path},
    )
    with pytest.raises(Rejected, match="this computer"):
        get_connector(config).publish(make_request())
    assert receiver.requests == []
    assert rebinding.answers[0] == PUBLIC and "127.0.0.1" in rebinding.answers


def test_mastodon_never_connects_to_the_rebound_address(rebinding, mastodon, make_request):
    config = public_config("mastodon", rebound(mastodon.url), credentials={"access_token": "test-token"})
    with pytest.raises(Rejected, match="this computer"):
        get_connector(config).publish(make_request())
    assert mastodon.requests == []
    assert rebinding.answers[0] == PUBLIC and "127.0.0.1" in rebinding.answers


def test_a_pinned_connection_still_names_the_host_for_tls_and_http(tmp_path, monkeypatch, make_request):
    cert_path, context = loopback_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    with FakeWebhookReceiver().serve_tls(context) as receiver:
        url = f"https://localhost:{urlsplit(receiver.url).port}{receiver.path}"
        config = ChannelConfig(
            platform="webhook",
            server_url=None,
            handle=None,
            credentials={"secret": receiver.secret},
            settings={"url": url},
            timeout=2,
            allow_private_urls=True,
        )
        get_connector(config).publish(make_request())  # the certificate names localhost, not 127.0.0.1
        assert receiver.requests[0].headers["host"] == f"localhost:{urlsplit(receiver.url).port}"
