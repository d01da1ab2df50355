"""The dashboard's "waiting for you" card: reviews, messages to schedule, posts needing a hand, trends."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import request
from flask_login import current_user
from sqlalchemy import case, func, select

from app.accounts.models import User
from app.campaigns.visibility import visible_to
from app.common.time import utcnow
from app.drafting.models import Message, MessageStatus
from app.extensions import db
from app.publishing.models import Post, PostStatus
from app.publishing.services import ATTENTION_STATUSES, visible_posts, with_list_relations
from app.trends.models import Observation, Trend, TrendStatus

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
    visible = select(Message).join(Message.campaign).where(visible_to(user.organisation_id))
    if user.is_lead:
        waiting.to_review = _count(visible.where(Message.status == MessageStatus.IN_REVIEW))
        # A lead of an organisation taking part may schedule every approved message of its campaigns.
        unscheduled = ~select(Post.id).where(Post.message_id == Message.id).exists()
        waiting.to_schedule = _count(visible.where(Message.status == MessageStatus.APPROVED, unscheduled))
    mine = visible.where(Message.created_by_id == user.id)
    waiting.my_changes_requested = _count(mine.where(Message.status == MessageStatus.CHANGES_REQUESTED))
    waiting.my_drafts = _count(mine.where(Message.status == MessageStatus.DRAFT))
    waiting.posts_attention = _count(visible_posts(user).where(Post.status.in_(ATTENTION_STATUSES)))
    waiting.next_posts = list(
        db.session.scalars(
            with_list_relations(visible_posts(user))
            .where(Post.status.in_((PostStatus.QUEUED, PostStatus.AWAITING_PARTNER)))
            .order_by(Post.scheduled_at)
            .limit(NEXT_POSTS)
        )
    )
    waiting.rising = _rising_trends(user, today)
    return waiting


def _rising_trends(user: User, today: date) -> list[tuple[Trend, int, int]]:
    """The organisation's open trends whose last 7 days exceed the 7 before, steepest first."""
    growth = _week_sums(user.organisation_id, today)
    recent, previous = func.coalesce(growth.c.recent, 0), func.coalesce(growth.c.previous, 0)
    rows = db.session.execute(
        select(Trend, recent, previous)
        .join(growth, growth.c.trend_id == Trend.id)
        .where(Trend.status != TrendStatus.CLOSED)
        .where(recent > previous)
        .order_by((recent - previous).desc(), Trend.id.desc())
        .limit(RISING_TRENDS)
    ).all()
    return [(trend, int(r), int(p)) for trend, r, p in rows]


def _week_sums(organisation_id: int, today: date):
    """Sums of the last 7 days and the 7 before for one organisation's trends (14 days of counts)."""
    recent_start, previous_start = today - timedelta(days=6), today - timedelta(days=13)
    in_recent = Observation.observed_on >= recent_start
    own = select(Trend.id).where(Trend.organisation_id == organisation_id)
    return (
        select(
            Observation.trend_id.label("trend_id"),
            func.sum(case((in_recent, Observation.count), else_=0)).label("recent"),
            func.sum(case((in_recent, 0), else_=Observation.count)).label("previous"),
        )
        .where(
            Observation.trend_id.in_(own),
            Observation.observed_on >= previous_start,
            Observation.observed_on <= today,
        )
        .group_by(Observation.trend_id)
        .subquery()
    )


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


WAITING_CARD = "dashboard/_waiting.html"


def waiting_card() -> dict[str, Any]:
    """On the dashboard only: what waits for the signed-in person (a card listed before the others)."""
    if request.endpoint != "core.dashboard":
        return {}
    return {"waiting_cards": [WAITING_CARD], "waiting": waiting_for(current_user, today=utcnow().date())}
