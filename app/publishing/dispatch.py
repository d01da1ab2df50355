"""Claim due posts, re-check, publish, record: every state change around a network call is its own commit."""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask, current_app, g
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update

from app.audit.services import record
from app.channels import services as channel_services
from app.channels.connectors import (
    AuthError,
    Connector,
    ConnectorError,
    PublishRequest,
    PublishResult,
    RateLimited,
    Rejected,
    UnknownOutcome,
    get_connector,
)
from app.channels.models import Channel
from app.common.crypto import CredentialError
from app.common.sql import rowcount
from app.common.time import utcnow
from app.extensions import db
from app.notifications import NotificationKind, link_to, send_pending_emails
from app.publishing import services
from app.publishing.models import AttemptOutcome, Post, PostAttempt, PostStatus

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(minutes=30)
MAX_TRIES = services.MAX_TRIES
RATE_LIMIT_FALLBACK = timedelta(minutes=1)
_JITTER = secrets.SystemRandom()
# Attempt outcomes after which the post may exist on the platform.
MAY_HAVE_LANDED = frozenset(
    {AttemptOutcome.UNKNOWN, AttemptOutcome.SERVER_ERROR, AttemptOutcome.ERROR, AttemptOutcome.LEASE_EXPIRED}
)


@dataclass
class DispatchReport:
    """What one pass did, by outcome."""

    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, outcome: str) -> None:
        self.outcomes[outcome] += 1


# ---------------------------------------------------------------- claiming


def claim_due(worker_id: str, *, now: datetime, limit: int = 20) -> dict[int, list[int]]:
    """Lease due posts atomically (SKIP LOCKED on PostgreSQL, compare-and-set everywhere); ids by channel."""
    busy = select(Post.channel_id).where(
        Post.lease_expires_at > now, or_(Post.status == PostStatus.SENDING, Post.lease_owner.is_not(None))
    )
    query = (
        select(Post.id, Post.channel_id)
        .join(Channel, Channel.id == Post.channel_id)
        .where(
            Post.status == PostStatus.QUEUED,
            Post.scheduled_at <= now,
            or_(Post.next_attempt_at.is_(None), Post.next_attempt_at <= now),
            or_(Post.lease_expires_at.is_(None), Post.lease_expires_at < now),
            Channel.platform != "manual",
            Post.channel_id.not_in(busy),
        )
        .order_by(Post.scheduled_at, Post.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Post)
    claimed: dict[int, list[int]] = defaultdict(list)
    for post_id, channel_id in db.session.execute(query).all():
        if channel_id in claimed:
            continue  # one post per channel per pass: spacing holds even after a backlog
        result = db.session.execute(
            update(Post)
            .where(
                Post.id == post_id,
                Post.status == PostStatus.QUEUED,
                or_(Post.lease_expires_at.is_(None), Post.lease_expires_at < now),
            )
            .values(lease_owner=worker_id, lease_expires_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        if rowcount(result) == 1:
            claimed[channel_id].append(post_id)
    db.session.commit()
    return dict(claimed)


# ---------------------------------------------------------------- one pass


def dispatch_once(
    app: Flask, *, worker_id: str, now: datetime | None = None, limit: int = 20
) -> DispatchReport:
    """Claim what is due and publish it through a bounded pool: one thread per channel at a time."""
    now = now or utcnow()
    report = DispatchReport()
    groups = claim_due(worker_id, now=now, limit=limit)
    report.claimed = sum(len(ids) for ids in groups.values())
    if not groups:
        return report
    threads = max(1, int(app.config.get("COUNTERPOINT_DISPATCH_THREADS", 4)))
    with ThreadPoolExecutor(max_workers=min(threads, len(groups)), thread_name_prefix="dispatch") as pool:
        futures = [pool.submit(_run_group, app, ids, worker_id, now) for ids in groups.values()]
        for future in futures:
            for outcome in future.result():
                report.add(outcome)
    return report


def _run_group(app: Flask, post_ids: list[int], worker_id: str, now: datetime) -> list[str]:
    with app.app_context():
        try:
            return [process_post(post_id, worker_id=worker_id, now=now) for post_id in post_ids]
        finally:
            db.session.remove()


def process_post(post_id: int, *, worker_id: str, now: datetime) -> str:
    """Re-check, mark sending, publish, and record the outcome of one claimed post."""
    post = db.session.get(Post, post_id)
    if post is None or post.status != PostStatus.QUEUED or post.lease_owner != worker_id:
        db.session.rollback()
        return "skipped"
    reason = recheck(post)
    if reason:
        return _settle_claimed(post, worker_id, PostStatus.HELD, held_reason=reason, outcome="held")
    if _is_too_late(post, now):
        return _settle_claimed(
            post,
            worker_id,
            PostStatus.MISSED,
            outcome="missed",
            held_reason=_("Past its slot by more than the lateness limit; a person must confirm."),
        )
    try:
        connector = get_connector(channel_services.channel_config(post.channel))
    except (CredentialError, ValueError) as error:
        return _settle_claimed(
            post,
            worker_id,
            PostStatus.HELD,
            outcome="held",
            held_reason=_("The channel's credentials cannot be read: %(e)s", e=str(error)),
        )
    if _outside_dedupe_window(post, connector, now):
        return _to_unknown(
            post,
            connector,
            _claimed(post.id, worker_id),
            now,
            detail=_("The platform's dedupe window closed."),
        )
    request = publish_request(post)
    attempt_id = _mark_sending(post, worker_id, now)
    if attempt_id is None:
        return "skipped"
    try:
        result = connector.publish(request)
    except ConnectorError as error:
        return _handle_error(post_id, attempt_id, error, connector, worker_id, now)
    except Exception as error:  # a bug must never turn into a blind re-send: treat it as unknown
        log.exception("publishing post %s failed unexpectedly", post_id)
        wrapped = UnknownOutcome(_("Unexpected error while publishing: %(kind)s", kind=type(error).__name__))
        return _handle_error(post_id, attempt_id, wrapped, connector, worker_id, now)
    return _record_posted(post_id, attempt_id, result, now)


def publish_request(post: Post) -> PublishRequest:
    """The request for a post: identical on every retry (same text, key and creation time)."""
    return PublishRequest(
        text=post.text,
        idempotency_key=post.idempotency_key,
        language=post.message.language,
        created_at=post.created_at,
    )


def recheck(post: Post) -> str | None:
    """Why a post must not go out now (global pause, campaign, channel, trend, approval), or None."""
    if services.is_globally_paused():
        return _("Publishing is paused for the whole coalition.")
    campaign = post.message.campaign
    if not campaign.is_publishable:
        return _("The campaign is %(status)s, not active.", status=str(campaign.status))
    channel = post.channel
    if channel.is_archived:
        return _("The channel is archived.")
    if channel.needs_reauth:
        return _("The channel needs new credentials.")
    if channel.is_paused:
        return _("The channel is paused.")
    if post.message.trend is not None and post.message.trend.is_closed:
        return _("The trend this message answers is closed.")
    version = post.version
    if (
        post.content_hash != version.content_hash
        or not services.is_approved(post.message, version)
        or services.frozen_text(version, channel.platform) != post.text
    ):
        return _("The approved text changed or its approval was withdrawn.")
    return None


def _is_too_late(post: Post, now: datetime) -> bool:
    # A retry of a publish that may already be live only completes it (same key): not a new late post.
    # Anything else past the limit, including a post that waited out a long rate limit, needs a person.
    if post.lateness_confirmed or _may_have_landed(post):
        return False
    limit = timedelta(minutes=int(current_app.config["COUNTERPOINT_MAX_LATENESS_MINUTES"]))
    return now - post.scheduled_at > limit


def _may_have_landed(post: Post) -> bool:
    return any(attempt.outcome in MAY_HAVE_LANDED for attempt in post.attempts)


def _outside_dedupe_window(post: Post, connector: Connector, now: datetime) -> bool:
    """A re-send is only safe while the platform would recognise the key."""
    if not _may_have_landed(post):
        return False
    window = connector.dedupe_window
    return window is None or post.first_sent_at is None or now - post.first_sent_at >= window


# ---------------------------------------------------------------- state changes (each its own commit)


def _claimed(post_id: int, worker_id: str):
    return and_(Post.id == post_id, Post.status == PostStatus.QUEUED, Post.lease_owner == worker_id)


def _settle_claimed(post: Post, worker_id: str, status: PostStatus, *, outcome: str, held_reason: str) -> str:
    result = db.session.execute(
        update(Post)
        .where(_claimed(post.id, worker_id))
        .values(status=status, held_reason=held_reason[:300], lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) == 1:
        record(
            f"post.{outcome}",
            actor=None,
            organisation=post.channel.organisation,
            obj=post,
            details={"reason": held_reason[:300]},
        )
    db.session.commit()
    return outcome if rowcount(result) == 1 else "skipped"


def _mark_sending(post: Post, worker_id: str, now: datetime) -> int | None:
    """Commit `sending` and the attempt row before the network call; None if a cancel won."""
    result = db.session.execute(
        update(Post)
        .where(_claimed(post.id, worker_id))
        .values(
            status=PostStatus.SENDING,
            attempt_count=Post.attempt_count + 1,
            first_sent_at=func.coalesce(Post.first_sent_at, now),
            lease_expires_at=now + LEASE,
        )
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        db.session.rollback()
        return None
    attempt = PostAttempt(post_id=post.id, worker_id=worker_id, started_at=now)
    db.session.add(attempt)
    db.session.flush()
    attempt_id = attempt.id
    db.session.commit()
    return attempt_id


def _finish_attempt(
    attempt_id: int,
    outcome: AttemptOutcome,
    now: datetime,
    error: ConnectorError | None = None,
    response: dict | None = None,
) -> None:
    attempt = db.session.get(PostAttempt, attempt_id)
    attempt.outcome, attempt.finished_at, attempt.response = outcome, now, response
    if error is not None:
        attempt.http_status, attempt.detail = error.status, (error.message or "")[:2000]


def _record_posted(
    post_id: int,
    attempt_id: int,
    result: PublishResult,
    now: datetime,
    outcome: AttemptOutcome = AttemptOutcome.POSTED,
) -> str:
    """Commit the remote id and URL: the platform has the post, whatever the lease says."""
    _finish_attempt(attempt_id, outcome, now, response={"id": result.remote_id, "url": result.url})
    db.session.execute(
        update(Post)
        .where(
            Post.id == post_id,
            Post.status.in_((PostStatus.SENDING, PostStatus.QUEUED, PostStatus.UNKNOWN_OUTCOME)),
        )
        .values(
            status=PostStatus.POSTED,
            remote_id=result.remote_id[:200],
            remote_url=(result.url or "")[:1000] or None,
            posted_at=now,
            lease_owner=None,
            lease_expires_at=None,
            last_error=None,
            next_attempt_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    post = db.session.get(Post, post_id)
    db.session.refresh(post)
    record(
        "post.published",
        actor=None,
        organisation=post.channel.organisation,
        obj=post,
        details={"remote_id": result.remote_id, "url": result.url, "hash": post.content_hash},
    )
    db.session.commit()
    return "posted"


def _sending_by(post_id: int, worker_id: str):
    return and_(Post.id == post_id, Post.status == PostStatus.SENDING, Post.lease_owner == worker_id)


def _handle_error(
    post_id: int, attempt_id: int, error: ConnectorError, connector: Connector, worker_id: str, now: datetime
) -> str:
    db.session.rollback()
    post = db.session.get(Post, post_id)
    if isinstance(error, AuthError):
        return _on_auth_error(post, attempt_id, error, worker_id, now)
    if isinstance(error, RateLimited):
        return _on_rate_limited(post, attempt_id, error, worker_id, now)
    if isinstance(error, Rejected):
        _finish_attempt(attempt_id, AttemptOutcome.REJECTED, now, error)
        _update_sending(post_id, worker_id, status=PostStatus.FAILED, last_error=error.message[:2000])
        record(
            "post.failed",
            actor=None,
            organisation=post.channel.organisation,
            obj=post,
            details={"status": error.status, "message": error.message[:300]},
        )
        db.session.commit()
        return "failed"
    landed = isinstance(error, UnknownOutcome) or error.status is not None or type(error) is ConnectorError
    _finish_attempt(
        attempt_id,
        (AttemptOutcome.UNKNOWN if isinstance(error, UnknownOutcome) else AttemptOutcome.SERVER_ERROR)
        if landed
        else AttemptOutcome.TRANSIENT,
        now,
        error,
    )
    db.session.flush()
    db.session.refresh(post)
    may_resend = not _outside_dedupe_window(post, connector, now)
    if post.attempt_count < MAX_TRIES and may_resend:
        delay = _JITTER.uniform(
            0,
            min(
                BACKOFF_CAP.total_seconds(),
                BACKOFF_BASE.total_seconds() * 2 ** max(0, post.attempt_count - 1),
            ),
        )
        _update_sending(
            post_id,
            worker_id,
            status=PostStatus.QUEUED,
            last_error=error.message[:2000],
            next_attempt_at=now + timedelta(seconds=delay),
        )
        db.session.commit()
        return "retry"
    if _may_have_landed(post):
        return _to_unknown(post, connector, _sending_by(post_id, worker_id), now, detail=error.message)
    _update_sending(post_id, worker_id, status=PostStatus.FAILED, last_error=error.message[:2000])
    record(
        "post.failed",
        actor=None,
        organisation=post.channel.organisation,
        obj=post,
        details={"message": error.message[:300], "tries": post.attempt_count},
    )
    db.session.commit()
    return "failed"


def _update_sending(post_id: int, worker_id: str, **values) -> int:
    values.setdefault("lease_owner", None)
    values.setdefault("lease_expires_at", None)
    result = db.session.execute(
        update(Post)
        .where(_sending_by(post_id, worker_id))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


def _on_auth_error(post: Post, attempt_id: int, error: AuthError, worker_id: str, now: datetime) -> str:
    """Credentials refused: no retry; the channel needs re-authorisation, its posts wait, its leads are told."""
    _finish_attempt(attempt_id, AttemptOutcome.AUTH_REFUSED, now, error)
    reason = _("The platform refused the channel's credentials; replace them, then resume.")
    _update_sending(
        post.id, worker_id, status=PostStatus.HELD, held_reason=reason[:300], last_error=error.message[:2000]
    )
    channel = post.channel
    channel_services.mark_needs_reauth(channel, error.message)
    services.hold_channel_posts(channel, reason)
    services.notify_managers(
        channel.organisation,
        kind=NotificationKind.CHANNEL_NEEDS_REAUTH,
        params={"channel": channel.display_name, "error": error.message[:1000]},
        link=link_to("channels.detail", channel_id=channel.id),
    )
    db.session.commit()
    send_pending_emails()
    return "auth_refused"


def _on_rate_limited(post: Post, attempt_id: int, error: RateLimited, worker_id: str, now: datetime) -> str:
    """Wait until the reset: no request to this channel before then (the try does not count)."""
    _finish_attempt(attempt_id, AttemptOutcome.RATE_LIMITED, now, error)
    retry_at = error.retry_at if error.retry_at and error.retry_at > now else now + RATE_LIMIT_FALLBACK
    _update_sending(
        post.id,
        worker_id,
        status=PostStatus.QUEUED,
        next_attempt_at=retry_at,
        attempt_count=Post.attempt_count - 1,
        last_error=error.message[:2000],
    )
    db.session.execute(
        update(Post)
        .where(
            Post.channel_id == post.channel_id,
            Post.status == PostStatus.QUEUED,
            or_(Post.next_attempt_at.is_(None), Post.next_attempt_at < retry_at),
        )
        .values(next_attempt_at=retry_at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return "rate_limited"


def _to_unknown(post: Post, connector: Connector | None, condition, now: datetime, *, detail: str) -> str:
    """Stop re-sending: look the post up on the platform, else leave it for a person."""
    result = db.session.execute(
        update(Post)
        .where(condition)
        .values(
            status=PostStatus.UNKNOWN_OUTCOME,
            lease_owner=None,
            lease_expires_at=None,
            last_error=detail[:2000],
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if rowcount(result) != 1:
        return "skipped"
    db.session.refresh(post)
    return reconcile(post, connector=connector, now=now)


def reconcile(post: Post, *, connector: Connector | None = None, now: datetime | None = None) -> str:
    """Settle an unknown outcome by looking the post up on the platform; tells people when it cannot."""
    now = now or utcnow()
    try:
        connector = connector or get_connector(channel_services.channel_config(post.channel))
        found = connector.find_existing(publish_request(post))
    except (ConnectorError, CredentialError, ValueError) as error:
        found, detail = None, getattr(error, "message", str(error))
    else:
        detail = ""
    if found is not None:
        attempt = PostAttempt(
            post_id=post.id,
            worker_id="reconcile",
            started_at=now,
            finished_at=now,
            outcome=AttemptOutcome.FOUND,
            response={"id": found.remote_id, "url": found.url},
        )
        db.session.add(attempt)
        db.session.flush()
        return _record_posted(post.id, attempt.id, found, now, outcome=AttemptOutcome.FOUND)
    record(
        "post.unknown_outcome",
        actor=None,
        organisation=post.channel.organisation,
        obj=post,
        details={"detail": (detail or post.last_error or "")[:300]},
    )
    services.notify_managers(
        post.channel.organisation,
        kind=NotificationKind.POST_UNKNOWN_OUTCOME,
        params={"channel": post.channel.display_name, "error": post.last_error or ""},
        link=link_to("publishing.post_detail", post_id=post.id),
    )
    db.session.commit()
    send_pending_emails()
    return "unknown_outcome"


# ---------------------------------------------------------------- sweeper and health


def sweep_expired_leases(*, now: datetime | None = None) -> int:
    """Return expired leases to the queue (same key), or settle them as unknown when a re-send is unsafe."""
    now = now or utcnow()
    db.session.execute(
        update(Post)
        .where(Post.status == PostStatus.QUEUED, Post.lease_expires_at < now)
        .values(lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    stuck = db.session.scalars(
        select(Post).where(Post.status == PostStatus.SENDING, Post.lease_expires_at < now)
    ).all()
    for post in stuck:
        _sweep_one(post, now)
    return len(stuck)


def _sweep_one(post: Post, now: datetime) -> None:
    owner = post.lease_owner
    for attempt in post.attempts:
        if attempt.outcome == AttemptOutcome.STARTED:
            attempt.outcome, attempt.finished_at = AttemptOutcome.LEASE_EXPIRED, now
            attempt.detail = _("The worker stopped during the request; the post may exist.")
    db.session.flush()
    record(
        "post.lease_expired",
        actor=None,
        organisation=post.channel.organisation,
        obj=post,
        details={"worker": owner},
    )
    condition = and_(
        Post.id == post.id,
        Post.status == PostStatus.SENDING,
        Post.lease_owner == owner,
        Post.lease_expires_at < now,
    )
    try:
        connector = get_connector(channel_services.channel_config(post.channel))
    except (CredentialError, ValueError):
        connector = None
    if connector is None or _outside_dedupe_window(post, connector, now):
        _to_unknown(post, connector, condition, now, detail=_("The worker stopped during the request."))
        return
    db.session.execute(
        update(Post)
        .where(condition)
        .values(status=PostStatus.QUEUED, lease_owner=None, lease_expires_at=None, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def oldest_overdue(now: datetime | None = None) -> datetime | None:
    """The slot of the oldest automatic post that should have gone out by now (for /healthz)."""
    now = now or utcnow()
    grace = timedelta(seconds=max(60, 3 * float(current_app.config.get("COUNTERPOINT_TICK_SECONDS", 5))))
    return db.session.scalar(
        select(func.min(Post.scheduled_at))
        .join(Channel, Channel.id == Post.channel_id)
        .where(
            Channel.platform != "manual",
            Post.scheduled_at < now - grace,
            or_(
                and_(
                    Post.status == PostStatus.QUEUED,
                    or_(Post.next_attempt_at.is_(None), Post.next_attempt_at < now - grace),
                ),
                and_(Post.status == PostStatus.SENDING, Post.lease_expires_at < now),
            ),
        )
    )


# ---------------------------------------------------------------- worker tasks


def dispatch_task() -> None:
    """Worker tick task: one dispatch pass."""

    dispatch_once(current_app._get_current_object(), worker_id=g.get("worker_id", "worker"))  # type: ignore[attr-defined]


def sweep_task() -> None:
    """Worker tick task: recover expired leases."""
    sweep_expired_leases()
