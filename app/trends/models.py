"""Hate-speech trends as monitoring detects them (DOMAIN.md, "Trend record")."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.common.time import utcnow
from app.common.types import UTCDateTime, enum_column
from app.extensions import db


class TrendStatus(StrEnum):
    NEW = "new"
    MONITORING = "monitoring"
    RESPONDING = "responding"
    ESCALATED = "escalated"
    CLOSED = "closed"


# Allowed status changes (DESIGN.md): forward along the flow; any state may close.
TREND_TRANSITIONS: dict[TrendStatus, frozenset[TrendStatus]] = {
    TrendStatus.NEW: frozenset(
        {TrendStatus.MONITORING, TrendStatus.RESPONDING, TrendStatus.ESCALATED, TrendStatus.CLOSED}
    ),
    TrendStatus.MONITORING: frozenset({TrendStatus.RESPONDING, TrendStatus.ESCALATED, TrendStatus.CLOSED}),
    TrendStatus.RESPONDING: frozenset({TrendStatus.MONITORING, TrendStatus.ESCALATED, TrendStatus.CLOSED}),
    TrendStatus.ESCALATED: frozenset({TrendStatus.RESPONDING, TrendStatus.CLOSED}),
    TrendStatus.CLOSED: frozenset(),
}


class RecommendedAction(StrEnum):
    COUNTER = "counter"
    ALTERNATIVE = "alternative"
    REPORT_ONLY = "report_only"
    NO_ENGAGEMENT = "no_engagement"


RABAT_FACTORS = ("context", "speaker", "intent", "content_form", "extent", "likelihood")
HALLMARKS = (
    "dehumanisation",
    "accusation_in_a_mirror",
    "threat_to_group_purity",
    "attack_on_women_and_girls",
    "questioning_in_group_loyalty",
)
TARGET_GROUPS = ("MUSLIMS", "MIGRANTS", "JEWS", "LGBT+", "POC", "WOMEN", "DISABLED", "ROMA", "OTHER")
SEVERITY_GATE = 4  # incitement, likely harm: report; only the alternative strategy is offered


class Trend(db.Model):
    __tablename__ = "trends"
    __table_args__ = (UniqueConstraint("organisation_id", "source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")  # neutral paraphrase, never a quote
    narrative_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    platforms: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)  # BCP-47
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO 3166
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    hashtags: Mapped[list[str]] = mapped_column(JSON, default=list)
    coded_terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    never_repeat_terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    extra_hostile_terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    severity: Mapped[int] = mapped_column(Integer, default=1)  # 1 offensive … 4 incitement
    # {factor: {"score": 0-2, "note": str}} for each of RABAT_FACTORS
    rabat: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hallmarks: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{"claim": str, "url": str}] misinformation claims and their fact-checks
    fact_checks: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    trigger_event: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[TrendStatus] = mapped_column(
        enum_column(TrendStatus, name="trend_status", length=16), default=TrendStatus.NEW, index=True
    )
    recommended_action: Mapped[RecommendedAction] = mapped_column(
        String(16), default=RecommendedAction.COUNTER
    )
    source: Mapped[str] = mapped_column(String(100), default="manual")
    external_id: Mapped[str | None] = mapped_column(String(200))
    first_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    owner: Mapped[User | None] = relationship()
    evidence: WriteOnlyMapped[Evidence] = relationship(
        back_populates="trend", cascade="all, delete-orphan", passive_deletes=True
    )
    observations: WriteOnlyMapped[Observation] = relationship(
        back_populates="trend", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_closed(self) -> bool:
        return self.status == TrendStatus.CLOSED

    @property
    def is_gated(self) -> bool:
        """Highest severity: report it; only alternative narratives, no replies (DOMAIN.md rule 11)."""
        return self.severity >= SEVERITY_GATE

    @property
    def lexicon(self) -> list[str]:
        """Every term a counter-message must never repeat."""
        return [*self.never_repeat_terms, *self.keywords, *self.coded_terms]


class Evidence(db.Model):
    """An example post: untrusted, access-restricted, never copied into published text."""

    __tablename__ = "trend_evidence"
    __table_args__ = (UniqueConstraint("trend_id", "dedupe_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trend_id: Mapped[int] = mapped_column(ForeignKey("trends.id", ondelete="CASCADE"), index=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    platform: Mapped[str | None] = mapped_column(String(32))
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    excerpt: Mapped[str] = mapped_column(Text, default="")
    author_kind: Mapped[str | None] = mapped_column(String(32))  # e.g. individual, organisation, bot, unknown
    author_handle: Mapped[str | None] = mapped_column(String(200))
    engagement: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(8))
    dedupe_key: Mapped[str] = mapped_column(String(64))  # hash of url or excerpt, for idempotent imports
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    trend: Mapped[Trend] = relationship(back_populates="evidence")


class Observation(db.Model):
    """A count of detected posts on one day, from one source."""

    __tablename__ = "trend_observations"
    __table_args__ = (UniqueConstraint("trend_id", "observed_on", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trend_id: Mapped[int] = mapped_column(ForeignKey("trends.id", ondelete="CASCADE"), index=True)
    observed_on: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(100), default="manual")

    trend: Mapped[Trend] = relationship(back_populates="observations")


class ImportMapping(db.Model):
    """The column mapping an organisation used last time, remembered per file shape."""

    __tablename__ = "trend_import_mappings"
    __table_args__ = (UniqueConstraint("organisation_id", "shape"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    shape: Mapped[str] = mapped_column(String(16))  # "trend" or "post"
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
