"""A lead moves a queued post to another slot from the calendar; the channel's windows and spacing hold."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.channels.models import Channel
from app.channels.scheduling import parse_windows
from app.common.time import as_utc, utcnow
from app.demo import seed_demo
from app.drafting.models import MessageVersion, VersionSource
from app.extensions import db
from app.publishing.models import Post, PostStatus
from tests.conftest import PASSWORD as TEST_PASSWORD

PASSWORD = "demo password for moving"


@pytest.fixture
def queued(app) -> Post:
    seed_demo(PASSWORD)
    channel = db.session.scalar(select(Channel).where(Channel.platform == "webhook"))
    channel.posting_windows = parse_windows("mon-sun 09:00-18:00")
    channel.min_spacing_minutes = 60
    db.session.commit()
    return db.session.scalar(select(Post).where(Post.channel_id == channel.id))


def _local(days: int, hour: int, minute: int = 0) -> datetime:
    day = (utcnow() + timedelta(days=days)).astimezone(ZoneInfo("Europe/Paris")).date()
    return datetime(day.year, day.month, day.day, hour, minute)


def _move(client, post: Post, local: datetime):
    return client.post(f"/publishing/posts/{post.id}/move", data={"at": local.strftime("%Y-%m-%dT%H:%M")})


def test_a_lead_moves_a_queued_post_inside_the_channels_window(client, queued):
    client.post("/login", data={"email": "lead@demo.example", "password": PASSWORD})
    page = client.get("/publishing/calendar").get_data(as_text=True)
    assert f'action="/publishing/posts/{queued.id}/move"' in page and "Move to…" in page
    target = _local(3, 10, 30)
    _move(client, queued, target)
    db.session.expire_all()
    moved = db.session.get(Post, queued.id)
    assert as_utc(moved.scheduled_at) == target.replace(tzinfo=ZoneInfo("Europe/Paris")).astimezone(
        ZoneInfo("UTC")
    )
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "post.moved"))


def test_a_time_outside_the_window_is_refused_with_the_next_free_slot(client, queued):
    client.post("/login", data={"email": "lead@demo.example", "password": PASSWORD})
    before = queued.scheduled_at
    response = _move(client, queued, _local(3, 22, 0))
    page = client.get(response.location).get_data(as_text=True)
    assert "cannot post then" in page and "Next free slot" in page
    db.session.expire_all()
    assert db.session.get(Post, queued.id).scheduled_at == before


def test_staff_cannot_move_posts(client, queued):
    client.post("/login", data={"email": "staff@demo.example", "password": PASSWORD})
    assert "Move to…" not in client.get("/publishing/calendar").get_data(as_text=True)
    assert _move(client, queued, _local(3, 10)).status_code == 403


def test_an_unrelated_organisations_lead_gets_404_for_a_crafted_move(client, queued, make_user):
    """A lead of an organisation outside the campaign may not even learn the post exists."""
    outsider = make_user(Role.LEAD, email="lead@outsider.example")
    client.post("/login", data={"email": outsider.email, "password": TEST_PASSWORD})
    before = queued.scheduled_at
    assert _move(client, queued, _local(3, 10)).status_code == 404
    db.session.expire_all()
    assert db.session.get(Post, queued.id).scheduled_at == before
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "post.move")) is None


def test_a_partner_lead_sees_the_post_but_cannot_move_it(client, queued):
    """The partner organisation takes part in the campaign, so it sees the post; the channel is not theirs."""
    client.post("/login", data={"email": "lead@partner.example", "password": PASSWORD})
    assert f'action="/publishing/posts/{queued.id}/move"' not in client.get("/publishing/calendar").get_data(
        as_text=True
    )
    before = queued.scheduled_at
    response = _move(client, queued, _local(3, 10))
    assert "by a lead of its channel" in client.get(response.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Post, queued.id).scheduled_at == before


def test_a_time_too_close_to_another_post_on_the_channel_is_refused(client, queued):
    """The channel keeps 60 minutes between posts: a move 30 minutes after another queued post is refused."""
    version = MessageVersion(
        message_id=queued.message_id,
        number=99,
        text=queued.text,
        content_hash="b" * 64,
        source=VersionSource.HUMAN,
    )
    db.session.add(version)
    db.session.flush()
    other = Post(
        message_id=queued.message_id,
        version_id=version.id,
        channel_id=queued.channel_id,
        content_hash=queued.content_hash,
        text=queued.text,
        idempotency_key="another-post-on-the-channel",
        status=PostStatus.QUEUED,
        scheduled_at=_local(3, 11).replace(tzinfo=ZoneInfo("Europe/Paris")),
    )
    db.session.add(other)
    db.session.commit()
    client.post("/login", data={"email": "lead@demo.example", "password": PASSWORD})
    before = queued.scheduled_at
    response = _move(client, queued, _local(3, 11, 30))
    assert "cannot post then" in client.get(response.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Post, queued.id).scheduled_at == before


def test_a_post_that_was_already_tried_cannot_be_moved(client, queued):
    """Once an attempt was made the post may be live: moving it could publish it twice."""
    queued.attempt_count = 1
    db.session.commit()
    client.post("/login", data={"email": "lead@demo.example", "password": PASSWORD})
    page = client.get("/publishing/calendar").get_data(as_text=True)
    assert f'action="/publishing/posts/{queued.id}/move"' not in page
    before = queued.scheduled_at
    response = _move(client, queued, _local(3, 10))
    assert "Only a queued post that was never sent can be moved" in client.get(response.location).get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(Post, queued.id).scheduled_at == before


def test_a_time_in_the_past_is_refused(client, queued):
    client.post("/login", data={"email": "lead@demo.example", "password": PASSWORD})
    before = queued.scheduled_at
    response = _move(client, queued, _local(-2, 10))
    assert "Choose a time in the future." in client.get(response.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Post, queued.id).scheduled_at == before


def test_a_post_moved_within_its_own_spacing_does_not_collide_with_itself(client, queued):
    client.post("/login", data={"email": "lead@demo.example", "password": PASSWORD})
    _move(client, queued, _local(3, 10))
    _move(client, queued, _local(3, 10, 30))
    db.session.expire_all()
    assert as_utc(db.session.get(Post, queued.id).scheduled_at) == _local(3, 10, 30).replace(
        tzinfo=ZoneInfo("Europe/Paris")
    ).astimezone(ZoneInfo("UTC"))
