"""A lead moves a queued post to another slot from the calendar; the channel's windows and spacing hold."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.channels.models import Channel
from app.channels.scheduling import parse_windows
from app.common.time import as_utc, utcnow
from app.demo import seed_demo
from app.extensions import db
from app.publishing.models import Post

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
