"""Campaigns: a coalition's planned answer to one or more trends."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.common.time import utcnow
from app.common.types import UTCDateTime, enum_column
from app.extensions import db
from app.trends.models import Trend


class CampaignStatus(StrEnum):
    PLANNING = "planning"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    ARCHIVED = "archived"


# Allowed status changes: plan, run, pause and resume, end; archive from anywhere but archived.
CAMPAIGN_TRANSITIONS: dict[CampaignStatus, frozenset[CampaignStatus]] = {
    CampaignStatus.PLANNING: frozenset({CampaignStatus.ACTIVE, CampaignStatus.ARCHIVED}),
    CampaignStatus.ACTIVE: frozenset(
        {CampaignStatus.PAUSED, CampaignStatus.COMPLETED, CampaignStatus.ARCHIVED}
    ),
    CampaignStatus.PAUSED: frozenset(
        {CampaignStatus.ACTIVE, CampaignStatus.COMPLETED, CampaignStatus.ARCHIVED}
    ),
    CampaignStatus.COMPLETED: frozenset({CampaignStatus.ACTIVE, CampaignStatus.ARCHIVED}),
    CampaignStatus.ARCHIVED: frozenset(),
}


class CampaignMode(StrEnum):
    BROADCAST = "broadcast"  # counter- or alternative narratives on partner timelines (default)
    REPLY = "reply"  # answers one public post; never auto-posted as a reply to an individual


campaign_trends = Table(
    "campaign_trends",
    db.metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("trend_id", ForeignKey("trends.id", ondelete="CASCADE"), primary_key=True),
)

campaign_partners = Table(
    "campaign_partners",
    db.metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)


class Campaign(db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    goal: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(
        Text, default="The movable middle: people who see the hate but have not taken a side."
    )
    mode: Mapped[CampaignMode] = mapped_column(String(16), default=CampaignMode.BROADCAST)
    strategies: Mapped[list[str]] = mapped_column(JSON, default=list)
    tone_notes: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    platforms: Mapped[list[str]] = mapped_column(JSON, default=list)
    hashtags: Mapped[list[str]] = mapped_column(JSON, default=list)  # campaign-owned supportive tags
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[CampaignStatus] = mapped_column(
        enum_column(CampaignStatus, name="campaign_status", length=16), default=CampaignStatus.PLANNING, index=True
    )
    # When set, every partner organisation taking part must have a lead approve each message too.
    requires_partner_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    trends: Mapped[list[Trend]] = relationship(secondary=campaign_trends)
    partners: Mapped[list[Organisation]] = relationship(secondary=campaign_partners)
    knowledge: Mapped[list[KnowledgeItem]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="KnowledgeItem.position"
    )

    @property
    def is_publishable(self) -> bool:
        return self.status == CampaignStatus.ACTIVE


class KnowledgeItem(db.Model):
    """A vetted fact with its source: the only facts the drafter may use."""

    __tablename__ = "campaign_knowledge"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str] = mapped_column(String(2000))
    language: Mapped[str] = mapped_column(String(8), default="en")
    position: Mapped[int] = mapped_column(Integer, default=0)

    campaign: Mapped[Campaign] = relationship(back_populates="knowledge")
