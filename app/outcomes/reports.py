"""What a campaign, or the answer to one trend, achieved: figures computed from posts and samples.

Every figure carries the number of posts behind it, so nobody over-reads three posts. "Interactions"
are the latest public counts of each post (likes + reposts + replies + quotes); "per post" divides
them by the posts that have counts at all.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, func, select

from app.campaigns.models import Campaign
from app.campaigns.services import visible_campaigns
from app.channels.models import Channel
from app.common.time import as_utc
from app.drafting.models import Approval, Message, MessageVersion, VersionSource
from app.extensions import db
from app.outcomes.models import EngagementSample, EngagementTracker
from app.publishing.models import Post, PostStatus
from app.review.models import ReviewRequest
from app.trends.models import Observation, Trend

# Below this many measured posts a comparison between groups is shown as too thin to rank.
MIN_POSTS_TO_COMPARE = 5
# The chart covers at most this many days, ending today.
MAX_CHART_DAYS = 90


@dataclass(frozen=True)
class Figure:
    """The posts of one group (a strategy, a language, a channel) and what they achieved."""

    key: str
    label: str
    posts: int
    measured: int
    interactions: int
    replies_read: int = 0
    hostile_replies: int = 0

    @property
    def per_post(self) -> float | None:
        return round(self.interactions / self.measured, 1) if self.measured else None

    @property
    def is_thin(self) -> bool:
        return self.measured < MIN_POSTS_TO_COMPARE

    @property
    def hostile_share(self) -> float | None:
        return round(100 * self.hostile_replies / self.replies_read) if self.replies_read else None


@dataclass(frozen=True)
class PostLine:
    """One posted item with its latest counts (None when no counts were read yet)."""

    post: Post
    message: Message
    channel: Channel
    latest: EngagementSample | None
    tracking: str | None


@dataclass(frozen=True)
class TrendTiming:
    """How long it took from a trend's first sighting to the first post answering it."""

    trend: Trend
    first_seen_at: datetime | None
    first_post_at: datetime | None

    @property
    def delay(self) -> timedelta | None:
        if self.first_seen_at is None or self.first_post_at is None:
            return None
        return as_utc(self.first_post_at) - as_utc(self.first_seen_at)


@dataclass(frozen=True)
class DayPoint:
    day: date
    volume: int  # posts of the hateful narrative counted by monitoring that day
    interactions: int  # interactions with our posts known by the end of that day (cumulative)


@dataclass(frozen=True)
class Timing:
    """A median over some events, with how many there were."""

    count: int
    median: float | None


@dataclass
class Report:
    title: str
    status_counts: dict[str, int]
    lines: list[PostLine]
    totals: Figure
    by_strategy: list[Figure]
    by_language: list[Figure]
    by_channel: list[Figure]
    timings: list[TrendTiming]
    edits: Timing  # median share of words people changed in AI/offline drafts, in percent
    turnaround: Timing  # median hours from submission to approval
    series: list[DayPoint] = field(default_factory=list)

    @property
    def best_strategy(self) -> Figure | None:
        return _best(self.by_strategy)

    @property
    def best_language(self) -> Figure | None:
        return _best(self.by_language)


def campaign_report(campaign: Campaign, *, today: date) -> Report:
    """Every post of the campaign's messages, next to the volume of the campaign's trends."""
    return _report(campaign.title, Message.campaign_id == campaign.id, list(campaign.trends), today)


def trend_report(trend: Trend, organisation_id: int, *, today: date) -> Report:
    """Posts answering one trend, in the campaigns the organisation owns or takes part in."""
    visible = visible_campaigns(organisation_id).with_only_columns(Campaign.id)
    condition = (Message.trend_id == trend.id) & Message.campaign_id.in_(visible)
    return _report(trend.title, condition, [trend], today)


def _report(title: str, condition: ColumnElement[bool], trends: list[Trend], today: date) -> Report:
    status_counts = {
        str(status): count
        for status, count in db.session.execute(
            select(Post.status, func.count(Post.id)).join(Post.message).where(condition).group_by(Post.status)
        )
    }
    lines = _posted_lines(condition)
    samples = _samples([line.post.id for line in lines])
    latest = {post_id: rows[-1] for post_id, rows in samples.items()}
    lines = [
        PostLine(line.post, line.message, line.channel, latest.get(line.post.id), line.tracking)
        for line in lines
    ]
    message_ids = {line.message.id for line in lines} | set(
        db.session.scalars(select(Message.id).where(condition, Message.status == "approved"))
    )
    return Report(
        title=title,
        status_counts=status_counts,
        lines=sorted(lines, key=_line_order),
        totals=_figure("all", "", lines),
        by_strategy=_grouped(lines, lambda line: (line.message.strategy, line.message.strategy)),
        by_language=_grouped(lines, lambda line: (line.message.language, line.message.language)),
        by_channel=_grouped(lines, lambda line: (str(line.channel.id), line.channel.display_name)),
        timings=_timings(trends, lines),
        edits=_edits(message_ids),
        turnaround=_turnaround(message_ids),
        series=_series(trends, samples, today),
    )


def _posted_lines(condition: ColumnElement[bool]) -> list[PostLine]:
    rows = db.session.execute(
        select(Post, Message, Channel, EngagementTracker.state)
        .join(Message, Message.id == Post.message_id)
        .join(Channel, Channel.id == Post.channel_id)
        .outerjoin(EngagementTracker, EngagementTracker.post_id == Post.id)
        .where(condition, Post.status == PostStatus.POSTED)
    ).all()
    return [PostLine(post, message, channel, None, state) for post, message, channel, state in rows]


def _samples(post_ids: list[int]) -> dict[int, list[EngagementSample]]:
    by_post: dict[int, list[EngagementSample]] = defaultdict(list)
    if not post_ids:
        return by_post
    query = (
        select(EngagementSample)
        .where(EngagementSample.post_id.in_(post_ids))
        .order_by(EngagementSample.collected_at, EngagementSample.id)
    )
    for sample in db.session.scalars(query):
        by_post[sample.post_id].append(sample)
    return by_post


def _figure(key: str, label: str, lines: Iterable[PostLine]) -> Figure:
    lines = list(lines)
    measured = [line.latest for line in lines if line.latest is not None]
    return Figure(
        key=key,
        label=label,
        posts=len(lines),
        measured=len(measured),
        interactions=sum(sample.total for sample in measured),
        replies_read=sum(sample.replies_read or 0 for sample in measured),
        hostile_replies=sum(sample.hostile_replies or 0 for sample in measured),
    )


def _grouped(lines: list[PostLine], key_of) -> list[Figure]:
    groups: dict[tuple[str, str], list[PostLine]] = defaultdict(list)
    for line in lines:
        groups[key_of(line)].append(line)
    figures = [_figure(key, label, members) for (key, label), members in groups.items()]
    return sorted(figures, key=lambda f: (f.per_post is None, -(f.per_post or 0), -f.posts, f.label))


def _best(figures: list[Figure]) -> Figure | None:
    """The group with the most interactions per post, among those with enough posts to compare."""
    ranked = [f for f in figures if not f.is_thin and f.per_post is not None]
    return max(ranked, key=lambda f: f.per_post or 0) if len(ranked) >= 2 else None


def _line_order(line: PostLine) -> tuple:
    total = line.latest.total if line.latest else -1
    return (-total, -(line.post.posted_at.timestamp() if line.post.posted_at else 0))


def _timings(trends: list[Trend], lines: list[PostLine]) -> list[TrendTiming]:
    first_post: dict[int, datetime] = {}
    for line in lines:
        trend_id, posted_at = line.message.trend_id, line.post.posted_at
        if trend_id is None or posted_at is None:
            continue
        if trend_id not in first_post or as_utc(posted_at) < as_utc(first_post[trend_id]):
            first_post[trend_id] = posted_at
    return [TrendTiming(trend, trend.first_seen_at, first_post.get(trend.id)) for trend in trends]


def _edits(message_ids: set[int]) -> Timing:
    """How much of each AI or offline draft people rewrote before it was approved (word edit distance)."""
    if not message_ids:
        return Timing(0, None)
    approved = dict(
        db.session.execute(
            select(Approval.message_id, func.max(Approval.version_id))
            .where(Approval.message_id.in_(message_ids))
            .group_by(Approval.message_id)
        ).all()
    )
    wanted = set(approved.values())
    versions = db.session.scalars(
        select(MessageVersion).where(
            MessageVersion.message_id.in_(approved),
            (MessageVersion.number == 1) | MessageVersion.id.in_(wanted),
        )
    ).all()
    first = {v.message_id: v for v in versions if v.number == 1}
    final = {v.id: v for v in versions if v.id in wanted}
    changes = [
        changed_share(first[mid].text, final[vid].text)
        for mid, vid in approved.items()
        if mid in first and vid in final and first[mid].source in (VersionSource.AI, VersionSource.OFFLINE)
    ]
    return Timing(len(changes), round(statistics.median(changes)) if changes else None)


def _turnaround(message_ids: set[int]) -> Timing:
    """Hours from a version's submission for review to its approval."""
    if not message_ids:
        return Timing(0, None)
    submitted = dict(
        db.session.execute(
            select(ReviewRequest.version_id, func.min(ReviewRequest.created_at))
            .where(ReviewRequest.message_id.in_(message_ids))
            .group_by(ReviewRequest.version_id)
        ).all()
    )
    hours = [
        (as_utc(approval.created_at) - as_utc(submitted[approval.version_id])).total_seconds() / 3600
        for approval in db.session.scalars(select(Approval).where(Approval.message_id.in_(message_ids)))
        if approval.version_id in submitted
    ]
    return Timing(len(hours), round(statistics.median(hours), 1) if hours else None)


def changed_share(before: str, after: str) -> float:
    """Word-level edit distance between two texts, as a percentage of the longer one."""
    a, b = before.split(), after.split()
    if not a and not b:
        return 0.0
    previous = list(range(len(b) + 1))
    for i, word in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other)))
        previous = current
    return 100 * previous[-1] / max(len(a), len(b))


def _series(trends: list[Trend], samples: dict[int, list[EngagementSample]], today: date) -> list[DayPoint]:
    """Daily volume of the trends and cumulative interactions with our posts, over one window."""
    starts = [as_utc(t.first_seen_at).date() for t in trends if t.first_seen_at]
    starts += [as_utc(rows[0].collected_at).date() for rows in samples.values() if rows]
    start = max(min(starts, default=today), today - timedelta(days=MAX_CHART_DAYS - 1))
    days = [start + timedelta(days=i) for i in range((today - start).days + 1)]
    volume: Counter[date] = Counter()
    if trends:
        for day, count in db.session.execute(
            select(Observation.observed_on, func.sum(Observation.count))
            .where(Observation.trend_id.in_([t.id for t in trends]), Observation.observed_on >= start)
            .group_by(Observation.observed_on)
        ):
            volume[day] = int(count or 0)
    return [DayPoint(day, volume[day], _known_by(samples, day)) for day in days]


def _known_by(samples: dict[int, list[EngagementSample]], day: date) -> int:
    """Sum over posts of the latest total collected on or before that day."""
    total = 0
    for rows in samples.values():
        known = [row for row in rows if as_utc(row.collected_at).date() <= day]
        if known:
            total += known[-1].total
    return total
