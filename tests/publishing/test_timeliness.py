"""On time between ticks: the worker's pass wakes when the next post falls due, not at the next tick."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy import update

from app.common.time import utcnow
from app.extensions import db
from app.publishing.models import Post, PostStatus
from app.worker import quiet_overlap_warnings, tick, tick_until_idle


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


def test_a_backlog_longer_than_one_pass_drains_without_waiting_for_the_next_tick(
    app, platform_channel, make_message, schedule, now, receiver
):
    # Each answer takes longer than a whole pass may last: a pass publishes one post, then runs out of time.
    app.config.update(
        COUNTERPOINT_PASS_SECONDS=0.5, COUNTERPOINT_DISPATCH_THREADS=1, COUNTERPOINT_CONNECTOR_TIMEOUT=5
    )
    channel, _ = platform_channel("webhook")
    posts = [schedule(make_message(), [channel], now=now)[0] for _ in range(3)]
    for post in posts:
        _due_in(post, -1)
        receiver.script("timeout_after_store", hang=0.6)

    assert tick(app, "backlog-worker") is True
    db.session.expire_all()
    assert receiver.deliveries == 1

    tick_until_idle(app, "backlog-worker")

    db.session.expire_all()
    assert [post.status for post in posts] == [PostStatus.POSTED] * 3 and receiver.deliveries == 3


def test_a_pass_that_publishes_nothing_in_its_time_is_not_repeated_at_once(
    app, platform_channel, make_message, schedule, now, receiver
):
    app.config.update(COUNTERPOINT_PASS_SECONDS=0)  # no time to publish anything: no busy loop of ticks
    channel, _ = platform_channel("webhook")
    [post] = schedule(make_message(), [channel], now=now)
    _due_in(post, -1)

    assert tick(app, "idle-worker") is False
    assert receiver.deliveries == 0


def test_the_worker_log_does_not_warn_about_the_ticks_a_long_pass_overlaps(caplog):
    quiet_overlap_warnings()
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    with caplog.at_level(logging.WARNING, logger="apscheduler.scheduler"):
        scheduler_log.warning(
            'Execution of job "%s" skipped: maximum number of running instances reached (%d)', "tick", 1
        )
        scheduler_log.warning("Something else went wrong")

    assert [record.getMessage() for record in caplog.records] == ["Something else went wrong"]
