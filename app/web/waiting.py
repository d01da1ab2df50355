"""The dashboard's "waiting for you" card: reviews, messages to schedule, posts needing a hand, trends."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import request
from flask_login import current_user
from sqlalchemy import func, select, union_all

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.campaigns.visibility import visible_campaigns
from app.common.time import utcnow
from app.drafting.models import Message, MessageStatus
from app.extensions import db
from app.publishing.context import attention_counts
from app.publishing.models import Post, PostStatus
from app.publishing.services import post_visibility, with_list_relations
from app.trends.models import Trend, TrendStatus

NEXT_POSTS = 5
RISING_TRENDS = 3


@dataclass
class Waiting:
    """Counts and short lists for the dashboard; empty means nothing waits for this person."""

    to_review: int = 0
    to_schedule: int = 0
    my_changes_requested: int = 0
    my_drafts: int = 0
    rising: list[tuple[Trend, int, int]] = field(default_factory=list)
    next_posts: list[Post] = field(default_factory=list)
    posts_attention: int = 0

    @property
    def has_tasks(self) -> bool:
        return bool(self.to_review or self.to_schedule or self.my_changes_requested or self.posts_attention)


def waiting_for(user: User, *, today: date) -> Waiting:
    """Everything the dashboard lists for this person, in a fixed number of queries."""
    waiting = Waiting()
    # The campaigns the person sees, read once: the counts below then walk the (status, campaign)
    # index for exactly those campaigns (the database cannot guess how few they are from the rule).
    campaign_ids = list(db.session.scalars(visible_campaigns(user.organisation_id).with_only_columns(Campaign.id)))
    visible = select(Message).where(Message.campaign_id.in_(campaign_ids))
    if user.is_lead:
        waiting.to_review = _count(visible.where(Message.status == MessageStatus.IN_REVIEW))
        # A lead of an organisation taking part may schedule every approved message of its campaigns.
        unscheduled = ~select(Post.id).where(Post.message_id == Message.id).exists()
        waiting.to_schedule = _count(visible.where(Message.status == MessageStatus.APPROVED, unscheduled))
    mine = visible.where(Message.created_by_id == user.id)
    waiting.my_changes_requested = _count(mine.where(Message.status == MessageStatus.CHANGES_REQUESTED))
    waiting.my_drafts = _count(mine.where(Message.status == MessageStatus.DRAFT))
    waiting.posts_attention = sum(attention_counts(user.organisation_id).values())
    waiting.next_posts = _next_posts(user)
    waiting.rising = _rising_trends(user, today)
    return waiting


def _next_posts(user: User) -> list[Post]:
    """The soonest posts still to go out: the first few of each status by time (a short walk of the
    status and time index each), then those few loaded with what the card shows."""
    visible = post_visibility(user.organisation_id)
    soonest = [
        select(Post.id).where(visible, Post.status == status).order_by(Post.scheduled_at).limit(NEXT_POSTS).subquery()
        for status in (PostStatus.QUEUED, PostStatus.AWAITING_PARTNER)
    ]
    candidates = union_all(*(select(ids.c.id) for ids in soonest))
    posts = select(Post).join(Post.channel).join(Post.message).where(Post.id.in_(candidates))
    return list(
        db.session.scalars(with_list_relations(posts).order_by(Post.scheduled_at, Post.id).limit(NEXT_POSTS))
    )


def _rising_trends(user: User, today: date) -> list[tuple[Trend, int, int]]:
    """The organisation's open trends whose last 7 days exceed the 7 before, steepest first.

    Reads the 7-day figures kept on each trend (trends.queries.refresh_growth, run by the dashboard
    view before it renders), so no daily counts are summed here.
    """
    rows = db.session.scalars(
        select(Trend)
        .where(
            Trend.organisation_id == user.organisation_id,
            Trend.status != TrendStatus.CLOSED,
            Trend.growth_on == today,
            Trend.week_growth > 0,
        )
        .order_by(Trend.week_growth.desc(), Trend.week_recent.desc(), Trend.id.desc())  # as the board sorts
        .limit(RISING_TRENDS)
    ).all()
    return [(trend, trend.week_recent, trend.week_recent - trend.week_growth) for trend in rows]


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


WAITING_CARD = "dashboard/_waiting.html"


def waiting_card() -> dict[str, Any]:
    """On the dashboard only: what waits for the signed-in person (a card listed before the others)."""
    if request.endpoint != "core.dashboard":
        return {}
    return {"waiting_cards": [WAITING_CARD], "waiting": waiting_for(current_user, today=utcnow().date())}
