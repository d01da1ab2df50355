"""Fixtures: each fake platform on a loopback port, and channel configs pointing at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from app.channels.connectors import ChannelConfig, PublishRequest
from app.channels.connectors.bluesky import clear_sessions
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.mastodon import PROFILES as MASTODON_PROFILES
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import FakeTelegram
from tests.fakes.webhook import FakeWebhookReceiver

# Short enough to keep tests fast, long enough for a loopback answer on a busy machine.
CLIENT_TIMEOUT = 0.5


def loopback_config(platform: str, server_url: str | None, **kwargs: Any) -> ChannelConfig:
    """A channel config that may call http://127.0.0.1 (the fakes)."""
    kwargs.setdefault("handle", None)
    kwargs.setdefault("credentials", {})
    return ChannelConfig(
        platform=platform,
        server_url=server_url,
        timeout=CLIENT_TIMEOUT,
        allow_private_urls=True,
        require_https=False,
        **kwargs,
    )


@pytest.fixture(autouse=True)
def _fresh_bluesky_sessions() -> Iterator[None]:
    clear_sessions()
    yield
    clear_sessions()


@pytest.fixture
def make_request() -> Callable[..., PublishRequest]:
    """Build a publish request; the key and time are fixed unless given."""

    def build(
        text: str = "Neighbours helped rebuild the library. #BetterTogether", **kwargs: Any
    ) -> PublishRequest:
        kwargs.setdefault("idempotency_key", "post-42-channel-7")
        kwargs.setdefault("language", "en")
        kwargs.setdefault("created_at", datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
        return PublishRequest(text=text, **kwargs)

    return build


@pytest.fixture(params=sorted(MASTODON_PROFILES))
def mastodon(request: pytest.FixtureRequest) -> Iterator[FakeMastodon]:
    """Every Mastodon-API connector test runs on each server profile (tests/fakes/mastodon.py)."""
    with FakeMastodon(profile=request.param) as fake:
        yield fake


@pytest.fixture
def mastodon_config(mastodon: FakeMastodon) -> ChannelConfig:
    """The channel as it is after test-connection detected the server software."""
    return loopback_config(
        "mastodon",
        mastodon.url,
        credentials={"access_token": "test-token"},
        server_software=mastodon.profile.software,
    )


@pytest.fixture
def bluesky() -> Iterator[FakeBluesky]:
    with FakeBluesky() as fake:
        yield fake


@pytest.fixture
def bluesky_config(bluesky: FakeBluesky) -> ChannelConfig:
    return loopback_config(
        "bluesky", bluesky.url, handle="counterpoint.test", credentials={"app_password": "app-pass-1234"}
    )


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def telegram_config(telegram: FakeTelegram) -> ChannelConfig:
    return loopback_config(
        "telegram",
        telegram.url,
        credentials={"bot_token": telegram.token},
        settings={"chat_id": "@counterpoint_news"},
    )


@pytest.fixture
def receiver() -> Iterator[FakeWebhookReceiver]:
    with FakeWebhookReceiver() as fake:
        yield fake


@pytest.fixture
def webhook_config(receiver: FakeWebhookReceiver) -> ChannelConfig:
    return loopback_config(
        "webhook", None, credentials={"secret": receiver.secret}, settings={"url": receiver.hook_url}
    )
