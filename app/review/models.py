"""Review requests and what each reviewer has seen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.common.time import utcnow
from app.common.types import UTCDateTime
from app.drafting.models import Message, MessageVersion
from app.extensions import db


class ReviewSeen(db.Model):
    """The last version of a message a reviewer looked at, for "what changed since I last saw it"."""

    __tablename__ = "review_seen"
    __table_args__ = (UniqueConstraint("user_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("message_versions.id"))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ReviewRequest(db.Model):
    """One submission of a version for review: who asked, for which exact text."""

    __tablename__ = "review_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("message_versions.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    message: Mapped[Message] = relationship()
    version: Mapped[MessageVersion] = relationship()
    submitted_by: Mapped[User] = relationship()
