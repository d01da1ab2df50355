"""R6 with the claim and `sending` in one compare-and-set: a pause or cancel that commits after the
worker's re-check read, but before its claim, still wins."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import update

from app.channels.models import Channel
from app.extensions import db
from app.publishing.dispatch import _mark_sending, dispatch_once, next_post
from app.publishing.models import Post, PostStatus, PublishingPause


def _from_another_session(statement) -> None:
    with db.engine.begin() as connection:
        connection.execute(statement)


@pytest.mark.parametrize("change", ["global pause", "channel pause", "cancel"])
def test_a_change_committed_between_the_recheck_and_the_claim_wins(
    app, platform_channel, make_message, schedule, now, receiver, admin, change
):
    channel, _ = platform_channel("webhook")
    [post] = schedule(make_message(), [channel], now=now)
    loaded = next_post(channel.id, now)  # the worker has read the post and its re-check passed
    assert loaded is not None and loaded.id == post.id
    if change == "global pause":
        _from_another_session(
            PublishingPause.__table__.insert().values(is_active=True, reason="", set_by_id=admin.id)
        )
    elif change == "channel pause":
        _from_another_session(update(Channel).where(Channel.id == channel.id).values(is_paused=True))
    else:
        _from_another_session(update(Post).where(Post.id == post.id).values(status=PostStatus.CANCELLED))

    assert _mark_sending(loaded, "w1", now, claim=True) is None  # as the worker claims an unleased post

    db.session.rollback()
    started = time.monotonic()
    dispatch_once(app, worker_id="w2", now=now)
    assert time.monotonic() - started < 5  # the next pass settles it at once, without spinning on it
    db.session.expire_all()
    assert post.status != PostStatus.SENDING and post.status != PostStatus.POSTED
    assert receiver.deliveries == 0
