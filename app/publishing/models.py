"""The publishing queue: one post per (approved version, channel), its attempts, pauses, heartbeats."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.channels.models import Channel
from app.common.time import utcnow
from app.common.types import UTCDateTime, enum_column
from app.drafting.models import Message, MessageVersion
from app.extensions import db


class PostStatus(StrEnum):
    AWAITING_PARTNER = "awaiting_partner"
    QUEUED = "queued"
    SENDING = "sending"
    POSTED = "posted"
    UNKNOWN_OUTCOME = "unknown_outcome"
    FAILED = "failed"
    MISSED = "missed"
    HELD = "held"
    CANCELLED = "cancelled"


# DESIGN.md: awaiting_partner → queued → sending → posted; sending → queued (retry, same key);
# sending → unknown_outcome | failed; queued → missed; any not-yet-sent → held or cancelled.
class AttemptOutcome(StrEnum):
    """How one try to publish ended."""

    STARTED = "started"
    POSTED = "posted"
    FOUND = "found"  # the lookup found the post on the platform
    LOOKUP_ABSENT = "lookup_absent"  # the lookup found certainly no copy: re-sent with the same key
    LOOKUP_FAILED = "lookup_failed"  # the lookup itself failed: the outcome stays unknown
    REJECTED = "rejected"
    AUTH_REFUSED = "auth_refused"
    RATE_LIMITED = "rate_limited"
    UNKNOWN = "unknown"
    SERVER_ERROR = "server_error"
    ERROR = "error"
    TRANSIENT = "transient"
    LEASE_EXPIRED = "lease_expired"
    HELD = "held"
    MISSED = "missed"


POST_TRANSITIONS: dict[PostStatus, frozenset[PostStatus]] = {
    PostStatus.AWAITING_PARTNER: frozenset({PostStatus.QUEUED, PostStatus.HELD, PostStatus.CANCELLED}),
    PostStatus.QUEUED: frozenset(
        {PostStatus.SENDING, PostStatus.MISSED, PostStatus.HELD, PostStatus.CANCELLED}
    ),
    # sending → held: the platform refused the credentials; a person re-authorises and resumes.
    PostStatus.SENDING: frozenset(
        {PostStatus.POSTED, PostStatus.QUEUED, PostStatus.UNKNOWN_OUTCOME, PostStatus.FAILED, PostStatus.HELD}
    ),
    PostStatus.MISSED: frozenset({PostStatus.QUEUED, PostStatus.HELD, PostStatus.CANCELLED}),
    PostStatus.HELD: frozenset({PostStatus.QUEUED, PostStatus.CANCELLED}),
    # Reconciliation: a person (or a lookup) settles an unknown outcome; a failure may be retried.
    PostStatus.UNKNOWN_OUTCOME: frozenset({PostStatus.POSTED, PostStatus.QUEUED, PostStatus.FAILED}),
    PostStatus.FAILED: frozenset({PostStatus.QUEUED, PostStatus.CANCELLED}),
    PostStatus.POSTED: frozenset(),
    # Only for a post that was never sent (no attempt, so its key was never used): a lead schedules it
    # again on the same row with the same key (services.reschedule_post checks this).
    PostStatus.CANCELLED: frozenset({PostStatus.QUEUED, PostStatus.AWAITING_PARTNER}),
}


class HeldCode(StrEnum):
    """Why a post is held: the person who acts on it needs to know what to fix."""

    CAMPAIGN_NOT_ACTIVE = "campaign_not_active"
    CREDENTIALS_REFUSED = "credentials_refused"
    RECHECK_FAILED = "recheck_failed"
    PAUSED = "paused"


def _campaign_of_message(context: Any) -> int | None:
    """Default of Post.campaign_id: the campaign of the post's message (one look-up per inserted row)."""
    message_id = context.get_current_parameters().get("message_id")
    return context.connection.scalar(select(Message.campaign_id).where(Message.id == message_id))


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("version_id", "channel_id"),
        # Lists, /healthz and the worker's claim select posts of a status in a time range.
        Index("ix_posts_status_scheduled_at", "status", "scheduled_at"),
        # The lease sweeper reads by status first (issue 15).
        Index("ix_posts_status_lease_expires_at", "status", "lease_expires_at"),
        # The calendar counts and numbers a period's posts from this index alone (no table rows read).
        Index("ix_posts_calendar", "scheduled_at", "status", "channel_id", "campaign_id"),
        # Counts of a status visible to an organisation (dashboard) read this index alone.
        Index("ix_posts_status_channel_campaign", "status", "channel_id", "campaign_id"),
        # A channel's or a campaign's posts of a status in time order (partner requests, lists).
        Index("ix_posts_channel_status_scheduled", "channel_id", "status", "scheduled_at"),
        Index("ix_posts_campaign_status_scheduled", "campaign_id", "status", "scheduled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    # The message's campaign, kept on the post (a message never changes campaign) so that who sees a
    # post is decided on its own columns: its channel's organisation, its campaign's participants.
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), default=_campaign_of_message)
    version_id: Mapped[int] = mapped_column(ForeignKey("message_versions.id"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))  # of the approved version, re-checked before send
    text: Mapped[str] = mapped_column(Text)  # frozen at scheduling: the platform variant or the main text
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[PostStatus] = mapped_column(
        enum_column(PostStatus, name="post_status", length=24), default=PostStatus.QUEUED, index=True
    )
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)  # same on every retry
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # opens the dedupe window
    remote_id: Mapped[str | None] = mapped_column(String(200))
    remote_url: Mapped[str | None] = mapped_column(String(1000))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    held_reason: Mapped[str | None] = mapped_column(String(300))
    held_code: Mapped[str | None] = mapped_column(String(40))  # a HeldCode when status is held
    # Set before a request goes out, cleared only when the platform certainly has no copy: while it is
    # set the post may be live, so it is looked up before any re-send and can no longer be cancelled.
    may_be_live: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    partner_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    partner_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    partner_decline_reason: Mapped[str | None] = mapped_column(Text)
    lateness_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    message: Mapped[Message] = relationship()
    version: Mapped[MessageVersion] = relationship()
    channel: Mapped[Channel] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    attempts: Mapped[list[PostAttempt]] = relationship(back_populates="post", order_by="PostAttempt.id")
    copies: Mapped[list[PostCopy]] = relationship(back_populates="post", order_by="PostCopy.id")


class PostCopy(db.Model):
    """A copy of a post found on the platform; more than one means a duplicate a person should remove."""

    __tablename__ = "post_copies"
    __table_args__ = (UniqueConstraint("post_id", "remote_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    remote_id: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(1000))
    is_kept: Mapped[bool] = mapped_column(Boolean, default=False)  # the oldest copy is the post
    found_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    post: Mapped[Post] = relationship(back_populates="copies")


class DispatchLock(db.Model):
    """A lock row per channel (one sender at a time) or per server (held back until a rate limit resets)."""

    __tablename__ = "dispatch_locks"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "channel:<id>" or "server:<host>"
    owner: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PostAttempt(db.Model):
    """One try at publishing a post, with the platform's answer."""

    __tablename__ = "post_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    worker_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(24), default=AttemptOutcome.STARTED)  # an AttemptOutcome
    http_status: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)  # the platform's message, never credentials
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    post: Mapped[Post] = relationship(back_populates="attempts")


class PublishingPause(db.Model):
    """The coalition-wide pause switch: one row, on or off, with who set it."""

    __tablename__ = "publishing_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WorkerHeartbeat(db.Model):
    __tablename__ = "worker_heartbeats"

    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CalendarFeed(db.Model):
    """The secret token of an organisation's ICS feed; resetting it revokes old subscriptions."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SinkDelivery(db.Model):
    """A webhook delivery received by the development sink (never registered in production)."""

    __tablename__ = "dev_sink_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[str] = mapped_column(String(100), index=True)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"))
    is_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
