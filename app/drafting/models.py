"""Counter-messages and their versions: every save is a new, immutable version."""

from __future__ import annotations

import hashlib
import json
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.campaigns.models import Campaign
from app.common.time import utcnow
from app.common.types import UTCDateTime, enum_column
from app.extensions import db
from app.trends.models import Trend


class MessageStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    ARCHIVED = "archived"


# DESIGN.md: draft → in_review → approved; in_review → changes_requested → (edit) → in_review;
# in_review → rejected; any → archived; an edit of an approved message returns it to draft.
MESSAGE_TRANSITIONS: dict[MessageStatus, frozenset[MessageStatus]] = {
    MessageStatus.DRAFT: frozenset({MessageStatus.IN_REVIEW, MessageStatus.ARCHIVED}),
    MessageStatus.IN_REVIEW: frozenset(
        {
            MessageStatus.APPROVED,
            MessageStatus.CHANGES_REQUESTED,
            MessageStatus.REJECTED,
            MessageStatus.ARCHIVED,
        }
    ),
    MessageStatus.CHANGES_REQUESTED: frozenset({MessageStatus.IN_REVIEW, MessageStatus.ARCHIVED}),
    MessageStatus.APPROVED: frozenset({MessageStatus.DRAFT, MessageStatus.ARCHIVED}),
    MessageStatus.REJECTED: frozenset({MessageStatus.ARCHIVED}),
    MessageStatus.ARCHIVED: frozenset(),
}


class VersionSource(StrEnum):
    AI = "ai"
    OFFLINE = "offline"
    HUMAN = "human"


def content_hash(text: str, variants: dict[str, str]) -> str:
    """The SHA-256 an approval is bound to: the text and every per-platform variant."""
    canonical = json.dumps({"text": text, "variants": variants}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        # Campaign pages and the ready list show messages newest first, by campaign or by status.
        Index("ix_messages_campaign_updated", "campaign_id", "updated_at"),
        Index("ix_messages_status_updated", "status", "updated_at"),
        # The dashboard counts messages of a status in the campaigns a person sees from this index alone.
        Index("ix_messages_status_campaign", "status", "campaign_id", "created_by_id"),
        # The review queue lists the languages of messages in review in the campaigns a lead sees.
        Index("ix_messages_status_campaign_language", "status", "campaign_id", "language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    trend_id: Mapped[int | None] = mapped_column(ForeignKey("trends.id"), index=True)
    strategy: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[MessageStatus] = mapped_column(
        enum_column(MessageStatus, name="message_status", length=24), default=MessageStatus.DRAFT, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("message_versions.id", use_alter=True, name="fk_messages_current_version_id")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship()
    trend: Mapped[Trend | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    current_version: Mapped[MessageVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    versions: Mapped[list[MessageVersion]] = relationship(
        back_populates="message",
        foreign_keys="MessageVersion.message_id",
        order_by="MessageVersion.number",
    )
    comments: Mapped[list[MessageComment]] = relationship(
        back_populates="message", order_by="MessageComment.created_at"
    )

    @property
    def text(self) -> str:
        return self.current_version.text if self.current_version else ""


class MessageVersion(db.Model):
    """One immutable state of a message's text; approvals name a version and its hash."""

    __tablename__ = "message_versions"
    __table_args__ = (UniqueConstraint("message_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    variants: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # platform → adapted text
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[VersionSource] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Check findings per platform at save time: {"platform": [{"code",...}]}; has_errors for quick gating.
    findings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    has_errors: Mapped[bool] = mapped_column(Boolean, default=False)
    # For ai/offline versions: provider, model, prompt name/version/hash, parameters, tokens, latency.
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    message: Mapped[Message] = relationship(back_populates="versions", foreign_keys=[message_id])
    author: Mapped[User | None] = relationship()

    def matches_hash(self) -> bool:
        """Tell whether the stored hash still describes the stored text (tamper check)."""
        return self.content_hash == content_hash(self.text, self.variants or {})


class CommentKind(StrEnum):
    COMMENT = "comment"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"


class MessageComment(db.Model):
    __tablename__ = "message_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("message_versions.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(24), default=CommentKind.COMMENT)  # a CommentKind
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    message: Mapped[Message] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()


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
