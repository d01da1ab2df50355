"""Re-check due posts, claim them, look before any re-send, publish, record.

Two commits per post: the claim with `sending` before the request (one compare-and-set), the answer
after it. A pass runs up to COUNTERPOINT_DISPATCH_THREADS threads. Each thread takes one channel at a
time under a lock row (one sender per channel across every worker), drains that channel's due posts one
after the other, then takes the next channel: a worker claims only what it runs now, and a backlog on a
channel is served as fast as its spacing allows instead of one post per tick.
"""

from __future__ import annotations

import functools
import logging
import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app, g
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.accounts.models import Organisation
from app.audit.services import record, record_row
from app.campaigns.models import Campaign, CampaignStatus
from app.channels import services as channel_services
from app.channels.connectors import (
    AuthError,
    Connector,
    ConnectorError,
    PublishRequest,
    PublishResult,
    RateLimited,
    Rejected,
    TransientError,
    UnknownOutcome,
    get_connector,
)
from app.channels.models import Channel
from app.common.audit_actions import AuditAction
from app.common.crypto import CredentialError
from app.common.sql import inserted_id, rowcount
from app.common.time import utcnow
from app.drafting.models import Message, MessageVersion
from app.extensions import db
from app.notifications import NotificationKind, link_to, send_pending_emails
from app.publishing import services, statements
from app.publishing.models import (
    DispatchLock,
    HeldCode,
    Post,
    PostAttempt,
    PostCopy,
    PostStatus,
)
from app.review.services import Preloaded
from app.trends.models import Trend

log = logging.getLogger(__name__)

BACKOFF_CAP = timedelta(minutes=30)
MAX_TRIES = services.MAX_TRIES
RATE_LIMIT_FALLBACK = timedelta(minutes=1)
_JITTER = secrets.SystemRandom()
# Workers whose last pass stopped on an error: the next pass first gives back what they still hold.
_UNCLEAN: set[str] = set()
_UNCLEAN_LOCK = threading.Lock()


@dataclass
class DispatchReport:
    """What one pass did, by outcome."""

    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    out_of_time: bool = False  # a thread stopped on the pass's time limit, not for lack of due posts
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, outcome: str) -> None:
        with self._lock:
            self.outcomes[outcome] += 1
            if outcome != "skipped":
                self.claimed += 1

    @property
    def unfinished(self) -> bool:
        """The pass ran out of time while it was still publishing: posts are likely still due."""
        return self.out_of_time and self.claimed > 0


def lease() -> timedelta:
    """How long a claim on a post or a channel lasts without being renewed (COUNTERPOINT_LEASE_SECONDS)."""
    return timedelta(seconds=float(current_app.config["COUNTERPOINT_LEASE_SECONDS"]))


def _backoff_base() -> float:
    return float(current_app.config["COUNTERPOINT_RETRY_BASE_SECONDS"])


# ---------------------------------------------------------------- locks: one sender per channel, 429 per server


def channel_key(channel_id: int) -> str:
    return f"channel:{channel_id}"


def server_key(channel: Channel) -> str:
    """Channels on the same platform and server host share a rate limit (a 429 holds them all)."""
    url = channel.server_url or (channel.settings or {}).get("url") or ""
    host = urlsplit(url).hostname if url else None
    return f"server:{channel.platform}:{host}" if host else f"server:{channel.platform}:channel-{channel.id}"


def lock_channel(channel_id: int, worker_id: str, now: datetime) -> bool:
    """Take a channel's lock row by compare-and-set (it is free or its lease ran out); commits."""
    key = channel_key(channel_id)
    taken = rowcount(
        db.session.execute(
            update(DispatchLock)
            .where(
                DispatchLock.key == key,
                or_(DispatchLock.owner.is_(None), DispatchLock.expires_at < now),
            )
            .values(owner=worker_id, expires_at=now + lease())
            .execution_options(synchronize_session=False)
        )
    )
    if taken == 1:
        db.session.commit()
        return True
    if db.session.get(DispatchLock, key) is not None:
        db.session.rollback()
        return False
    db.session.add(DispatchLock(key=key, owner=worker_id, expires_at=now + lease()))
    try:
        db.session.commit()
    except IntegrityError:  # another worker created the row first: it holds the channel
        db.session.rollback()
        return False
    return True


def unlock_channel(channel_id: int, worker_id: str) -> None:
    """Give a channel back at once; commits."""
    db.session.execute(
        update(DispatchLock)
        .where(DispatchLock.key == channel_key(channel_id), DispatchLock.owner == worker_id)
        .values(owner=None, expires_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _renew_channel(channel_id: int, worker_id: str, now: datetime) -> bool:
    return bool(
        rowcount(
            db.session.execute(
                update(DispatchLock)
                .where(DispatchLock.key == channel_key(channel_id), DispatchLock.owner == worker_id)
                .values(expires_at=now + lease())
                .execution_options(synchronize_session=False)
            )
        )
    )


@dataclass
class _ChannelHold:
    """A thread's hold on a channel's lock: renewed only once half the lease has run (one write per
    minute or so instead of one per post). A lease can only lapse past `until`, so until then nobody
    else can have taken the channel."""

    channel_id: int
    worker_id: str
    until: datetime

    def keep(self, now: datetime) -> bool:
        """Renew the lock when half its lease is gone; False when another worker has the channel."""
        if now < self.until - lease() / 2:
            return True
        if not _renew_channel(self.channel_id, self.worker_id, now):
            db.session.rollback()
            return False
        db.session.commit()
        self.until = now + lease()
        return True


def gates(channel: Channel, now: datetime) -> tuple[bool, datetime | None]:
    """Whether all publishing is paused, and until when the channel's server rate-limited us (if that is
    still in the future): what the publisher reads before a post besides the post itself, in one query."""
    paused, until = db.session.execute(statements.pause_and_server_hold(), {"key": server_key(channel)}).one()
    return bool(paused), (until if until is not None and until > now else None)


def hold_server(channel: Channel, until: datetime) -> None:
    """Hold back every channel on the channel's server until the rate limit resets (flushes)."""
    key = server_key(channel)
    row = db.session.get(DispatchLock, key)
    if row is None:
        db.session.add(DispatchLock(key=key, hold_until=until))
    elif row.hold_until is None or row.hold_until < until:
        row.hold_until = until
    siblings = db.session.scalars(select(Channel).where(Channel.platform == channel.platform))
    same_server = [sibling.id for sibling in siblings if server_key(sibling) == key]
    db.session.execute(
        update(Post)
        .where(
            Post.channel_id.in_(same_server),
            Post.status == PostStatus.QUEUED,
            or_(Post.next_attempt_at.is_(None), Post.next_attempt_at < until),
        )
        .values(next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


# ---------------------------------------------------------------- claiming


def due_channels(now: datetime, *, limit: int, exclude: Collection[int] = frozenset()) -> list[int]:
    """Channels with a due, unclaimed post that no worker holds, oldest slot first."""
    held = set(
        db.session.scalars(
            select(DispatchLock.key).where(DispatchLock.owner.is_not(None), DispatchLock.expires_at >= now)
        )
    )
    busy = {int(key.split(":", 1)[1]) for key in held if key.startswith("channel:")} | set(exclude)
    query = (
        select(Post.channel_id)
        .join(Channel, Channel.id == Post.channel_id)
        .where(
            Post.status == PostStatus.QUEUED,
            Post.scheduled_at <= now,
            or_(Post.next_attempt_at.is_(None), Post.next_attempt_at <= now),
            Channel.platform != "manual",
        )
        .group_by(Post.channel_id)
        .order_by(func.min(Post.scheduled_at))
        .limit(limit)
    )
    if busy:
        query = query.where(Post.channel_id.not_in(busy))
    return list(db.session.scalars(query))[:limit]


def claim_next(channel_id: int, worker_id: str, now: datetime) -> int | None:
    """Lease the channel's next due post (the caller holds the channel's lock); commits."""
    if not _renew_channel(channel_id, worker_id, now):
        db.session.rollback()
        return None  # the channel's lock ran out and another worker took it
    post_id = db.session.scalar(
        select(Post.id)
        .where(
            Post.channel_id == channel_id,
            Post.status == PostStatus.QUEUED,
            Post.scheduled_at <= now,
            or_(Post.next_attempt_at.is_(None), Post.next_attempt_at <= now),
        )
        .order_by(Post.scheduled_at, Post.id)
        .limit(1)
    )
    claimed = post_id is not None and _lease_post(post_id, worker_id, now)
    db.session.commit()
    return post_id if claimed else None


def _lease_post(post_id: int, worker_id: str, now: datetime) -> bool:
    """Lease a queued post by compare-and-set (no other worker holds it); the caller commits."""
    taken = db.session.execute(
        update(Post)
        .where(Post.id == post_id, Post.status == PostStatus.QUEUED, _lease_free(now))
        .values(lease_owner=worker_id, lease_expires_at=now + lease())
        .execution_options(synchronize_session=False)
    )
    return rowcount(taken) == 1


def _due(now):
    return and_(
        Post.status == PostStatus.QUEUED,
        Post.scheduled_at <= now,
        or_(Post.next_attempt_at.is_(None), Post.next_attempt_at <= now),
    )


def next_post(channel_id: int, now: datetime) -> Post | None:
    """The channel's next due, unleased post with everything its re-check reads, in one query."""
    return db.session.scalars(_next_post_query(), {"channel_id": channel_id, "now": now}).unique().first()


@functools.cache
def _next_post_query():
    """Built once (the statement and its cache key cost more CPU than the query itself).

    Of the campaign, its organisation, the trend and the versions it reads only the columns the re-check
    and the request use: every column costs CPU on every post (PostgreSQL's driver describes each one).
    Anything else a rare path reads (a campaign's title for a notification) loads when it is read.
    """
    now = bindparam("now", type_=Post.scheduled_at.type)
    message = joinedload(Post.message)
    campaign = message.joinedload(Message.campaign).load_only(
        Campaign.status, Campaign.ends_on, Campaign.requires_partner_approval, Campaign.organisation_id
    )
    return (
        select(Post)
        .where(Post.channel_id == bindparam("channel_id"), _due(now), _lease_free(now))
        .order_by(Post.scheduled_at, Post.id)
        .limit(1)
        .options(
            joinedload(Post.channel),
            joinedload(Post.version).load_only(*_RECHECKED_VERSION),
            campaign.joinedload(Campaign.organisation).load_only(Organisation.time_zone),
            message.joinedload(Message.trend).load_only(Trend.status),
            # the four-eyes rule reads every version's author; the same columns as the post's version,
            # which is one of them (one object, loaded once)
            message.joinedload(Message.versions).load_only(*_RECHECKED_VERSION),
        )
        .execution_options(populate_existing=True)
    )


_RECHECKED_VERSION = (
    MessageVersion.message_id,
    MessageVersion.number,  # the order of a message's versions
    MessageVersion.text,
    MessageVersion.variants,
    MessageVersion.content_hash,
    MessageVersion.has_errors,
    MessageVersion.author_id,
)


def _unclaimed(post_id: int, now: datetime):
    """The compare-and-set of a post no worker holds that is still due: a cancel, a reschedule or
    another worker's claim committed first makes it match nothing."""
    return and_(Post.id == post_id, _due(now), _lease_free(now))


def _lease_free(now):
    return or_(Post.lease_owner.is_(None), Post.lease_expires_at.is_(None), Post.lease_expires_at < now)


# ---------------------------------------------------------------- one pass


def dispatch_once(
    app: Flask,
    *,
    worker_id: str,
    now: datetime | None = None,
    budget: float | None = None,
    wait_until: float | None = None,
) -> DispatchReport:
    """Serve every channel with due posts through a bounded pool, one sender per channel.

    `now` fixes the clock (tests); the worker passes None and each post is
    handled at the real time. The pass ends when nothing is due or after `budget` seconds; with
    `wait_until` (a time.monotonic() value, real clock only) it first sleeps until the next post falls
    due, as long as that comes before `wait_until`.
    """
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    report = DispatchReport()
    release_own_claims(worker_id, clock())
    threads = max(1, int(app.config.get("COUNTERPOINT_DISPATCH_THREADS", 4)))
    first = due_channels(clock(), limit=threads)
    db.session.commit()
    while not first:
        if wait_until is None or not _sleep_until_due(clock(), wait_until):
            return report
        first = due_channels(clock(), limit=threads)
        db.session.commit()
    slots = threads if wait_until is not None else min(threads, len(first))
    deadline = time.monotonic() + (budget if budget is not None else app.config["COUNTERPOINT_PASS_SECONDS"])
    taken: set[int] = set()
    guard = threading.Lock()
    with _UNCLEAN_LOCK:
        _UNCLEAN.add(worker_id)
    with ThreadPoolExecutor(max_workers=slots, thread_name_prefix="dispatch") as pool:
        futures = [
            pool.submit(_serve, app, worker_id, clock, (deadline, wait_until), report, taken, guard)
            for _ in range(slots)
        ]
        failures = [error for f in futures if (error := f.exception()) is not None]
    if failures:
        raise failures[0]
    with _UNCLEAN_LOCK:
        _UNCLEAN.discard(worker_id)
    return report


def _serve(app, worker_id, clock, limits, report, taken: set[int], guard: threading.Lock) -> None:
    """One thread: take a free channel with due posts, drain it, give it back, repeat; when none is due,
    sleep until the next post falls due if that comes before `wait_until`."""
    deadline, wait_until = limits
    with app.app_context():
        try:
            while time.monotonic() < deadline:
                now = clock()
                channel_id = _next_channel(worker_id, now, taken, guard)
                if channel_id is None:
                    if wait_until is not None and _sleep_until_due(now, wait_until):
                        continue
                    return
                try:
                    settled = _drain(
                        _ChannelHold(channel_id, worker_id, now + lease()), clock, deadline, report
                    )
                except Exception:
                    _give_back(channel_id, worker_id, clock())
                    raise
                unlock_channel(channel_id, worker_id)
                if settled:  # a channel left on a lost compare-and-set waits for the next pass: no spinning
                    with guard:
                        taken.discard(channel_id)
            report.out_of_time = True
        finally:
            db.session.remove()


def next_due_at(now: datetime) -> datetime | None:
    """When the next automatic post falls due after `now`: its slot, or the end of its wait (retry,
    spacing, rate limit). Two indexed minimums; the earlier one may still be waiting, which only costs
    one more look."""
    queued = and_(Post.status == PostStatus.QUEUED, Channel.platform != "manual")
    slot = db.session.scalar(
        select(func.min(Post.scheduled_at)).join(Channel).where(queued, Post.scheduled_at > now)
    )
    wait = db.session.scalar(
        select(func.min(Post.next_attempt_at)).join(Channel).where(queued, Post.next_attempt_at > now)
    )
    found = [moment for moment in (slot, wait) if moment is not None]
    return min(found) if found else None


def _sleep_until_due(now: datetime, wait_until: float) -> bool:
    """Sleep until the next post falls due when that comes before `wait_until`; False when it does not."""
    due = next_due_at(now)
    db.session.commit()
    if due is None:
        return False
    delay = max(0.0, (due - utcnow()).total_seconds())
    if time.monotonic() + delay >= wait_until:
        return False
    time.sleep(max(delay, 0.005))
    return True


def _give_back(channel_id: int, worker_id: str, now: datetime) -> None:
    """A failed thread gives back its channel and post at once, so no channel stands still for a lease.

    Only this thread's holdings: one channel has one sender, so the worker's claims on it are this
    thread's. If the database is still away, the worker's next pass gives everything back.
    """
    db.session.rollback()
    try:
        db.session.execute(
            update(Post)
            .where(
                Post.channel_id == channel_id, Post.status == PostStatus.QUEUED, Post.lease_owner == worker_id
            )
            .values(lease_owner=None, lease_expires_at=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        in_flight = db.session.scalars(
            select(Post).where(
                Post.channel_id == channel_id,
                Post.status == PostStatus.SENDING,
                Post.lease_owner == worker_id,
            )
        ).all()
        for post in in_flight:
            _requeue_in_flight(
                post, worker_id, now, detail=_("The worker's pass stopped during the request.")
            )
        unlock_channel(channel_id, worker_id)
    except Exception:  # noqa: BLE001 - the database is still away; the next pass retries
        db.session.rollback()
        log.warning("worker %s could not give back channel %s yet", worker_id, channel_id)


def _next_channel(worker_id: str, now: datetime, taken: set[int], guard: threading.Lock) -> int | None:
    while True:
        with guard:
            candidates = due_channels(now, limit=1, exclude=set(taken))
            db.session.commit()
            if not candidates:
                return None
            channel_id = candidates[0]
            taken.add(channel_id)
        if lock_channel(channel_id, worker_id, now):
            return channel_id
        # Another worker holds it: leave it marked as taken for this pass and look for another.


def _drain(hold: _ChannelHold, clock, deadline: float, report: DispatchReport) -> bool:
    """Send the channel's due posts one after the other while it has some and nothing stops it.

    False when it stopped on a post another writer changed under it (a lost compare-and-set).
    """
    while time.monotonic() < deadline:
        now = clock()
        if not hold.keep(now):
            return True  # the lock lapsed and another worker has the channel
        post = next_post(hold.channel_id, now)
        if post is None:
            db.session.rollback()
            return True
        spacing = post.channel.min_spacing_minutes
        outcome = _take(post, hold.worker_id, now)
        report.add(outcome)
        if outcome == "skipped":
            return False
        if outcome in ("rate_limited", "auth_refused", "waiting"):
            return True
        if outcome in ("posted", "found") and _space(hold.channel_id, now, spacing):
            return True
    return True


def _take(post: Post, worker_id: str, now: datetime) -> str:
    """Handle the channel's next post. Claim and `sending` are one compare-and-set, committed before the
    request; a post that may already be live is leased first, for the lookup that comes before any re-send.
    """
    if not post.may_be_live:
        return _process(post, functools.partial(_unclaimed, post.id, now), worker_id, now, claiming=True)
    post_id = post.id
    claimed = _lease_post(post_id, worker_id, now)
    db.session.commit()
    return process_post(post_id, worker_id=worker_id, now=now) if claimed else "skipped"


def _space(channel_id: int, now: datetime, minutes: int | None) -> bool:
    """After a post, the channel's other due posts wait for its spacing; True when they must."""
    gap = timedelta(minutes=minutes or 0)
    if not gap:
        return False
    db.session.execute(
        update(Post)
        .where(
            Post.channel_id == channel_id,
            Post.status == PostStatus.QUEUED,
            or_(Post.next_attempt_at.is_(None), Post.next_attempt_at < now + gap),
        )
        .values(next_attempt_at=now + gap)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return True


def release_own_claims(worker_id: str, now: datetime) -> int:
    """Before a pass: give back what a failed pass of this worker still holds (claims, posts in flight, locks)."""
    with _UNCLEAN_LOCK:
        if worker_id not in _UNCLEAN:
            return 0
    db.session.execute(
        update(Post)
        .where(Post.status == PostStatus.QUEUED, Post.lease_owner == worker_id)
        .values(lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    in_flight = db.session.scalars(
        select(Post).where(Post.status == PostStatus.SENDING, Post.lease_owner == worker_id)
    ).all()
    for post in in_flight:
        _requeue_in_flight(post, worker_id, now, detail=_("The worker's pass stopped during the request."))
    db.session.execute(
        update(DispatchLock)
        .where(DispatchLock.owner == worker_id)
        .values(owner=None, expires_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    with _UNCLEAN_LOCK:
        _UNCLEAN.discard(worker_id)
    return len(in_flight)


# ---------------------------------------------------------------- one post


def process_post(post_id: int, *, worker_id: str, now: datetime) -> str:
    """Re-check, look before any re-send, mark sending, publish, and record the outcome of a claimed post."""
    post = db.session.get(Post, post_id)
    if post is None or post.status != PostStatus.QUEUED or post.lease_owner != worker_id:
        db.session.rollback()
        return "skipped"
    return _process(post, functools.partial(_claimed, post.id, worker_id), worker_id, now)


def _process(
    post: Post, condition: Callable, worker_id: str, now: datetime, *, claiming: bool = False
) -> str:
    """Publish a post; every state change is a compare-and-set on `condition()` (claimed by this worker,
    or still queued, due and unleased), built only on the paths that need it (the send claims with a
    prebuilt statement)."""
    paused, until = gates(post.channel, now)
    held = hold_reason(post, paused=paused)
    if held:
        return _hold_claimed(post, condition(), held[0], held[1])
    if _is_too_late(post, now):
        return _settle_claimed(
            post,
            condition(),
            PostStatus.MISSED,
            outcome="missed",
            held_reason=_("Past its slot by more than the lateness limit; a person must confirm."),
        )
    try:
        connector = get_connector(channel_services.channel_config(post.channel))
    except (CredentialError, ValueError) as error:
        return _hold_claimed(
            post,
            condition(),
            HeldCode.CREDENTIALS_REFUSED,
            _("The channel's credentials cannot be read: %(e)s", e=str(error)),
        )
    if until is not None:
        return _wait_for_server(post, condition(), until)
    if post.may_be_live:
        settled = look_before_resend(post, connector, worker_id, now)
        if settled is not None:
            return settled
    return _send(post, connector, worker_id, now, None if claiming else condition())


def _send(post: Post, connector: Connector, worker_id: str, now: datetime, condition) -> str:
    """`condition` None: claim the post as it goes to `sending` (still due, unleased, and no pause)."""
    request = publish_request(post)
    post_id, was_live = post.id, post.may_be_live
    attempt_id = _mark_sending(post, worker_id, now, condition, keep_loaded=True, claim=condition is None)
    if attempt_id is None:
        return "skipped"
    try:
        result = connector.publish(request)
    except ConnectorError as error:
        return _handle_error(post_id, attempt_id, error, connector, worker_id, now, was_live=was_live)
    except Exception as error:  # a bug must never turn into a blind re-send: treat it as unknown
        log.exception("publishing post %s failed unexpectedly", post_id)
        wrapped = UnknownOutcome(_("Unexpected error while publishing: %(kind)s", kind=type(error).__name__))
        return _handle_error(post_id, attempt_id, wrapped, connector, worker_id, now, was_live=was_live)
    return _record_posted(post_id, attempt_id, [result], now)


def publish_request(post: Post) -> PublishRequest:
    """The request for a post: identical on every retry (same text, key and creation time)."""
    return PublishRequest(
        text=post.text,
        idempotency_key=post.idempotency_key,
        language=post.message.language,
        created_at=post.created_at,
        first_attempt_at=post.first_sent_at,  # lookups search from the first request, not the scheduling
    )


def hold_reason(
    post: Post, *, paused: bool | None = None, loaded: Preloaded | None = None
) -> tuple[HeldCode, str] | None:
    """Why a post must not go out now, as a code and a sentence, or None.

    A list re-checking many posts reads the coalition-wide pause once and passes it as `paused` (None:
    read it here), and the standing approvals once as `loaded` (review's `preload`; None: read them here).
    """
    if services.is_globally_paused() if paused is None else paused:
        return HeldCode.PAUSED, _("Publishing is paused for the whole coalition.")
    campaign = post.message.campaign
    if not campaign.is_publishable:
        return HeldCode.CAMPAIGN_NOT_ACTIVE, _(
            "The campaign is %(status)s, not active.", status=str(campaign.status)
        )
    channel = post.channel
    if channel.needs_reauth:
        return HeldCode.CREDENTIALS_REFUSED, _("The channel needs new credentials.")
    if channel.is_archived:
        return HeldCode.RECHECK_FAILED, _("The channel is archived.")
    if channel.is_paused:
        return HeldCode.PAUSED, _("The channel is paused.")
    if post.message.trend is not None and post.message.trend.is_closed:
        return HeldCode.RECHECK_FAILED, _("The trend this message answers is closed.")
    version = post.version
    if (
        post.content_hash != version.content_hash
        or not services.is_approved(post.message, version, loaded)
        or services.frozen_text(version, channel.platform) != post.text
    ):
        return HeldCode.RECHECK_FAILED, _("The approved text changed or its approval was withdrawn.")
    return None


def recheck(post: Post, *, paused: bool | None = None, loaded: Preloaded | None = None) -> str | None:
    """Why a post must not go out now (global pause, campaign, channel, trend, approval), or None;
    `paused` and `loaded` as for `hold_reason`."""
    held = hold_reason(post, paused=paused, loaded=loaded)
    return held[1] if held else None


def _is_too_late(post: Post, now: datetime) -> bool:
    # A retry of a publish that may already be live only completes it (same key): not a new late post.
    # Anything else past the limit, including a post that waited out a long rate limit, needs a person.
    if post.lateness_confirmed or post.may_be_live:
        return False
    limit = timedelta(minutes=int(current_app.config["COUNTERPOINT_MAX_LATENESS_MINUTES"]))
    return now - post.scheduled_at > limit


def _inside_dedupe_window(post: Post, connector: Connector, now: datetime) -> bool:
    window = connector.dedupe_window
    return window is not None and post.first_sent_at is not None and now - post.first_sent_at < window


# ---------------------------------------------------------------- look before you re-send


def look_before_resend(post: Post, connector: Connector, worker_id: str, now: datetime) -> str | None:
    """The last attempt may have landed: settle it by a lookup, or None when a re-send is safe."""
    if not connector.supports_lookup:
        if _inside_dedupe_window(post, connector, now):
            return None  # no lookup, but the receiver drops a repeated key (webhook-id): re-send
        return _to_unknown(
            post,
            _claimed(post.id, worker_id),
            now,
            detail=_("The platform cannot be asked whether the post exists; check the account."),
        )
    try:
        copies = connector.find_copies(publish_request(post))
    except ConnectorError as error:
        return _lookup_failed(post, worker_id, error, now)
    if copies:
        attempt_id = _lookup_attempt(post.id, worker_id, now, "found", copies[0])
        return _record_posted(post.id, attempt_id, copies, now, outcome="found")
    _lookup_attempt(post.id, worker_id, now, "absent")
    cleared = rowcount(
        db.session.execute(
            update(Post)
            .where(_claimed(post.id, worker_id))
            .values(may_be_live=False)
            .execution_options(synchronize_session=False)
        )
    )
    db.session.commit()
    return None if cleared == 1 else "skipped"


def _lookup_attempt(
    post_id: int, worker_id: str, now: datetime, outcome: str, found: PublishResult | None = None
) -> int:
    attempt = PostAttempt(
        post_id=post_id,
        worker_id=f"lookup:{worker_id}"[:64],
        started_at=now,
        finished_at=now,
        outcome=f"lookup_{outcome}",
        response={"id": found.remote_id, "url": found.url} if found else None,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt.id


def _lookup_failed(post: Post, worker_id: str, error: ConnectorError, now: datetime) -> str:
    """The lookup itself failed: the outcome stays unknown; ask again later, then a person."""
    db.session.rollback()
    attempt_id = _lookup_attempt(post.id, worker_id, now, "failed")
    _finish_attempt(attempt_id, "lookup_failed", now, error)
    if isinstance(error, AuthError):
        return _on_auth_error(post, error, _claimed(post.id, worker_id))
    if isinstance(error, RateLimited):
        return _on_rate_limited(post, error, _claimed(post.id, worker_id), now, count_try=False)
    if post.attempt_count + 1 >= MAX_TRIES:
        db.session.commit()
        return _to_unknown(post, _claimed(post.id, worker_id), now, detail=error.message, look=False)
    db.session.execute(
        update(Post)
        .where(_claimed(post.id, worker_id))
        .values(
            attempt_count=Post.attempt_count + 1,
            next_attempt_at=now + _backoff(post.attempt_count + 1),
            lease_owner=None,
            lease_expires_at=None,
            last_error=error.message[:2000],
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return "lookup_failed"


def _backoff(tries: int) -> timedelta:
    """Full jitter: uniform between 0 and base × 2^(tries-1), capped."""
    ceiling = min(BACKOFF_CAP.total_seconds(), _backoff_base() * 2 ** max(0, tries - 1))
    return timedelta(seconds=_JITTER.uniform(0, ceiling))


def record_copies(post: Post, copies: list[PublishResult], now: datetime) -> list[PostCopy]:
    """Remember every copy found (the oldest is the post); flushes. New extras are returned."""
    known = {c.remote_id for c in post.copies}
    added = []
    for index, found in enumerate(copies):
        if found.remote_id in known:
            continue
        copy = PostCopy(
            post=post,
            remote_id=found.remote_id[:200],
            url=(found.url or "")[:1000] or None,
            is_kept=index == 0 and not any(c.is_kept for c in post.copies),
            found_at=now,
        )
        db.session.add(copy)
        added.append(copy)
    db.session.flush()
    return [c for c in added if not c.is_kept]


# ---------------------------------------------------------------- state changes (each its own commit)


def _claimed(post_id: int, worker_id: str):
    return and_(Post.id == post_id, Post.status == PostStatus.QUEUED, Post.lease_owner == worker_id)


def _hold_claimed(post: Post, condition, code: HeldCode, reason: str) -> str:
    outcome = _settle_claimed(post, condition, PostStatus.HELD, outcome="held", held_reason=reason, code=code)
    if outcome == "held" and code == HeldCode.CAMPAIGN_NOT_ACTIVE:
        campaign = post.message.campaign
        services.notify_managers(
            campaign.organisation,
            kind=NotificationKind.POST_HELD_CAMPAIGN,
            params={"campaign": campaign.title},
            link=link_to("publishing.posts", status="held", campaign_id=campaign.id),
            once=True,
        )
        db.session.commit()
        send_pending_emails()
    return outcome


_SETTLED_ACTIONS = {"held": AuditAction.POST_HELD, "missed": AuditAction.POST_MISSED}


def _settle_claimed(
    post: Post, condition, status: PostStatus, *, outcome: str, held_reason: str, code: str | None = None
) -> str:
    result = db.session.execute(
        update(Post)
        .where(condition)
        .values(
            status=status,
            held_reason=held_reason[:300],
            held_code=code,
            lease_owner=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    settled = rowcount(result) == 1
    if settled:
        record(
            _SETTLED_ACTIONS[outcome],
            actor=None,
            organisation=post.channel.organisation,
            obj=post,
            details={"reason": held_reason[:300], "code": code},
        )
    db.session.commit()
    return outcome if settled else "skipped"


def _wait_for_server(post: Post, condition, until: datetime) -> str:
    """The server rate-limited another channel: no request before its reset."""
    db.session.execute(
        update(Post)
        .where(condition)
        .values(lease_owner=None, lease_expires_at=None, next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )
    hold_server(post.channel, until)
    db.session.commit()
    return "waiting"


def _mark_sending(
    post: Post,
    worker_id: str,
    now: datetime,
    condition=None,
    *,
    keep_loaded: bool = False,
    claim: bool = False,
) -> int | None:
    """Commit `sending` (with this worker's lease), may-be-live and the attempt row before the network
    call; None if a cancel or another worker won. `condition` defaults to "claimed by this worker";
    `claim`: the post is claimed by the same compare-and-set (still due, unleased, and no pause).

    `keep_loaded`: the commit leaves the loaded objects as they are (their status is then stale) so
    that recording the answer reads the post's id, hash and organisation without reloading them;
    every later path either only reads those or starts with a rollback, which expires them.
    """
    post_id = post.id
    if claim:
        result = db.session.execute(
            statements.claim_sending(),
            {"post_id": post_id, "now": now, "worker_id": worker_id, "expires_at": now + lease()},
        )
    else:
        result = db.session.execute(
            update(Post)
            .where(condition if condition is not None else _claimed(post_id, worker_id))
            .values(
                status=PostStatus.SENDING,
                attempt_count=Post.attempt_count + 1,
                first_sent_at=func.coalesce(Post.first_sent_at, now),
                lease_owner=worker_id,
                lease_expires_at=now + lease(),
                may_be_live=True,
            )
            .execution_options(synchronize_session=False)
        )
    if rowcount(result) != 1:
        db.session.rollback()
        return None
    inserted = db.session.execute(
        statements.start_attempt(), {"post_id": post_id, "worker_id": worker_id, "started_at": now}
    )
    attempt_id = inserted_id(inserted)
    if keep_loaded:
        _commit_keeping_loaded()
    else:
        db.session.commit()
    return attempt_id


def _commit_keeping_loaded() -> None:
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _finish_attempt(
    attempt_id: int,
    outcome: str,
    now: datetime,
    error: ConnectorError | None = None,
    response: dict | None = None,
) -> None:
    values: dict = {"outcome": outcome, "finished_at": now}
    if response is not None:
        values["response"] = response
    if error is not None:
        values["http_status"], values["detail"] = error.status, (error.message or "")[:2000]
    db.session.execute(
        update(PostAttempt)
        .where(PostAttempt.id == attempt_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _record_posted(
    post_id: int, attempt_id: int, copies: list[PublishResult], now: datetime, outcome: str = "posted"
) -> str:
    """Commit the remote id and URL (the oldest copy): the platform has the post, whatever the lease says."""
    kept = copies[0]
    db.session.execute(
        statements.finish_attempt(),
        {
            "attempt_id": attempt_id,
            "outcome": outcome,
            "finished_at": now,
            "response": {"id": kept.remote_id, "url": kept.url},
        },
    )
    db.session.execute(
        statements.mark_posted(),
        {
            "post_id": post_id,
            "remote_id": kept.remote_id[:200],
            "remote_url": (kept.url or "")[:1000] or None,
            "posted_at": now,
        },
    )
    post = db.session.get_one(Post, post_id)  # still loaded after `sending` (keep_loaded), else read
    record_row(
        AuditAction.POST_PUBLISHED,
        organisation_id=post.channel.organisation_id,
        obj=post,
        details={"remote_id": kept.remote_id, "url": kept.url, "hash": post.content_hash},
    )
    extras = record_copies(post, copies, now) if outcome == "found" or len(copies) > 1 else []
    if extras:
        _tell_duplicates(post, len(extras))
    db.session.commit()
    send_pending_emails()
    return "duplicates_found" if extras else outcome


def _tell_duplicates(post: Post, count: int) -> None:
    record(
        AuditAction.POST_DUPLICATES_FOUND,
        actor=None,
        organisation=post.channel.organisation,
        obj=post,
        details={"extra_copies": count},
    )
    services.notify_managers(
        post.channel.organisation,
        kind=NotificationKind.POST_DUPLICATES,
        params={"channel": post.channel.display_name, "count": count},
        link=link_to("publishing.post_detail", post_id=post.id),
    )


def _sending_by(post_id: int, worker_id: str):
    return and_(Post.id == post_id, Post.status == PostStatus.SENDING, Post.lease_owner == worker_id)


def _may_have_landed(error: ConnectorError) -> bool:
    """Timeouts after sending, resets and 5xx may have created the post; a refused connection did not."""
    if isinstance(error, UnknownOutcome):
        return True
    if isinstance(error, TransientError):
        return error.status is not None
    return type(error) is ConnectorError


def _handle_error(
    post_id: int,
    attempt_id: int,
    error: ConnectorError,
    connector: Connector,
    worker_id: str,
    now: datetime,
    *,
    was_live: bool,
) -> str:
    """Record a failed attempt; `was_live` says whether an earlier attempt may have landed."""
    db.session.rollback()
    post = db.session.get_one(Post, post_id)
    sending = _sending_by(post_id, worker_id)
    if isinstance(error, AuthError | RateLimited | Rejected):
        # None of these answers created the post: only an earlier attempt may have.
        db.session.execute(
            update(Post)
            .where(sending)
            .values(may_be_live=was_live)
            .execution_options(synchronize_session=False)
        )
    if isinstance(error, AuthError):
        _finish_attempt(attempt_id, "auth_refused", now, error)
        return _on_auth_error(post, error, sending)
    if isinstance(error, RateLimited):
        _finish_attempt(attempt_id, "rate_limited", now, error)
        return _on_rate_limited(post, error, sending, now, count_try=True)
    if isinstance(error, Rejected):
        _finish_attempt(attempt_id, "rejected", now, error)
        return _fail(post, sending, error.message, {"status": error.status})
    landed = _may_have_landed(error) or was_live
    _finish_attempt(
        attempt_id,
        ("unknown" if isinstance(error, UnknownOutcome) else "server_error") if landed else "transient",
        now,
        error,
    )
    db.session.flush()
    db.session.refresh(post)
    # Without a lookup, a repeat is only safe while the receiver would drop it (same key, inside its window).
    may_resend = not landed or connector.supports_lookup or _inside_dedupe_window(post, connector, now)
    if post.attempt_count < MAX_TRIES and may_resend:
        _update_sending(
            post_id,
            worker_id,
            status=PostStatus.QUEUED,
            may_be_live=landed,
            last_error=error.message[:2000],
            next_attempt_at=now + _backoff(post.attempt_count),
        )
        db.session.commit()
        return "retry"
    if landed:
        db.session.commit()
        return _to_unknown(
            post, _sending_by(post_id, worker_id), now, detail=error.message, connector=connector
        )
    return _fail(post, _sending_by(post_id, worker_id), error.message, {"tries": post.attempt_count})


def _fail(post: Post, condition, message: str, details: dict) -> str:
    """Content refused or tries exhausted without any chance it landed: failed, and its owners are told."""
    changed = rowcount(
        db.session.execute(
            update(Post)
            .where(condition)
            .values(
                status=PostStatus.FAILED, last_error=message[:2000], lease_owner=None, lease_expires_at=None
            )
            .execution_options(synchronize_session=False)
        )
    )
    if changed == 1:
        record(
            AuditAction.POST_FAILED,
            actor=None,
            organisation=post.channel.organisation,
            obj=post,
            details={**details, "message": message[:300]},
        )
        services.notify_managers(
            post.channel.organisation,
            kind=NotificationKind.POST_FAILED,
            params={"channel": post.channel.display_name, "error": message[:1000]},
            link=link_to("publishing.post_detail", post_id=post.id),
        )
    db.session.commit()
    send_pending_emails()
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


def _on_auth_error(post: Post, error: AuthError, condition) -> str:
    """Credentials refused: no retry; the channel needs re-authorisation, its posts wait, its leads are told."""
    reason = _("The platform refused the channel's credentials; replace them, then resume.")
    db.session.execute(
        update(Post)
        .where(condition)
        .values(
            status=PostStatus.HELD,
            held_reason=reason[:300],
            held_code=HeldCode.CREDENTIALS_REFUSED,
            last_error=error.message[:2000],
            lease_owner=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
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


def _on_rate_limited(post: Post, error: RateLimited, condition, now: datetime, *, count_try: bool) -> str:
    """Wait until the reset: no request to any channel on this server before then (the try does not count)."""
    retry_at = error.retry_at if error.retry_at and error.retry_at > now else now + RATE_LIMIT_FALLBACK
    values = {
        "status": PostStatus.QUEUED,
        "next_attempt_at": retry_at,
        "last_error": error.message[:2000],
        "lease_owner": None,
        "lease_expires_at": None,
    }
    if count_try:
        values["attempt_count"] = Post.attempt_count - 1
    db.session.execute(
        update(Post).where(condition).values(**values).execution_options(synchronize_session=False)
    )
    hold_server(post.channel, retry_at)
    db.session.commit()
    return "rate_limited"


def _to_unknown(
    post: Post,
    condition,
    now: datetime,
    *,
    detail: str,
    connector: Connector | None = None,
    look: bool = True,
) -> str:
    """Stop re-sending: a person decides (after one last lookup when the platform has one)."""
    result = db.session.execute(
        update(Post)
        .where(condition)
        .values(
            status=PostStatus.UNKNOWN_OUTCOME,
            may_be_live=True,
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
    if look and connector is not None and connector.supports_lookup:
        return reconcile(post, connector=connector, now=now)
    return _tell_unknown(post, detail)


def _tell_unknown(post: Post, detail: str) -> str:
    record(
        AuditAction.POST_UNCONFIRMED,
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


def reconcile(
    post: Post, *, connector: Connector | None = None, now: datetime | None = None, tell: bool = True
) -> str:
    """Settle an unknown outcome by looking the post up on the platform; tells people when it cannot
    (`tell=False` when a person asked and reads the answer on the page)."""
    now = now or utcnow()
    try:
        connector = connector or get_connector(channel_services.channel_config(post.channel))
        copies = connector.find_copies(publish_request(post)) if connector.supports_lookup else None
    except (ConnectorError, CredentialError, ValueError) as error:
        copies, detail = None, getattr(error, "message", str(error))
    else:
        detail = "" if copies is not None else _("The platform cannot be asked whether the post exists.")
    if copies:
        attempt_id = _lookup_attempt(post.id, "reconcile", now, "found", copies[0])
        return _record_posted(post.id, attempt_id, copies, now, outcome="found")
    if copies is not None:
        _lookup_attempt(post.id, "reconcile", now, "absent")
    if not tell:
        db.session.commit()
        return "unknown_outcome"
    return _tell_unknown(post, detail)


# ---------------------------------------------------------------- sweeper and health


def sweep_expired_leases(*, now: datetime | None = None) -> int:
    """Return expired leases to the queue; posts stuck in `sending` keep may-be-live, so they are looked up."""
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
        _requeue_in_flight(post, post.lease_owner, now, detail=_("The worker stopped during the request."))
    return len(stuck)


def _requeue_in_flight(post: Post, owner: str | None, now: datetime, *, detail: str) -> None:
    """A request may have gone out and nobody recorded its answer: back to the queue, looked up first."""
    for attempt in post.attempts:
        if attempt.outcome == "started":
            attempt.outcome, attempt.finished_at = "lease_expired", now
            attempt.detail = _("The worker stopped during the request; the post may exist.")
    db.session.flush()
    record(
        AuditAction.POST_LEASE_EXPIRED,
        actor=None,
        organisation=post.channel.organisation,
        obj=post,
        details={"worker": owner},
    )
    db.session.execute(
        update(Post)
        .where(Post.id == post.id, Post.status == PostStatus.SENDING, Post.lease_owner == owner)
        .values(
            status=PostStatus.QUEUED,
            may_be_live=True,
            lease_owner=None,
            lease_expires_at=None,
            next_attempt_at=now,
            last_error=detail[:2000],
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def release_campaign_holds(*, now: datetime | None = None) -> int:
    """Posts held only because their campaign was not active go back to the queue once it is, if not late."""
    now = now or utcnow()
    limit = timedelta(minutes=int(current_app.config["COUNTERPOINT_MAX_LATENESS_MINUTES"]))
    # On the post's own campaign column: both databases then reach the few held posts by an index,
    # whichever side they start from (through messages, SQLite with statistics read every post of the
    # active campaigns, and PostgreSQL without them: 50 ms a tick at coalition scale).
    active = select(Campaign.id).where(Campaign.status == CampaignStatus.ACTIVE)
    rows = db.session.execute(
        select(Post.id, Post.campaign_id).where(
            Post.status == PostStatus.HELD,
            Post.held_code == HeldCode.CAMPAIGN_NOT_ACTIVE,
            Post.campaign_id.in_(active),
            or_(Post.scheduled_at >= now - limit, Post.lateness_confirmed.is_(True)),
        )
    ).all()
    if not rows:
        return 0
    db.session.execute(
        update(Post)
        .where(
            Post.id.in_([post_id for post_id, _c in rows]),
            Post.status == PostStatus.HELD,
            Post.held_code == HeldCode.CAMPAIGN_NOT_ACTIVE,
        )
        .values(status=PostStatus.QUEUED, held_code=None, held_reason=None, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    for campaign_id in {c for _p, c in rows}:
        record(
            AuditAction.POST_CAMPAIGN_HOLD_RELEASED,
            actor=None,
            details={"campaign_id": campaign_id, "posts": [p for p, c in rows if c == campaign_id][:100]},
        )
    db.session.commit()
    return len(rows)


def oldest_overdue(now: datetime | None = None) -> datetime | None:
    """The slot of the oldest automatic post that should have gone out by now (for /healthz).

    One query per status, so each reads the (status, scheduled_at) index instead of every past post.
    """
    now = now or utcnow()
    grace = timedelta(seconds=max(60, 3 * float(current_app.config.get("COUNTERPOINT_TICK_SECONDS", 5))))
    automatic = (
        select(func.min(Post.scheduled_at))
        .join(Channel, Channel.id == Post.channel_id)
        .where(Channel.platform != "manual", Post.scheduled_at < now - grace)
    )
    waiting = db.session.scalar(
        automatic.where(
            Post.status == PostStatus.QUEUED,
            or_(Post.next_attempt_at.is_(None), Post.next_attempt_at < now - grace),
        )
    )
    stuck = db.session.scalar(automatic.where(Post.status == PostStatus.SENDING, Post.lease_expires_at < now))
    found = [moment for moment in (waiting, stuck) if moment is not None]
    return min(found) if found else None


# ---------------------------------------------------------------- worker tasks


def dispatch_task() -> bool:
    """Worker tick task: a dispatch pass that, until just before the next tick, also wakes when the next
    post falls due: a post due between two ticks goes out on time, not up to a tick late.

    True when the pass ran out of its time while still publishing: the worker then ticks again at once.
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    tick = float(app.config["COUNTERPOINT_TICK_SECONDS"])
    started = g.get("tick_started") or time.monotonic()
    report = dispatch_once(app, worker_id=g.get("worker_id", "worker"), wait_until=started + 0.95 * tick)
    return report.unfinished


def sweep_task() -> None:
    """Worker tick task: recover expired leases."""
    sweep_expired_leases()


def release_holds_task() -> None:
    """Worker tick task: release posts held only because their campaign was not active."""
    release_campaign_holds()
