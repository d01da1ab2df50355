"""On time between ticks: the worker's pass wakes when the next post falls due, not at the next tick."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import update

from app.common.time import utcnow
from app.extensions import db
from app.publishing.models import Post, PostStatus
from app.worker import tick


def _due_in(post: Post, seconds: float) -> None:
    db.session.execute(
        update(Post).where(Post.id == post.id).values(scheduled_at=utcnow() + timedelta(seconds=seconds))
    )
    db.session.commit()


def test_a_post_due_between_two_ticks_goes_out_at_its_time(
    app, platform_channel, make_message, schedule, now, receiver
):
    channel, _ = platform_channel("webhook")
    [post] = schedule(make_message(), [channel], now=now)
    _due_in(post, 1.5)
    started = time.monotonic()

    tick(app, "on-time-worker")

    db.session.expire_all()
    assert post.status == PostStatus.POSTED and receiver.deliveries == 1
    late = post.posted_at - post.scheduled_at
    # Sent at its time, not at the next tick 5 s on (the margin absorbs a loaded test machine).
    assert timedelta(0) <= late < timedelta(seconds=3)
    assert time.monotonic() - started < float(app.config["COUNTERPOINT_TICK_SECONDS"])


def test_a_post_due_after_the_next_tick_is_left_for_it(
    app, platform_channel, make_message, schedule, now, receiver
):
    channel, _ = platform_channel("webhook")
    [post] = schedule(make_message(), [channel], now=now)
    _due_in(post, 30)
    started = time.monotonic()

    tick(app, "on-time-worker")

    assert time.monotonic() - started < 2  # no wait for a post the next ticks will serve
    db.session.expire_all()
    assert post.status == PostStatus.QUEUED and receiver.deliveries == 0
