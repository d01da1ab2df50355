"""Outcomes fixtures: posted items on channels whose counts the loopback fakes report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from app.campaigns.models import Campaign, CampaignStatus
from app.channels import services as channel_services
from app.channels.models import Channel
from app.drafting.models import Approval, Message, MessageStatus, MessageVersion, VersionSource, content_hash
from app.extensions import db
from app.outcomes.models import EngagementSample, SampleSource
from app.publishing.models import Post, PostStatus
from app.review.models import ReviewRequest
from app.trends.models import Observation, Trend
from tests.fakes.engagement import FakeAppView, FakeStatusCounts

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(params=["mastodon", "older"])
def statuses(request) -> Iterator[FakeStatusCounts]:
    """A Mastodon-API server's status reads, in each behaviour we model."""
    with FakeStatusCounts(profile=request.param) as fake:
        yield fake


@pytest.fixture
def appview() -> Iterator[FakeAppView]:
    with FakeAppView() as fake:
        yield fake


@pytest.fixture
def app_config(appview) -> dict:
    return {"COUNTERPOINT_BLUESKY_APPVIEW_URL": appview.url, "COUNTERPOINT_CONNECTOR_TIMEOUT": 2.0}


@pytest.fixture
def make_channel(app) -> Callable[..., Channel]:
    def make(org, platform: str = "manual", **fields) -> Channel:
        credentials = fields.pop("credentials", {})
        details = channel_services.ChannelFields(
            display_name=fields.pop("name", f"{org.name} {platform}"),
            handle=fields.pop("handle", None),
            server_url=fields.pop("server_url", None),
            settings=fields.pop("settings", {}),
            time_zone="UTC",
        )
        channel = channel_services.create_channel(org, platform, details, credentials, actor=None)
        db.session.commit()
        return channel

    return make


@pytest.fixture
def make_posted(org, staff) -> Callable[..., Post]:
    """A post of a one-version message that went out at `posted_at` with the platform's id."""
    campaign = Campaign(organisation=org, title="Libraries for all", status=CampaignStatus.ACTIVE)
    db.session.add(campaign)
    db.session.commit()

    def make(channel: Channel, remote_id: str | None, *, posted_at: datetime = T0) -> Post:
        message = Message(
            campaign=campaign,
            strategy="alternative",
            language="en",
            created_by=staff,
            status=MessageStatus.APPROVED,
        )
        db.session.add(message)
        db.session.flush()
        version = _version(
            message, 1, f"Neighbours rebuilt the library, story {message.id}.", VersionSource.HUMAN, staff
        )
        post = Post(
            message=message,
            version=version,
            channel=channel,
            content_hash=version.content_hash,
            text=version.text,
            scheduled_at=posted_at,
            status=PostStatus.POSTED,
            idempotency_key=f"key-{message.id}-{channel.id}",
            remote_id=remote_id,
            remote_url=f"https://example.test/{remote_id}" if remote_id else None,
            posted_at=posted_at,
            attempt_count=1,
        )
        db.session.add(post)
        db.session.commit()
        return post

    return make


@pytest.fixture
def mastodon_channel(org, make_channel, statuses) -> Channel:
    return make_channel(
        org, "mastodon", server_url=statuses.url, credentials={"access_token": statuses.token}
    )


@pytest.fixture
def bluesky_channel(org, make_channel, appview) -> Channel:
    return make_channel(
        org, "bluesky", server_url=appview.url, handle="counterpoint.test", credentials={"app_password": "x"}
    )


def _version(message, number, text, source, author):
    version = MessageVersion(
        message=message,
        number=number,
        text=text,
        variants={},
        content_hash=content_hash(text, {}),
        source=source,
        author=author,
        findings={},
    )
    db.session.add(version)
    db.session.flush()
    message.current_version = version
    return version


@pytest.fixture
def world(org, staff, lead, make_channel):
    """One campaign on one trend; three messages; four posts, three of them out; counts on two."""
    trend = Trend(organisation=org, title="Rumour about the new library", first_seen_at=DAY0)
    db.session.add(trend)
    for offset, count in enumerate((10, 20, 5)):
        db.session.add(
            Observation(trend=trend, observed_on=DAY0.date() + timedelta(days=offset), count=count)
        )
    campaign = Campaign(
        organisation=org, title="Libraries for all", status=CampaignStatus.ACTIVE, trends=[trend]
    )
    db.session.add(campaign)
    masto = make_channel(
        org, "mastodon", server_url="https://social.example", credentials={"access_token": "t"}
    )
    hook = make_channel(
        org, "webhook", credentials={"secret": "whsec_" + "b" * 32}, settings={"url": "https://h.example"}
    )

    def message(strategy, language):
        m = Message(
            campaign=campaign,
            trend=trend,
            strategy=strategy,
            language=language,
            created_by=staff,
            status=MessageStatus.APPROVED,
        )
        db.session.add(m)
        db.session.flush()
        return m

    m1, m2, m3 = message("empathy_affiliation", "en"), message("alternative", "fr"), message("facts", "en")
    _version(m1, 1, "a b c d", VersionSource.AI, staff)
    v1 = _version(m1, 2, "a b x d e", VersionSource.HUMAN, staff)
    v2 = _version(m2, 1, "une histoire de quartier", VersionSource.OFFLINE, staff)
    v3 = _version(m3, 1, "facts with a source", VersionSource.HUMAN, staff)
    for version, asked, approved in ((v1, 4, 7), (v2, 2, 3)):
        db.session.add(
            ReviewRequest(
                message=version.message,
                version=version,
                content_hash=version.content_hash,
                submitted_by=staff,
                created_at=DAY0 + timedelta(hours=asked),
            )
        )
        db.session.add(
            Approval(
                message=version.message,
                version=version,
                content_hash=version.content_hash,
                approver=lead,
                organisation=org,
                created_at=DAY0 + timedelta(hours=approved),
            )
        )

    def post(msg, version, channel, status, posted_at=None):
        p = Post(
            message=msg,
            version=version,
            channel=channel,
            content_hash=version.content_hash,
            text=version.text,
            scheduled_at=posted_at or DAY0,
            status=status,
            idempotency_key=f"k{msg.id}-{channel.id}",
            posted_at=posted_at,
            remote_id="r" if posted_at else None,
        )
        db.session.add(p)
        db.session.flush()
        return p

    p1 = post(m1, v1, masto, PostStatus.POSTED, DAY0 + timedelta(hours=25))
    p2 = post(m1, v1, hook, PostStatus.POSTED, DAY0 + timedelta(hours=26))
    post(m2, v2, masto, PostStatus.POSTED, DAY0 + timedelta(hours=27))
    post(m3, v3, hook, PostStatus.QUEUED)
    for p, hours, counts in ((p1, 26, (1, 0, 0, 0)), (p1, 48, (4, 2, 1, 0)), (p2, 47, (2, 1, 0, None))):
        likes, reposts, replies, quotes = counts
        db.session.add(
            EngagementSample(
                post_id=p.id,
                collected_at=DAY0 + timedelta(hours=hours),
                likes=likes,
                reposts=reposts,
                replies=replies,
                quotes=quotes,
                source=SampleSource.PLATFORM,
            )
        )
    db.session.commit()
    return campaign, trend
