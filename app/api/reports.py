"""Reports and engagement over the API: GET campaign and trend reports, POST counts for a post."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from flask import abort
from pydantic import Field

from app.api.auth import current_api_org
from app.api.contract import endpoint
from app.api.fields import Body, Out, Whole
from app.api.problems import ApiProblem
from app.campaigns.access import campaign_for
from app.campaigns.models import Campaign
from app.common.time import utcnow
from app.extensions import db
from app.outcomes.models import EngagementSample, SampleSource
from app.outcomes.reports import Figure, campaign_report, trend_report
from app.outcomes.reports import Report as ReportData
from app.outcomes.services import MAX_COUNT, Counts, EngagementError, can_record_for, record_counts
from app.publishing.models import Post
from app.trends.models import Trend


class EngagementIn(Body):
    """Counts read on the platform by the partner's own tools (webhook and manual channels)."""

    likes: Annotated[int, Whole(0, MAX_COUNT)]
    reposts: Annotated[int, Whole(0, MAX_COUNT)]
    replies: Annotated[int, Whole(0, MAX_COUNT)]
    quotes: Annotated[int, Whole(0, MAX_COUNT)] | None = None


class Engagement(Out):
    """A post's latest public counts."""

    likes: int
    reposts: int
    replies: int
    quotes: int | None
    total: int
    collected_at: datetime
    source: str


class ReportFigure(Out):
    """What one group of posts achieved."""

    key: str
    label: str
    posts: int = Field(description="Posts published in this group.")
    measured: int = Field(description="Posts in this group whose counts were read at least once.")
    interactions: int = Field(description="Sum of the latest likes, reposts, replies and quotes.")
    per_post: float | None = Field(description="Interactions divided by measured posts.")
    too_few_to_compare: bool
    replies_read: int
    hostile_replies: int


class ReportTrendTiming(Out):
    """How soon the first post answered a trend."""

    trend_id: int
    first_seen_at: datetime | None
    first_post_at: datetime | None
    hours_to_first_post: float | None


class ReportDay(Out):
    """One day of volume and interactions."""

    day: date
    volume: int
    interactions: int


class Report(Out):
    """What a campaign's (or a trend's) posts achieved."""

    title: str
    posts_by_status: dict[str, int]
    totals: ReportFigure
    by_strategy: list[ReportFigure]
    by_language: list[ReportFigure]
    by_channel: list[ReportFigure]
    first_posts: list[ReportTrendTiming]
    ai_draft_words_changed_median_percent: int | None
    ai_drafts_compared: int
    approval_turnaround_median_hours: float | None
    approvals_timed: int
    series: list[ReportDay]


def _visible_campaign(id: int) -> Campaign:
    return campaign_for(current_api_org().id, id)


def _trend(id: int) -> Trend:
    trend = db.session.get(Trend, id)
    if trend is None:
        abort(404)
    return trend


def _recordable_post(id: int) -> Post:
    post = db.session.get(Post, id)
    if post is None or not can_record_for(current_api_org().id, post):
        abort(404)
    return post


@endpoint(
    "/campaigns/<int:id>/report",
    summary="What a campaign's posts achieved, per strategy, language and channel",
    tag="reports",
    load=_visible_campaign,
    responses={200: Report, 404: None},
)
def campaign_report_api(campaign: Campaign) -> Report:
    return _report(campaign_report(campaign, today=utcnow().date()))


@endpoint(
    "/trends/<int:id>/report",
    summary="What the posts answering a trend achieved, in campaigns the organisation sees",
    tag="reports",
    load=_trend,
    responses={200: Report, 404: None},
)
def trend_report_api(trend: Trend) -> Report:
    return _report(trend_report(trend, current_api_org().id, today=utcnow().date()))


@endpoint(
    "/posts/<int:id>/engagement",
    "POST",
    summary="Record a post's public counts read by the partner's own tools",
    tag="posts",
    body=EngagementIn,
    load=_recordable_post,
    responses={201: Engagement, 404: None, 409: None},
)
def record_engagement_api(post: Post, body: EngagementIn):
    try:
        sample = record_counts(
            post,
            Counts(body.likes, body.reposts, body.replies, body.quotes),
            actor=None,
            source=SampleSource.API,
        )
    except EngagementError as exc:
        db.session.rollback()
        raise ApiProblem(409, "Conflict", str(exc)) from None
    db.session.commit()
    return engagement(sample), 201


def engagement(sample: EngagementSample | None) -> Engagement | None:
    """The API view of a post's latest counts."""
    if sample is None:
        return None
    return Engagement(
        likes=sample.likes,
        reposts=sample.reposts,
        replies=sample.replies,
        quotes=sample.quotes,
        total=sample.total,
        collected_at=sample.collected_at,
        source=str(sample.source),
    )


def _figure(figure: Figure) -> ReportFigure:
    return ReportFigure(
        key=figure.key,
        label=figure.label,
        posts=figure.posts,
        measured=figure.measured,
        interactions=figure.interactions,
        per_post=figure.per_post,
        too_few_to_compare=figure.is_thin,
        replies_read=figure.replies_read,
        hostile_replies=figure.hostile_replies,
    )


def _report(report: ReportData) -> Report:
    return Report(
        title=report.title,
        posts_by_status=report.status_counts,
        totals=_figure(report.totals),
        by_strategy=[_figure(f) for f in report.by_strategy],
        by_language=[_figure(f) for f in report.by_language],
        by_channel=[_figure(f) for f in report.by_channel],
        first_posts=[
            ReportTrendTiming(
                trend_id=t.trend.id,
                first_seen_at=t.first_seen_at,
                first_post_at=t.first_post_at,
                hours_to_first_post=round(t.delay.total_seconds() / 3600, 1) if t.delay is not None else None,
            )
            for t in report.timings
        ],
        ai_draft_words_changed_median_percent=report.edits.median,
        ai_drafts_compared=report.edits.count,
        approval_turnaround_median_hours=report.turnaround.median,
        approvals_timed=report.turnaround.count,
        series=[ReportDay(day=p.day, volume=p.volume, interactions=p.interactions) for p in report.series],
    )
