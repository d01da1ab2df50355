"""Reports and engagement over the API: GET campaign and trend reports, POST counts for a post."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import abort, jsonify
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.api import bp, openapi
from app.api.auth import current_api_org, token_required
from app.api.problems import ApiProblem, ValidationProblem
from app.api.requests import json_object
from app.campaigns.access import campaign_for
from app.common.time import utcnow
from app.extensions import db
from app.outcomes.models import EngagementSample, SampleSource
from app.outcomes.reports import Figure, Report, campaign_report, trend_report
from app.outcomes.services import MAX_COUNT, Counts, EngagementError, can_record_for, record_counts
from app.publishing.models import Post
from app.trends.models import Trend


class EngagementIn(BaseModel):
    """Counts read on the platform by the partner's own tools (webhook and manual channels)."""

    model_config = ConfigDict(extra="forbid", title="EngagementIn")
    likes: int = Field(ge=0, le=MAX_COUNT)
    reposts: int = Field(ge=0, le=MAX_COUNT)
    replies: int = Field(ge=0, le=MAX_COUNT)
    quotes: int | None = Field(default=None, ge=0, le=MAX_COUNT)


class EngagementOut(BaseModel):
    model_config = ConfigDict(title="Engagement")
    likes: int
    reposts: int
    replies: int
    quotes: int | None
    total: int
    collected_at: datetime
    source: str


class FigureOut(BaseModel):
    model_config = ConfigDict(title="ReportFigure")
    key: str
    label: str
    posts: int = Field(description="Posts published in this group.")
    measured: int = Field(description="Posts in this group whose counts were read at least once.")
    interactions: int = Field(description="Sum of the latest likes, reposts, replies and quotes.")
    per_post: float | None = Field(description="Interactions divided by measured posts.")
    too_few_to_compare: bool
    replies_read: int
    hostile_replies: int


class TimingOut(BaseModel):
    model_config = ConfigDict(title="ReportTrendTiming")
    trend_id: int
    first_seen_at: datetime | None
    first_post_at: datetime | None
    hours_to_first_post: float | None


class DayOut(BaseModel):
    model_config = ConfigDict(title="ReportDay")
    day: date
    volume: int
    interactions: int


class ReportOut(BaseModel):
    model_config = ConfigDict(title="Report")
    title: str
    posts_by_status: dict[str, int]
    totals: FigureOut
    by_strategy: list[FigureOut]
    by_language: list[FigureOut]
    by_channel: list[FigureOut]
    first_posts: list[TimingOut]
    ai_draft_words_changed_median_percent: int | None
    ai_drafts_compared: int
    approval_turnaround_median_hours: float | None
    approvals_timed: int
    series: list[DayOut]


def _register_schemas() -> None:
    for model in (EngagementIn, EngagementOut, ReportOut):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            openapi.schema(name, definition)
        openapi.schema(str(model.model_config["title"]), schema)


_register_schemas()
for _path, _summary in (
    ("/campaigns/{id}/report", "What a campaign's posts achieved, per strategy, language and channel"),
    ("/trends/{id}/report", "What the posts answering a trend achieved, in campaigns the organisation sees"),
):
    openapi.operation(
        _path,
        "get",
        summary=_summary,
        tag="reports",
        parameters=[openapi.path_id()],
        responses={200: "Report", 404: None},
    )
openapi.operation(
    "/posts/{id}/engagement",
    "post",
    summary="Record a post's public counts read by the partner's own tools",
    tag="posts",
    parameters=[openapi.path_id()],
    request_body="EngagementIn",
    responses={201: "Engagement", 404: None, 409: None, 422: None},
)


@bp.route("/campaigns/<int:campaign_id>/report")
@token_required
def campaign_report_api(campaign_id: int):
    campaign = campaign_for(current_api_org().id, campaign_id)
    return jsonify(_report_json(campaign_report(campaign, today=utcnow().date())))


@bp.route("/trends/<int:trend_id>/report")
@token_required
def trend_report_api(trend_id: int):
    trend = db.session.get(Trend, trend_id)
    if trend is None:
        abort(404)
    return jsonify(_report_json(trend_report(trend, current_api_org().id, today=utcnow().date())))


@bp.route("/posts/<int:post_id>/engagement", methods=["POST"])
@token_required
def record_engagement_api(post_id: int):
    post = db.session.get(Post, post_id)
    if post is None or not can_record_for(current_api_org().id, post):
        abort(404)
    try:
        body = EngagementIn.model_validate(json_object())
    except ValidationError as exc:
        raise ValidationProblem(
            {".".join(str(p) for p in error["loc"]) or "body": error["msg"] for error in exc.errors()}
        ) from None
    try:
        sample = record_counts(
            post,
            Counts(body.likes, body.reposts, body.replies, body.quotes),
            actor=None,
            source=SampleSource.API,
        )
    except EngagementError as exc:
        raise ApiProblem(409, "Conflict", str(exc)) from None
    db.session.commit()
    return jsonify(engagement_json(sample)), 201


def engagement_json(sample: EngagementSample | None) -> dict[str, Any] | None:
    """The API view of a post's latest counts."""
    if sample is None:
        return None
    return EngagementOut(
        likes=sample.likes,
        reposts=sample.reposts,
        replies=sample.replies,
        quotes=sample.quotes,
        total=sample.total,
        collected_at=sample.collected_at,
        source=str(sample.source),
    ).model_dump(mode="json")


def _figure(figure: Figure) -> FigureOut:
    return FigureOut(
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


def _report_json(report: Report) -> dict[str, Any]:
    return ReportOut(
        title=report.title,
        posts_by_status=report.status_counts,
        totals=_figure(report.totals),
        by_strategy=[_figure(f) for f in report.by_strategy],
        by_language=[_figure(f) for f in report.by_language],
        by_channel=[_figure(f) for f in report.by_channel],
        first_posts=[
            TimingOut(
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
        series=[DayOut(day=p.day, volume=p.volume, interactions=p.interactions) for p in report.series],
    ).model_dump(mode="json")
