"""Counts typed in by people or sent back through the API, for posts whose platform gives none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.audit.services import record
from app.common.audit_actions import AuditAction
from app.common.time import utcnow
from app.extensions import db
from app.outcomes.models import EngagementSample, SampleSource
from app.publishing.models import Post, PostStatus

MAX_COUNT = 1_000_000_000


def _(message: str) -> str:
    """Mark a message for translation; views translate it at display time."""
    return message


class EngagementError(Exception):
    """A count that cannot be recorded, with a message for people."""


@dataclass(frozen=True)
class Counts:
    likes: int
    reposts: int
    replies: int
    quotes: int | None = None


def can_record_for(organisation_id: int, post: Post) -> bool:
    """The organisation that owns the channel or runs the campaign may record a post's counts."""
    return organisation_id in {post.channel.organisation_id, post.message.campaign.organisation_id}


def can_record(user: User, post: Post) -> bool:
    """Staff of the channel's or the campaign's organisation may record counts."""
    return user.has_role(Role.STAFF) and can_record_for(user.organisation_id, post)


def latest_samples(post_ids: list[int]) -> dict[int, EngagementSample]:
    """The latest sample of each post, in one query."""
    if not post_ids:
        return {}
    newest = (
        select(EngagementSample.post_id, func.max(EngagementSample.collected_at).label("at"))
        .where(EngagementSample.post_id.in_(post_ids))
        .group_by(EngagementSample.post_id)
        .subquery()
    )
    query = select(EngagementSample).join(
        newest,
        (newest.c.post_id == EngagementSample.post_id) & (newest.c.at == EngagementSample.collected_at),
    )
    return {sample.post_id: sample for sample in db.session.scalars(query)}


def record_counts(
    post: Post,
    counts: Counts,
    *,
    actor: User | None,
    source: SampleSource,
    now: datetime | None = None,
) -> EngagementSample:
    """Add a sample to a posted item's time series; flushes and audits, never commits."""
    if post.status != PostStatus.POSTED:
        raise EngagementError(_("Counts can only be recorded for a post that went out."))
    values = [counts.likes, counts.reposts, counts.replies, counts.quotes or 0]
    if any(value < 0 or value > MAX_COUNT for value in values):
        raise EngagementError(_("Counts must be between 0 and 1,000,000,000."))
    sample = EngagementSample(
        post_id=post.id,
        collected_at=now or utcnow(),
        likes=counts.likes,
        reposts=counts.reposts,
        replies=counts.replies,
        quotes=counts.quotes,
        source=source,
        recorded_by_id=actor.id if actor else None,
    )
    db.session.add(sample)
    db.session.flush()
    record(
        AuditAction.ENGAGEMENT_RECORDED,
        actor=actor,
        organisation=post.channel.organisation,
        obj=post,
        details={"source": str(source), "total": sample.total},
    )
    return sample
