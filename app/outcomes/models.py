"""Engagement samples per post and the schedule on which the worker reads them."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.common.time import utcnow
from app.common.types import UTCDateTime
from app.extensions import db
from app.publishing.models import Post

# Read the public counts 1 h, 6 h, 24 h, 72 h and 7 days after posting, then stop.
POLL_OFFSETS: tuple[timedelta, ...] = (
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=24),
    timedelta(hours=72),
    timedelta(days=7),
)


class TrackingState(StrEnum):
    TRACKING = "tracking"  # the worker reads counts at the next offset
    DONE = "done"  # every offset read
    GONE = "gone"  # the platform says the post no longer exists
    UNREACHABLE = "unreachable"  # repeated failures: given up, shown to people
    MANUAL = "manual"  # the platform gives no counts (webhook, manual): people type them in


class SampleSource(StrEnum):
    PLATFORM = "platform"
    MANUAL = "manual"
    API = "api"


class EngagementTracker(db.Model):
    """When the worker next reads a posted item's counts, and how that has gone so far."""

    __tablename__ = "engagement_trackers"
    __table_args__ = (Index("ix_engagement_trackers_due", "state", "next_poll_at"),)

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), index=True)
    state: Mapped[TrackingState] = mapped_column(String(16), default=TrackingState.TRACKING)
    polls_done: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    post: Mapped[Post] = relationship()


class EngagementSample(db.Model):
    """The public counts of one posted item at one moment (a time series per post)."""

    __tablename__ = "engagement_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    likes: Mapped[int] = mapped_column(Integer, default=0)
    reposts: Mapped[int] = mapped_column(Integer, default=0)
    replies: Mapped[int] = mapped_column(Integer, default=0)
    quotes: Mapped[int | None] = mapped_column(Integer)
    # Reply tone, where replies are readable: how many were read and how many the hostility check flagged.
    replies_read: Mapped[int | None] = mapped_column(Integer)
    hostile_replies: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[SampleSource] = mapped_column(String(16), default=SampleSource.PLATFORM)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    recorded_by: Mapped[User | None] = relationship()

    @property
    def total(self) -> int:
        """Every interaction counted: likes, reposts, replies and quotes."""
        return self.likes + self.reposts + self.replies + (self.quotes or 0)
