"""Approvals bound to a version's hash, and the notifications that tell people what needs them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.common.time import utcnow
from app.common.types import UTCDateTime
from app.drafting.models import Message, MessageVersion
from app.extensions import db


class Approval(db.Model):
    """A lead's approval of one exact version; void once revoked (edit, trend closed, campaign ended)."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("version_id", "approver_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("message_versions.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))  # the approver's
    warning_override_reason: Mapped[str] = mapped_column(Text, default="")
    humor_acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(200))

    message: Mapped[Message] = relationship()
    version: Mapped[MessageVersion] = relationship()
    approver: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class ReviewSeen(db.Model):
    """The last version of a message a reviewer looked at, for "what changed since I last saw it"."""

    __tablename__ = "review_seen"
    __table_args__ = (UniqueConstraint("user_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("message_versions.id"))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Notification(db.Model):
    """An in-app inbox entry (also e-mailed when SMTP is configured)."""

    __tablename__ = "notifications"
    # The unread badge on every page counts only unread rows: a partial index holds just those.
    __table_args__ = (
        Index(
            "ix_notifications_unread",
            "user_id",
            sqlite_where=text("read_at IS NULL"),
            postgresql_where=text("read_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(48))  # review_requested, approved, changes_requested, ...
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


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
