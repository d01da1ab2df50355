"""Read the public counts of posted items, at growing intervals, within each platform's rate limits.

The database is the schedule (as for publishing): one tracker row per posted item says when its
counts are next read. A pass claims due trackers with a compare-and-set, reads them through the
platform's public API, writes a sample, and moves the tracker to the next offset. A 429 holds back
every tracker on that server until the reset; a post the platform no longer has is marked `gone`;
repeated failures end in `unreachable` instead of being retried forever.
"""

from __future__ import annotations

import html
import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from flask import current_app
from sqlalchemy import and_, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.channels.connectors.base import (
    AuthError,
    Connector,
    ConnectorError,
    RateLimited,
    classify_response,
    json_or_none,
    parse_retry_at,
    send,
)
from app.channels.connectors.registry import get_connector
from app.channels.models import Channel
from app.channels.services import channel_config
from app.checks import run_checks
from app.common.sql import rowcount
from app.common.time import as_utc, utcnow
from app.extensions import db
from app.outcomes.models import (
    POLL_OFFSETS,
    EngagementSample,
    EngagementTracker,
    SampleSource,
    TrackingState,
)
from app.publishing.models import Post, PostStatus

log = logging.getLogger(__name__)

# A claimed tracker is pushed this far ahead, so a second worker does not read it at the same time.
_CLAIM_LEASE = timedelta(minutes=10)
# Failures back off with full jitter (as publishing does), then the post is marked unreachable.
_BACKOFF_BASE = timedelta(minutes=5)
_BACKOFF_CAP = timedelta(hours=6)
MAX_FAILURES = 6
# Stop using a server when its X-RateLimit-Remaining falls to this, until its reset.
_REMAINING_FLOOR = 5
_REPLIES_READ = 40
_TAG = re.compile(r"<[^>]+>")


class PostGone(ConnectorError):
    """The platform says the post does not exist any more (deleted, or its account gone)."""


class BudgetSpent(Exception):
    """This pass has used every request it may send to a server."""


@dataclass(frozen=True)
class Reading:
    """Public counts of one post, and the text of its replies where the API gives them."""

    likes: int
    reposts: int
    replies: int
    quotes: int | None = None
    reply_texts: tuple[str, ...] | None = None


@dataclass
class RequestMeter:
    """Counts the requests a pass sends to each server and stops at the budget or a low remainder."""

    budget: int
    now: datetime
    spent: dict[str, int] = field(default_factory=dict)
    held_until: dict[str, datetime] = field(default_factory=dict)

    def spend(self, server: str) -> None:
        """Take one request from the server's budget, or refuse."""
        if server in self.held_until or self.spent.get(server, 0) >= self.budget:
            raise BudgetSpent(server)
        self.spent[server] = self.spent.get(server, 0) + 1

    def observe(self, server: str, resp: httpx.Response) -> None:
        """Stop using a server whose remaining allowance is nearly used up, until it resets."""
        remaining = resp.headers.get("x-ratelimit-remaining") or resp.headers.get("ratelimit-remaining")
        if remaining is None or not remaining.strip().isdigit() or int(remaining) > _REMAINING_FLOOR:
            return
        reset = parse_retry_at({k: v for k, v in resp.headers.items() if "reset" in k.lower()}, self.now)
        self.held_until[server] = reset or self.now + timedelta(minutes=5)


@dataclass
class CollectReport:
    """What one pass did, for logs, tests and benchmarks."""

    read: int = 0
    gone: int = 0
    failed: int = 0
    rate_limited: int = 0
    skipped: int = 0
    started_tracking: int = 0


Reader = Callable[[Connector, Post, "_Http"], Reading]


@dataclass
class _Http:
    """Sends the GETs of one read, metered against the server's budget."""

    client: httpx.Client
    meter: RequestMeter
    server: str

    def get_json(self, url: str, **kwargs: Any) -> Any:
        self.meter.spend(self.server)
        resp = send(self.client, "GET", url, creates=False, **kwargs)
        self.meter.observe(self.server, resp)
        if resp.status_code in (404, 410):
            raise PostGone("The platform no longer has this post.", status=resp.status_code)
        error = classify_response(resp, self.meter.now)
        if error is not None:
            raise error
        data = json_or_none(resp)
        if not isinstance(data, dict):
            raise ConnectorError("The platform answered with something that is not JSON.")
        return data


def read_mastodon(connector: Connector, post: Post, http: _Http) -> Reading:
    """Mastodon-API: the status's favourites, boosts and replies; replies' text from its context."""
    base = connector.checked_url((connector.config.server_url or "").rstrip("/"))
    token = connector.config.credentials.get("access_token", "")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    status_url = f"{base}/api/v1/statuses/{quote(post.remote_id or '', safe='')}"
    status = http.get_json(status_url, headers=headers)
    replies = _int(status.get("replies_count"))
    texts: tuple[str, ...] | None = None
    if replies:
        context = http.get_json(f"{status_url}/context", headers=headers)
        texts = tuple(
            _plain(item.get("content") or "")
            for item in (context.get("descendants") or [])[:_REPLIES_READ]
            if isinstance(item, dict) and str(item.get("in_reply_to_id")) == str(post.remote_id)
        )
    return Reading(
        likes=_int(status.get("favourites_count")),
        reposts=_int(status.get("reblogs_count")),
        replies=replies,
        quotes=_int(status["quotes_count"]) if "quotes_count" in status else None,
        reply_texts=texts,
    )


def read_bluesky(connector: Connector, post: Post, http: _Http) -> Reading:
    """Bluesky: likes, reposts, replies and quotes from the AppView's getPosts; replies from the thread."""
    appview = connector.checked_url(current_app.config["COUNTERPOINT_BLUESKY_APPVIEW_URL"].rstrip("/"))
    uri = post.remote_id or ""
    data = http.get_json(f"{appview}/xrpc/app.bsky.feed.getPosts", params={"uris": uri})
    found = [p for p in data.get("posts") or [] if isinstance(p, dict) and p.get("uri") == uri]
    if not found:
        raise PostGone("The AppView no longer has this post.")
    item = found[0]
    replies = _int(item.get("replyCount"))
    texts: tuple[str, ...] | None = None
    if replies:
        thread = http.get_json(
            f"{appview}/xrpc/app.bsky.feed.getPostThread", params={"uri": uri, "depth": 1, "parentHeight": 0}
        )
        texts = tuple(
            str(((reply.get("post") or {}).get("record") or {}).get("text") or "")
            for reply in ((thread.get("thread") or {}).get("replies") or [])[:_REPLIES_READ]
            if isinstance(reply, dict)
        )
    return Reading(
        likes=_int(item.get("likeCount")),
        reposts=_int(item.get("repostCount")),
        replies=replies,
        quotes=_int(item.get("quoteCount")),
        reply_texts=texts,
    )


# The platforms whose public counts can be read; every other channel's counts are typed in by people.
READERS: dict[str, Reader] = {"mastodon": read_mastodon, "bluesky": read_bluesky}


def collect_engagement(*, now: datetime | None = None, limit: int = 200) -> CollectReport:
    """One pass: start tracking new posts, then read the due ones within each server's budget."""
    now = now or utcnow()
    report = CollectReport()
    try:
        report.started_tracking = start_tracking(now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another worker started tracking the same posts at this moment
    meter = RequestMeter(budget=int(current_app.config["COUNTERPOINT_ENGAGEMENT_REQUESTS_PER_PASS"]), now=now)
    for tracker_id, channel_id in _due(now, limit):
        channel = db.session.get_one(Channel, channel_id)  # trackers keep their channel (foreign key)
        server = server_key(channel)
        if server in meter.held_until or meter.spent.get(server, 0) >= meter.budget:
            report.skipped += 1
            continue
        if not _claim(tracker_id, now):
            continue
        _read_one(tracker_id, channel, server, meter, report)
        db.session.commit()
    return report


def start_tracking(now: datetime) -> int:
    """Give every posted item without a tracker one: read from the platform, or typed in by people."""
    readable = and_(Channel.platform.in_(tuple(READERS)), Post.remote_id.is_not(None))
    columns = ["post_id", "channel_id", "state", "polls_done", "failures", "updated_at"]
    added = 0
    for state, condition in ((TrackingState.TRACKING, readable), (TrackingState.MANUAL, ~readable)):
        query = _untracked_posts(state, condition, now)
        added += rowcount(db.session.execute(insert(EngagementTracker).from_select(columns, query)))
    # The first reading is an hour after posting, or at once for a post that has been up longer.
    for tracker in db.session.scalars(
        select(EngagementTracker).where(
            EngagementTracker.state == TrackingState.TRACKING, EngagementTracker.next_poll_at.is_(None)
        )
    ):
        behind, next_at = next_poll(tracker.post.posted_at or now, now)
        tracker.next_poll_at = next_at if behind == 0 else now
    return added


def _untracked_posts(state: TrackingState, condition, now: datetime):
    """Rows for new trackers: posted items matching the condition that have none yet."""
    tracked = select(EngagementTracker.post_id).where(EngagementTracker.post_id == Post.id)
    return (
        select(
            Post.id,
            Post.channel_id,
            literal(str(state)).label("state"),
            literal(0).label("polls_done"),
            literal(0).label("failures"),
            literal(now).label("updated_at"),
        )
        .join(Channel, Channel.id == Post.channel_id)
        .where(Post.status == PostStatus.POSTED, condition, ~tracked.exists())
    )


def server_key(channel: Channel) -> str:
    """The rate-limit scope: one Mastodon-API server, or the one Bluesky AppView everybody reads."""
    if channel.platform == "bluesky":
        return "bluesky:appview"
    host = urlsplit(channel.server_url or "").netloc.lower()
    return f"{channel.platform}:{host}"


def next_poll(posted_at: datetime, now: datetime) -> tuple[int, datetime | None]:
    """How many offsets are behind us, and when the next one falls (None once all are read)."""
    for index, offset in enumerate(POLL_OFFSETS):
        if as_utc(posted_at) + offset > now:
            return index, as_utc(posted_at) + offset
    return len(POLL_OFFSETS), None


def backoff(failures: int, now: datetime) -> datetime:
    """Full-jitter exponential backoff (base 5 min, cap 6 h)."""
    ceiling = min(_BACKOFF_CAP, _BACKOFF_BASE * (2 ** max(0, failures - 1)))
    return now + timedelta(seconds=random.uniform(ceiling.total_seconds() / 2, ceiling.total_seconds()))  # noqa: S311  # nosec B311 (jitter, not a secret)


def _due(now: datetime, limit: int) -> list[tuple[int, int]]:
    query = (
        select(EngagementTracker.post_id, EngagementTracker.channel_id)
        .where(EngagementTracker.state == TrackingState.TRACKING, EngagementTracker.next_poll_at <= now)
        .order_by(EngagementTracker.next_poll_at)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in db.session.execute(query)]


def _claim(post_id: int, now: datetime) -> bool:
    """Push the tracker ahead by a lease if it is still due: only one worker reads it."""
    claimed = db.session.execute(
        update(EngagementTracker)
        .where(
            EngagementTracker.post_id == post_id,
            EngagementTracker.state == TrackingState.TRACKING,
            EngagementTracker.next_poll_at <= now,
        )
        .values(next_poll_at=now + _CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(rowcount(claimed))


def _read_one(
    post_id: int, channel: Channel, server: str, meter: RequestMeter, report: CollectReport
) -> None:
    tracker = db.session.get(EngagementTracker, post_id)
    if tracker is None:
        return
    post = tracker.post
    now = meter.now
    try:
        connector = get_connector(channel_config(channel))
        with connector.http_client() as client:
            reading = READERS[channel.platform](connector, post, _Http(client, meter, server))
    except BudgetSpent:
        tracker.next_poll_at = meter.held_until.get(server, now)
        report.skipped += 1
    except PostGone as exc:
        tracker.state, tracker.next_poll_at, tracker.last_error = TrackingState.GONE, None, exc.message
        report.gone += 1
    except RateLimited as exc:
        until = exc.retry_at or now + timedelta(minutes=5)
        _hold_server(channel, until, meter)
        tracker.next_poll_at = until  # ours was leased further ahead; it waits for the reset too
        report.rate_limited += 1
    except (ConnectorError, AuthError) as exc:
        _record_failure(tracker, exc.message, now)
        report.failed += 1
    else:
        _record_reading(tracker, reading, now)
        report.read += 1


def _record_reading(tracker: EngagementTracker, reading: Reading, now: datetime) -> None:
    texts = reading.reply_texts
    hostile = None if texts is None else sum(_is_hostile(text) for text in texts)
    db.session.add(
        EngagementSample(
            post_id=tracker.post_id,
            collected_at=now,
            likes=reading.likes,
            reposts=reading.reposts,
            replies=reading.replies,
            quotes=reading.quotes,
            replies_read=None if texts is None else len(texts),
            hostile_replies=hostile,
            source=SampleSource.PLATFORM,
        )
    )
    done, next_at = next_poll(tracker.post.posted_at or now, now)
    tracker.polls_done = max(tracker.polls_done + 1, done)
    tracker.next_poll_at = next_at
    tracker.failures, tracker.last_error = 0, None
    if next_at is None:
        tracker.state = TrackingState.DONE


def _record_failure(tracker: EngagementTracker, message: str, now: datetime) -> None:
    tracker.failures += 1
    tracker.last_error = message[:1000]
    if tracker.failures >= MAX_FAILURES:
        tracker.state, tracker.next_poll_at = TrackingState.UNREACHABLE, None
    else:
        tracker.next_poll_at = backoff(tracker.failures, now)


def _hold_server(channel: Channel, until: datetime, meter: RequestMeter) -> None:
    """No request to this server before its reset: every tracker on it waits."""
    server = server_key(channel)
    meter.held_until[server] = until
    same_server = select(Channel.id).where(
        Channel.platform == channel.platform,
        *([Channel.server_url == channel.server_url] if channel.platform != "bluesky" else []),
    )
    db.session.execute(
        update(EngagementTracker)
        .where(
            EngagementTracker.state == TrackingState.TRACKING,
            EngagementTracker.channel_id.in_(same_server),
            or_(EngagementTracker.next_poll_at.is_(None), EngagementTracker.next_poll_at < until),
        )
        .values(next_poll_at=until)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


def _is_hostile(text: str) -> bool:
    """The rough signal: does the hostility check (English and French lists) flag this reply?"""
    findings = run_checks(text[:2000], platform="mastodon", language="und").findings
    return any(finding.code == "tone.hostile" for finding in findings)


def _plain(content: str) -> str:
    return html.unescape(_TAG.sub(" ", content)).strip()


def _int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


class _LastRun:
    """When this process last ran a pass: collection runs once a minute, not on every tick."""

    at: datetime | None = None


def collect_task() -> None:
    """Worker task: run a collection pass when the interval has passed."""
    now = utcnow()
    interval = timedelta(seconds=float(current_app.config["COUNTERPOINT_ENGAGEMENT_INTERVAL_SECONDS"]))
    if _LastRun.at is not None and now - _LastRun.at < interval:
        return
    _LastRun.at = now
    report = collect_engagement(now=now)
    if report.read or report.failed or report.rate_limited or report.gone:
        log.info("engagement: %s", report)
