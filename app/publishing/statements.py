"""The publisher's hot-path statements, built once on the tables (SQLAlchemy Core, issue 15).

Built per post through the ORM, each of these cost more CPU than the database spent running it
(building the clause, its cache key, the ORM's bulk-update bookkeeping). Here they are written once
with bound parameters and executed on the session's connection, in the session's transaction: the
same SQL, the same compare-and-set conditions, the same commits as before.
"""

from __future__ import annotations

import functools
from typing import cast

from sqlalchemy import Table, bindparam, exists, func, insert, not_, or_, select, update
from sqlalchemy.sql import Executable

from app.channels.models import Channel
from app.publishing.models import DispatchLock, Post, PostAttempt, PostStatus, PublishingPause

posts = cast(Table, Post.__table__)
attempts = cast(Table, PostAttempt.__table__)
locks = cast(Table, DispatchLock.__table__)
pauses = cast(Table, PublishingPause.__table__)
channels = cast(Table, Channel.__table__)


@functools.cache
def claim_sending() -> Executable:
    """Claim a due, unleased post and mark it `sending` in one compare-and-set, unless publishing or the
    channel is paused (a pause committed after the re-check read still wins, R6).

    Parameters: post_id, now, worker_id, expires_at.
    """
    now = bindparam("now", type_=posts.c.scheduled_at.type)
    return (
        update(posts)
        .where(
            posts.c.id == bindparam("post_id"),
            posts.c.status == PostStatus.QUEUED,
            posts.c.scheduled_at <= now,
            or_(posts.c.next_attempt_at.is_(None), posts.c.next_attempt_at <= now),
            or_(
                posts.c.lease_owner.is_(None),
                posts.c.lease_expires_at.is_(None),
                posts.c.lease_expires_at < now,
            ),
            not_(_pause_is_active()),
            not_(exists().where(channels.c.id == posts.c.channel_id, channels.c.is_paused.is_(True))),
        )
        .values(
            status=PostStatus.SENDING,
            attempt_count=posts.c.attempt_count + 1,
            first_sent_at=func.coalesce(posts.c.first_sent_at, now),
            lease_owner=bindparam("worker_id"),
            lease_expires_at=bindparam("expires_at", type_=posts.c.lease_expires_at.type),
            may_be_live=True,
        )
    )


@functools.cache
def start_attempt() -> Executable:
    """The attempt row written with `sending`. Parameters: post_id, worker_id, started_at."""
    return insert(attempts).values(
        post_id=bindparam("post_id"),
        worker_id=bindparam("worker_id"),
        started_at=bindparam("started_at", type_=attempts.c.started_at.type),
    )


@functools.cache
def finish_attempt() -> Executable:
    """An attempt's answer. Parameters: attempt_id, outcome, finished_at, response."""
    return (
        update(attempts)
        .where(attempts.c.id == bindparam("attempt_id"))
        .values(
            outcome=bindparam("outcome"),
            finished_at=bindparam("finished_at", type_=attempts.c.finished_at.type),
            response=bindparam("response", type_=attempts.c.response.type),
        )
    )


@functools.cache
def mark_posted() -> Executable:
    """The platform has the post (whatever the lease says). Parameters: post_id, remote_id, remote_url,
    posted_at."""
    return (
        update(posts)
        .where(
            posts.c.id == bindparam("post_id"),
            posts.c.status.in_((PostStatus.SENDING, PostStatus.QUEUED, PostStatus.UNKNOWN_OUTCOME)),
        )
        .values(
            status=PostStatus.POSTED,
            remote_id=bindparam("remote_id"),
            remote_url=bindparam("remote_url"),
            posted_at=bindparam("posted_at", type_=posts.c.posted_at.type),
            lease_owner=None,
            lease_expires_at=None,
            last_error=None,
            next_attempt_at=None,
            held_code=None,
        )
    )


@functools.cache
def pause_and_server_hold() -> Executable:
    """Whether a coalition-wide pause is active, and until when a server rate-limited us. Parameter: key."""
    return select(
        _pause_is_active(),
        select(locks.c.hold_until).where(locks.c.key == bindparam("key")).scalar_subquery(),
    )


@functools.cache
def globally_paused() -> Executable:
    """Whether a coalition-wide pause is active."""
    return select(_pause_is_active())


def _pause_is_active():
    return exists().where(pauses.c.is_active.is_(True))
