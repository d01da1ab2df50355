"""Publisher throughput and lateness: 200 posts due at once on 20 webhook channels, one worker.

Run: `make bench` (or `PYTHONPATH=. .venv/bin/python bench/bench_dispatch.py`). Uses a SQLite file in a
temporary folder and a loopback webhook receiver that verifies signatures and dedupes on webhook-id.
Reports posts per second of real publishing, how many dispatch passes (ticks) the backlog needs, the
lateness that means at the default tick, and the duplicate count (must be 0).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet

from app import create_app
from app.accounts import services as accounts
from app.accounts.models import Role
from app.campaigns.models import Campaign, CampaignStatus
from app.channels import services as channels
from app.common.time import utcnow
from app.drafting.models import Approval, Message, MessageStatus, MessageVersion, VersionSource, content_hash
from app.extensions import db
from app.publishing import services as publishing
from app.publishing.dispatch import dispatch_once
from app.publishing.models import Post, PostStatus
from tests.fakes.webhook import FakeWebhookReceiver

CHANNELS, MESSAGES_PER_CHANNEL, TICK_SECONDS = 20, 10, 5


def _approved_message(campaign: Campaign, author, lead, number: int) -> Message:
    text = f"Neighbours rebuilt the library together, story {number}. #BetterTogether"
    message = Message(
        campaign=campaign,
        strategy="alternative",
        language="en",
        created_by=author,
        status=MessageStatus.APPROVED,
    )
    version = MessageVersion(
        message=message,
        number=1,
        text=text,
        variants={},
        source=VersionSource.HUMAN,
        content_hash=content_hash(text, {}),
        author=author,
        findings={},
        has_errors=False,
    )
    db.session.add_all([message, version])
    db.session.flush()
    message.current_version = version
    db.session.add(
        Approval(
            message=message,
            version=version,
            content_hash=version.content_hash,
            approver=lead,
            organisation=lead.organisation,
        )
    )
    db.session.flush()
    return message


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "SECRET_KEY": "bench",
            "COUNTERPOINT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "COUNTERPOINT_ALLOW_PRIVATE_URLS": True,
            "PASSWORD_HASHER": "argon2id-fast-for-tests",
        }
    )
    with app.app_context(), FakeWebhookReceiver() as receiver:
        db.create_all()
        org = accounts.create_organisation(name="Bench NGO", slug="bench-ngo", actor=None)
        author = accounts.create_user(
            email="a@bench.example",
            name="A",
            password="x" * 12,
            organisation=org,
            role=Role.STAFF,
            actor=None,
        )
        lead = accounts.create_user(
            email="l@bench.example", name="L", password="x" * 12, organisation=org, role=Role.LEAD, actor=None
        )
        campaign = Campaign(
            organisation=org,
            title="Bench",
            status=CampaignStatus.ACTIVE,
            platforms=["webhook"],
            created_by=lead,
        )
        db.session.add(campaign)
        hooks = [
            channels.create_channel(
                org,
                "webhook",
                channels.ChannelFields(
                    display_name=f"Hook {n}",
                    handle=None,
                    server_url=None,
                    settings={"url": receiver.hook_url},
                    time_zone="UTC",
                ),
                {"secret": receiver.secret},
                actor=None,
            )
            for n in range(CHANNELS)
        ]
        due = utcnow() - timedelta(seconds=1)
        for n in range(CHANNELS * MESSAGES_PER_CHANNEL):
            message = _approved_message(campaign, author, lead, n)
            publishing.schedule_message(message, [hooks[n % CHANNELS]], actor=lead, at=due, now=due)
        db.session.commit()

        passes, started = 0, time.perf_counter()
        while db.session.query(Post).filter(Post.status == PostStatus.QUEUED).count():
            dispatch_once(app, worker_id="bench", now=utcnow(), limit=CHANNELS * MESSAGES_PER_CHANNEL)
            db.session.expire_all()
            passes += 1
        elapsed = time.perf_counter() - started
        posted = db.session.query(Post).filter(Post.status == PostStatus.POSTED).all()
        spread = [(post.posted_at - post.scheduled_at).total_seconds() for post in posted]
    total = CHANNELS * MESSAGES_PER_CHANNEL
    print(
        f"posts: {total} on {CHANNELS} webhook channels; posted {len(posted)}; "
        f"deliveries at the receiver {receiver.deliveries}; duplicates {total - len(receiver.events)}"
    )
    print(f"publishing: {len(posted) / elapsed:,.0f} posts/s over {passes} dispatch passes ({elapsed:.2f} s)")
    print(
        f"backlog cleared in {passes} ticks = {passes * TICK_SECONDS} s at the default "
        f"{TICK_SECONDS} s tick (one post per channel per pass keeps channel spacing)"
    )
    print(f"measured lateness in this run: median {statistics.median(spread):.2f} s, max {max(spread):.2f} s")


if __name__ == "__main__":
    main()
