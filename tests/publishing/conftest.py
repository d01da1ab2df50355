"""Publishing fixtures: an active campaign, approved messages, channels pointing at loopback fakes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.accounts.models import Organisation, Role, User
from app.campaigns.models import Campaign, CampaignStatus
from app.channels import services as channel_services
from app.channels.connectors.bluesky import clear_sessions
from app.channels.models import Channel
from app.common.time import utcnow
from app.drafting.models import Approval, Message, MessageStatus, MessageVersion, VersionSource, content_hash
from app.extensions import db
from app.publishing import services
from app.publishing.dispatch import DispatchReport, claim_next, dispatch_once, lock_channel
from app.publishing.models import Post
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import FakeTelegram
from tests.fakes.webhook import FakeWebhookReceiver

# Hangs in the fakes are a little longer than this, so "timeout after store" is quick to provoke.
CLIENT_TIMEOUT = 0.4
HANG = 0.7


@pytest.fixture
def app_config() -> dict:
    return {"COUNTERPOINT_CONNECTOR_TIMEOUT": CLIENT_TIMEOUT}


@pytest.fixture(autouse=True)
def _fresh_bluesky_sessions() -> Iterator[None]:
    clear_sessions()
    yield
    clear_sessions()


@pytest.fixture
def author(make_user, org) -> User:
    return make_user(Role.STAFF, org=org, email="author@home.example")


@pytest.fixture
def campaign(app, org, lead) -> Campaign:
    campaign = Campaign(
        organisation=org,
        title="Libraries for all",
        status=CampaignStatus.ACTIVE,
        platforms=["mastodon", "bluesky", "telegram", "webhook", "manual"],
        created_by=lead,
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign


@pytest.fixture
def make_message(campaign, author, lead) -> Callable[..., Message]:
    """An approved message (built directly: the approval names the exact version and hash)."""
    counter = iter(range(1, 10_000))

    def make(
        text: str | None = None, variants: dict[str, str] | None = None, approved: bool = True
    ) -> Message:
        text = text or f"Neighbours rebuilt the library together, story {next(counter)}. #BetterTogether"
        variants = variants or {}
        message = Message(
            campaign=campaign,
            strategy="alternative",
            language="en",
            created_by=author,
            status=MessageStatus.APPROVED if approved else MessageStatus.DRAFT,
        )
        db.session.add(message)
        db.session.flush()
        version = MessageVersion(
            message=message,
            number=1,
            text=text,
            variants=variants,
            content_hash=content_hash(text, variants),
            source=VersionSource.HUMAN,
            author=author,
            findings={},
            has_errors=False,
        )
        db.session.add(version)
        db.session.flush()
        message.current_version = version
        if approved:
            db.session.add(
                Approval(
                    message=message,
                    version=version,
                    content_hash=version.content_hash,
                    approver=lead,
                    organisation=lead.organisation,
                )
            )
        db.session.commit()
        return message

    return make


@pytest.fixture
def make_channel(app) -> Callable[..., Channel]:
    def make(
        org: Organisation,
        platform: str = "manual",
        *,
        credentials: dict[str, str] | None = None,
        settings: dict[str, Any] | None = None,
        server_url: str | None = None,
        handle: str | None = None,
        name: str | None = None,
        **rules: Any,
    ) -> Channel:
        fields = channel_services.ChannelFields(
            display_name=name or f"{org.name} {platform}",
            handle=handle,
            server_url=server_url,
            settings=settings or {},
            time_zone=rules.pop("time_zone", "UTC"),
            **rules,
        )
        channel = channel_services.create_channel(org, platform, fields, credentials or {}, actor=None)
        db.session.commit()
        return channel

    return make


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    with FakeMastodon() as fake:
        fake.hang_seconds = HANG
        yield fake


@pytest.fixture
def bluesky() -> Iterator[FakeBluesky]:
    with FakeBluesky() as fake:
        fake.hang_seconds = HANG
        yield fake


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        fake.hang_seconds = HANG
        yield fake


@pytest.fixture
def receiver() -> Iterator[FakeWebhookReceiver]:
    with FakeWebhookReceiver() as fake:
        fake.hang_seconds = HANG
        yield fake


@pytest.fixture
def platform_channel(request, org, make_channel, mastodon, bluesky, telegram, receiver):
    """(channel, fake) for a platform name: the channel's credentials point at the loopback fake."""

    def make(platform: str, **rules: Any) -> tuple[Channel, Any]:
        if platform == "mastodon":
            channel = make_channel(
                org, "mastodon", server_url=mastodon.url, credentials={"access_token": "test-token"}, **rules
            )
            channel.server_software = mastodon.profile.software  # as test-connection detects it
            db.session.commit()
            return channel, mastodon
        if platform == "bluesky":
            return make_channel(
                org,
                "bluesky",
                server_url=bluesky.url,
                handle="counterpoint.test",
                credentials={"app_password": "app-pass-1234"},
                **rules,
            ), bluesky
        if platform == "telegram":
            return make_channel(
                org,
                "telegram",
                server_url=telegram.url,
                credentials={"bot_token": telegram.token},
                settings={"chat_id": "@counterpoint_news"},
                **rules,
            ), telegram
        return make_channel(
            org,
            "webhook",
            credentials={"secret": receiver.secret},
            settings={"url": receiver.hook_url},
            **rules,
        ), receiver

    return make


@pytest.fixture
def mixed_channels(org, make_channel, receiver, mastodon) -> list[Channel]:
    """Four webhook channels and two Mastodon channels on the loopback fakes, for concurrency tests."""
    channels = [
        make_channel(
            org,
            "webhook",
            name=f"hook {i}",
            credentials={"secret": receiver.secret},
            settings={"url": receiver.hook_url},
        )
        for i in range(4)
    ]
    channels += [
        make_channel(
            org,
            "mastodon",
            name=f"masto {i}",
            server_url=mastodon.url,
            credentials={"access_token": "test-token"},
        )
        for i in range(2)
    ]
    return channels


@pytest.fixture
def schedule(lead) -> Callable[..., list[Post]]:
    """Schedule a message on channels at the next free slot after `now` and commit."""

    def run(
        message: Message,
        channels: list[Channel],
        *,
        now: datetime,
        at: datetime | None = None,
        actor: User | None = None,
    ) -> list[Post]:
        posts = services.schedule_message(message, channels, actor=actor or lead, at=at, now=now)
        db.session.commit()
        return posts

    return run


@pytest.fixture
def dispatch(app) -> Callable[..., DispatchReport]:
    def run(now: datetime, worker_id: str = "test-worker") -> DispatchReport:
        report = dispatch_once(app, worker_id=worker_id, now=now)
        db.session.expire_all()
        return report

    return run


@pytest.fixture
def now() -> datetime:
    """A real, minute-aligned time: the fakes' rate-limit resets and webhook timestamps use the real clock."""
    return utcnow().replace(second=0, microsecond=0) + timedelta(minutes=1)


def at(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def claim(post: Post, worker_id: str, now: datetime) -> int | None:
    """Claim a post the way a worker does (channel lock, then the post), e.g. for a worker about to die."""
    assert lock_channel(post.channel_id, worker_id, now)
    return claim_next(post.channel_id, worker_id, now)
