"""Demo channels (manual and a webhook to the local sink) and, when an approved message exists, demo posts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Organisation, User
from app.campaigns.models import Campaign
from app.channels.connectors.webhook import generate_webhook_secret
from app.channels.models import Channel
from app.common.crypto import encrypt_credentials
from app.common.time import utcnow
from app.drafting.models import Message, MessageStatus
from app.extensions import db
from app.publishing.devsink import SINK_PATH
from app.publishing.models import Post
from app.publishing.services import PublishingError, is_approved, schedule_message

SINK_URL = "http://127.0.0.1:5000" + SINK_PATH
DEMO_CHANNELS = (
    ("demo-ngo", "manual", "Demo NGO on Instagram (by hand)", {}),
    ("demo-ngo", "webhook", "Demo NGO newsletter tool (webhook)", {"url": SINK_URL}),
    ("partner-ngo", "manual", "Partner NGO on Facebook (by hand)", {}),
)


def seed_publishing_demo(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """Create the demo channels once; schedule an approved demo message on them once."""
    channels = [
        _channel(orgs[slug], platform, name, settings)
        for slug, platform, name, settings in DEMO_CHANNELS
        if slug in orgs
    ]
    lead = users.get("lead@demo.example")
    if lead is not None and "demo-ngo" in orgs:
        _schedule_demo_posts(
            orgs["demo-ngo"], lead, [c for c in channels if c.organisation_id == lead.organisation_id]
        )


def _channel(org: Organisation, platform: str, name: str, settings: dict[str, str]) -> Channel:
    existing = db.session.scalar(
        select(Channel).where(Channel.organisation_id == org.id, Channel.display_name == name)
    )
    if existing is not None:
        return existing
    # Written directly: the sink is on loopback, which channel forms refuse unless private URLs are allowed.
    channel = Channel(
        organisation=org,
        platform=platform,
        display_name=name,
        settings=settings,
        time_zone=org.time_zone,
        posting_windows={},
        min_spacing_minutes=0,
    )
    db.session.add(channel)
    db.session.flush()
    if platform == "webhook":
        channel.credentials_encrypted = encrypt_credentials(channel.id, {"secret": generate_webhook_secret()})
        channel.credentials_updated_at = utcnow()
    return channel


def _schedule_demo_posts(org: Organisation, lead: User, channels: list[Channel]) -> None:

    if not channels or db.session.scalar(
        select(Post.id).where(Post.channel_id.in_([c.id for c in channels]))
    ):
        return
    messages = db.session.scalars(
        select(Message)
        .join(Message.campaign)
        .where(Campaign.organisation_id == org.id, Message.status == MessageStatus.APPROVED)
    ).all()
    for message in messages:
        if message.current_version and is_approved(message, message.current_version):
            try:
                schedule_message(message, channels, actor=lead, at=utcnow() + timedelta(minutes=2))
            except PublishingError:
                continue
            return
