"""Scheduling, partner acceptance, pauses and the person-driven post actions. Callers commit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, exists, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload

from app.accounts.models import Organisation, Role, User
from app.audit.services import record
from app.campaigns.models import Campaign
from app.campaigns.visibility import takes_part as campaign_takes_part
from app.campaigns.visibility import visible_to as campaign_visible_to
from app.channels.connectors import ConnectorError
from app.channels.models import Channel
from app.channels.scheduling import next_free_slot, refusal, rules_for
from app.channels.services import ChannelLength, channel_length
from app.checks.messages import unit_label
from app.common import labels
from app.common.audit_actions import AuditAction
from app.common.sql import rowcount
from app.common.time import utcnow
from app.drafting.models import Message, MessageVersion
from app.extensions import db
from app.notifications import Notification, NotificationKind, link_to, notify
from app.publishing import statements
from app.publishing.models import (
    POST_TRANSITIONS,
    HeldCode,
    Post,
    PostAttempt,
    PostCopy,
    PostStatus,
    PublishingPause,
)
from app.review.services import Preloaded, is_approved_for_publishing

# Statuses that occupy a channel's slot for spacing and daily caps.
SLOT_STATUSES = (
    PostStatus.AWAITING_PARTNER,
    PostStatus.QUEUED,
    PostStatus.SENDING,
    PostStatus.POSTED,
    PostStatus.HELD,
    PostStatus.UNKNOWN_OUTCOME,
)
NOT_YET_SENT = (PostStatus.AWAITING_PARTNER, PostStatus.QUEUED, PostStatus.MISSED, PostStatus.HELD)
ATTENTION_STATUSES = (PostStatus.FAILED, PostStatus.UNKNOWN_OUTCOME, PostStatus.MISSED, PostStatus.HELD)


class PublishingError(ValueError):
    """A publishing action that cannot be carried out, with a message for people."""


# ---------------------------------------------------------------- keys, approval, text


def idempotency_key(version_id: int, channel_id: int) -> str:
    """The key a post keeps on every retry: derived from its (version, channel) row."""
    return hashlib.sha256(f"counterpoint:{version_id}:{channel_id}".encode()).hexdigest()[:32]


def is_approved(message: Message, version: MessageVersion, loaded: Preloaded | None = None) -> bool:
    """Whether this exact version may be published: review's rule (quorum, author, expiry, findings)."""
    return bool(is_approved_for_publishing(message, version, loaded=loaded))


def frozen_text(version: MessageVersion, platform: str) -> str:
    """The text a channel publishes: the platform variant, else the main text."""
    return (version.variants or {}).get(platform) or version.text


# ---------------------------------------------------------------- visibility and roles


def visible_posts(user: User) -> Select:
    """Posts on the person's organisation's channels or in campaigns it takes part in."""
    return visible_posts_for(user.organisation_id)


def visible_posts_for(org_id: int) -> Select:
    """Posts on an organisation's channels or in campaigns it takes part in.

    The rule is written on the posts' own columns (channel, message) so the database can use their
    indexes instead of testing an OR across a three-way join for every post.
    """
    return (
        select(Post)
        .join(Post.channel)
        .join(Post.message)
        .join(Message.campaign)
        .where(post_visibility(org_id))
    )


def post_visibility(org_id: int):
    """The condition on a post's own columns that makes it visible to an organisation (no joins needed):
    on one of its channels, or in a campaign it owns or takes part in (two short lists of ids)."""
    own_channels = select(Channel.id).where(Channel.organisation_id == org_id)
    visible_campaigns = select(Campaign.id).where(campaign_visible_to(org_id))
    return or_(Post.channel_id.in_(own_channels), Post.campaign_id.in_(visible_campaigns))


# What the re-check before a person posts reads, loaded with the list (dispatch.recheck): the campaign,
# its partners and owner (the quorum and the end date), the trend, the versions (their authors may not
# approve) and the post's version. The standing approvals come with review's `preload`.
RECHECK_LOADS = (
    joinedload(Post.message).joinedload(Message.campaign).selectinload(Campaign.partners),
    joinedload(Post.message).joinedload(Message.campaign).joinedload(Campaign.organisation),
    joinedload(Post.message).joinedload(Message.trend),
    joinedload(Post.message).selectinload(Message.versions),
    joinedload(Post.version),
)


def with_list_relations(query: Select) -> Select:
    """Load what post lists show (channel and its organisation, message) with the posts, not per row."""
    return query.options(
        contains_eager(Post.channel).joinedload(Channel.organisation),
        contains_eager(Post.message),
    )


def can_view(user: User, post: Post) -> bool:
    """Whether the post shows for this person."""
    return (
        db.session.scalar(visible_posts(user).where(Post.id == post.id).with_only_columns(Post.id))
        is not None
    )


def available_actions(post: Post, user: User) -> frozenset[str]:
    """The buttons this person sees on a post: the one place that pairs statuses with actions."""
    status = PostStatus(post.status)
    actions: set[str] = set()
    if can_act(user, post):
        if not post.may_be_live and status in (
            PostStatus.AWAITING_PARTNER, PostStatus.QUEUED, PostStatus.HELD, PostStatus.MISSED, PostStatus.FAILED
        ):
            actions.add("cancel")
        actions |= {PostStatus.HELD: {"resume"}, PostStatus.MISSED: {"reconfirm"}, PostStatus.FAILED: {"retry"}}.get(
            status, set()
        )
        if status == PostStatus.UNKNOWN_OUTCOME:
            actions |= {"check_again", "not_posted"}
    channel_org = post.channel.organisation_id
    if status == PostStatus.AWAITING_PARTNER and user.organisation_id == channel_org and user.has_role(Role.LEAD):
        actions.add("answer_partner")
    if can_mark_posted(user, post):
        actions.add("mark_posted")
    return frozenset(actions)


def can_act(user: User, post: Post) -> bool:
    """Leads of the channel's organisation or of the scheduling campaign act on a post."""
    if not user.has_role(Role.LEAD):
        return False
    return user.organisation_id in (post.channel.organisation_id, post.message.campaign.organisation_id)


def _require_act(user: User, post: Post) -> None:
    if not can_act(user, post):
        raise PublishingError(_("Only a lead of the channel's or the campaign's organisation can do this."))


def _transition(post: Post, target: PostStatus) -> None:
    if target not in POST_TRANSITIONS[PostStatus(post.status)]:
        raise PublishingError(
            _(
                "This post is %(status)s and cannot become %(target)s.",
                status=str(post.status),
                target=str(target),
            )
        )
    post.status = target


# ---------------------------------------------------------------- scheduling


def taken_slots(channel: Channel, *, exclude: Iterable[int] = ()) -> list[datetime]:
    """Times already used on a channel (for spacing and caps)."""
    query = select(Post.scheduled_at).where(Post.channel_id == channel.id, Post.status.in_(SLOT_STATUSES))
    excluded = list(exclude)
    if excluded:
        query = query.where(Post.id.not_in(excluded))
    return list(db.session.scalars(query))


def schedulable_channels(user: User) -> list[Channel]:
    """Channels a lead may pick: any organisation's usable channel (others need that partner's yes)."""
    query = (
        select(Channel)
        .where(Channel.is_archived.is_(False))
        .order_by(Channel.organisation_id, Channel.display_name)
    )
    return list(db.session.scalars(query))


def can_schedule(user: User, message: Message) -> bool:
    """Leads (and admins) of organisations taking part in the message's campaign schedule it.

    Admin is a role inside one organisation: it gives no reach into other organisations' campaigns.
    """
    return user.has_role(Role.LEAD) and campaign_takes_part(user.organisation_id, message.campaign_id)


def schedule_message(
    message: Message,
    channels: list[Channel],
    *,
    actor: User,
    at: datetime | None,
    now: datetime | None = None,
) -> list[Post]:
    """One post per channel for the approved version, in one transaction; `at=None` picks the next free slot."""
    now = now or utcnow()
    version = message.current_version
    if not can_schedule(actor, message):
        raise PublishingError(_("Only a lead of an organisation taking part in the campaign can schedule."))
    if version is None or not is_approved(message, version):
        raise PublishingError(
            _("Only an approved message can be scheduled. Ask a lead to approve this text.")
        )
    if not channels:
        raise PublishingError(_("Choose at least one channel."))
    if at is not None and at < now - timedelta(minutes=1):
        raise PublishingError(_("Choose a time in the future, or the next free slot."))
    if message.trend is not None and message.trend.is_closed:
        raise PublishingError(_("The trend this message answers is closed; nothing is scheduled for it."))
    posts = [_schedule_one(message, version, channel, actor=actor, at=at, now=now) for channel in channels]
    return posts


def _schedule_one(
    message: Message,
    version: MessageVersion,
    channel: Channel,
    *,
    actor: User,
    at: datetime | None,
    now: datetime,
) -> Post:
    name = channel.display_name
    if channel.is_archived:
        raise PublishingError(_("The channel %(name)s is archived.", name=name))
    existing = db.session.scalar(
        select(Post).where(Post.version_id == version.id, Post.channel_id == channel.id)
    )
    if existing is not None:
        raise PublishingError(_("This version is already scheduled on %(name)s.", name=name))
    text = frozen_text(version, channel.platform)
    _check_length(text, channel)
    when = _slot(channel, at=at, now=now, zone=labels.zone_of(actor))
    is_partner = channel.organisation_id != actor.organisation_id
    post = Post(
        message=message,
        version=version,
        channel=channel,
        content_hash=version.content_hash,
        text=text,
        scheduled_at=when,
        idempotency_key=idempotency_key(version.id, channel.id),
        created_by=actor,
        status=PostStatus.AWAITING_PARTNER if is_partner else PostStatus.QUEUED,
    )
    db.session.add(post)
    db.session.flush()
    record(
        AuditAction.POST_SCHEDULED,
        actor=actor,
        obj=post,
        details={
            "channel_id": channel.id,
            "version_id": version.id,
            "hash": version.content_hash,
            "scheduled_at": when.isoformat(),
            "status": str(post.status),
        },
    )
    if is_partner:
        notify_managers(
            channel.organisation,
            kind=NotificationKind.PARTNER_REQUEST,
            params={"channel": name},
            link=link_to("publishing.partner_requests"),
        )
    return post


def _slot(
    channel: Channel, *, at: datetime | None, now: datetime, exclude: Iterable[int] = (), zone: str = "UTC"
) -> datetime:
    """The time a post goes out on a channel: `at` if its windows, spacing and cap allow, else refused;
    `at=None` picks the next free slot. A refusal names the next slot in `zone` (the acting person's)."""
    name = channel.display_name
    rules, taken = rules_for(channel), taken_slots(channel, exclude=exclude)
    if at is None:
        when = next_free_slot(rules, taken, now)
        if when is None:
            raise PublishingError(_("%(name)s has no free slot in the next 90 days.", name=name))
        return when
    reason = refusal(rules, taken, at)
    if reason:
        suggestion = next_free_slot(rules, taken, at)
        raise PublishingError(
            _(
                "%(name)s cannot post then: %(reason)s. Next free slot: %(slot)s.",
                name=name,
                reason=reason,
                slot=labels.when(suggestion, zone=zone),
            )
        )
    return at


def can_reschedule(user: User, post: Post) -> bool:
    """Leads of the message's organisation schedule a cancelled, never-sent post again."""
    return (
        user.has_role(Role.LEAD)
        and user.organisation_id == post.message.campaign.organisation_id
        and post.status == PostStatus.CANCELLED
        and was_never_sent(post)
    )


def was_never_sent(post: Post) -> bool:
    """No attempt was ever made, so nothing can have landed on the platform and the key is unused."""
    if post.attempt_count or post.first_sent_at is not None or post.remote_id or post.posted_at:
        return False
    return not db.session.scalar(select(exists().where(PostAttempt.post_id == post.id)))


def reschedule_post(post: Post, *, actor: User, at: datetime | None, now: datetime | None = None) -> None:
    """Schedule a cancelled, never-sent post again: the same row and key, after the scheduling checks."""
    now = now or utcnow()
    message, version, channel = post.message, post.version, post.channel
    if not actor.has_role(Role.LEAD) or actor.organisation_id != message.campaign.organisation_id:
        raise PublishingError(_("Only a lead of the message's organisation can schedule this post again."))
    if post.status != PostStatus.CANCELLED:
        raise PublishingError(_("Only a cancelled post can be scheduled again."))
    if not was_never_sent(post):
        raise PublishingError(
            _(
                "This post was already sent to the platform at least once, so it cannot be scheduled "
                "again. Schedule a new version instead."
            )
        )
    if (
        message.current_version_id != version.id
        or version.content_hash != post.content_hash
        or not is_approved(message, version)
    ):
        raise PublishingError(
            _("The approved text has changed since this post was scheduled. Schedule the new version.")
        )
    if message.trend is not None and message.trend.is_closed:
        raise PublishingError(_("The trend this message answers is closed; nothing is scheduled for it."))
    if channel.is_archived:
        raise PublishingError(_("The channel %(name)s is archived.", name=channel.display_name))
    if channel.needs_reauth:
        raise PublishingError(_("Replace the channel's credentials first: the platform refused them."))
    if at is not None and at < now - timedelta(minutes=1):
        raise PublishingError(_("Choose a time in the future, or the next free slot."))
    _check_length(post.text, channel)
    when = _slot(channel, at=at, now=now, exclude=[post.id], zone=labels.zone_of(actor))
    is_partner = channel.organisation_id != actor.organisation_id
    previous = post.scheduled_at
    _transition(post, PostStatus.AWAITING_PARTNER if is_partner else PostStatus.QUEUED)
    post.scheduled_at = when
    post.lease_owner = post.lease_expires_at = post.next_attempt_at = None
    post.held_reason, post.lateness_confirmed = None, False
    post.partner_decided_by_id = post.partner_decided_at = post.partner_decline_reason = None
    db.session.flush()
    record(
        AuditAction.POST_RESCHEDULED,
        actor=actor,
        obj=post,
        details={
            "channel_id": channel.id,
            "version_id": version.id,
            "hash": post.content_hash,
            "from": previous.isoformat(),
            "scheduled_at": when.isoformat(),
            "status": str(post.status),
        },
    )
    if is_partner:
        notify_managers(
            channel.organisation,
            kind=NotificationKind.PARTNER_REQUEST,
            params={"channel": channel.display_name},
            link=link_to("publishing.partner_requests"),
        )


def channel_lengths(message: Message, channels: list[Channel]) -> dict[int, ChannelLength]:
    """The approved text as each channel's server counts it, by channel id (schedule page)."""
    version = message.current_version
    if version is None:
        return {}
    measured = {c.id: channel_length(frozen_text(version, c.platform), c) for c in channels}
    return {k: v for k, v in measured.items() if v is not None}


def _check_length(text: str, channel: Channel) -> None:
    """Refuse a text this channel's server would refuse: its own count rule, limit and byte cap."""
    result = channel_length(text, channel)
    if result is None:
        return
    if result.count > result.limit:
        raise PublishingError(
            _(
                "The text is %(count)d %(unit)s long; %(name)s allows %(limit)d.",
                count=result.count,
                unit=unit_label(result.unit),
                name=channel.display_name,
                limit=result.limit,
            )
        )
    if result.problems:
        # e.g. Bluesky's 3,000 UTF-8 bytes, hashtag caps: the platform refuses these at send time.
        raise PublishingError(
            _(
                "%(name)s would refuse this text: %(problem)s",
                name=channel.display_name,
                problem=result.problems[0].message,
            )
        )


# ---------------------------------------------------------------- partners


def partner_requests(user: User) -> Select:
    """Posts waiting for this person's organisation to accept them on its channels."""
    return (
        select(Post)
        .join(Post.channel)
        .where(Channel.organisation_id == user.organisation_id, Post.status == PostStatus.AWAITING_PARTNER)
        .options(
            contains_eager(Post.channel),
            joinedload(Post.message).joinedload(Message.campaign).joinedload(Campaign.organisation),
        )
        .order_by(Post.scheduled_at)
    )


def _require_partner_lead(post: Post, actor: User) -> None:
    if actor.organisation_id != post.channel.organisation_id or not actor.has_role(Role.LEAD):
        raise PublishingError(_("Only a lead of the channel's organisation can answer this request."))


def accept_partner(post: Post, *, actor: User, now: datetime | None = None) -> None:
    """The channel's organisation agrees to publish the post on its channel."""
    _require_partner_lead(post, actor)
    _transition(post, PostStatus.QUEUED)
    post.partner_decided_by_id, post.partner_decided_at = actor.id, now or utcnow()
    db.session.flush()
    record(AuditAction.POST_PARTNER_ACCEPTED, actor=actor, obj=post, details={"hash": post.content_hash})
    _notify_scheduler(post, answer="accepted", organisation=actor.organisation.name)


def decline_partner(post: Post, *, actor: User, reason: str, now: datetime | None = None) -> None:
    """The channel's organisation refuses, with a reason the scheduler reads."""
    _require_partner_lead(post, actor)
    if not reason.strip():
        raise PublishingError(_("Say why you decline, so the campaign team can adapt."))
    _transition(post, PostStatus.CANCELLED)
    post.partner_decided_by_id, post.partner_decided_at = actor.id, now or utcnow()
    post.partner_decline_reason = reason.strip()[:2000]
    db.session.flush()
    record(
        AuditAction.POST_PARTNER_DECLINED, actor=actor, obj=post, details={"reason": post.partner_decline_reason}
    )
    _notify_scheduler(
        post, answer="declined", organisation=actor.organisation.name, reason=post.partner_decline_reason
    )


# ---------------------------------------------------------------- person-driven actions


def _unclaimed(now: datetime):
    """The worker's own compare-and-set condition, seen from a person: nobody holds a live lease on it."""
    return or_(Post.lease_owner.is_(None), Post.lease_expires_at.is_(None), Post.lease_expires_at < now)


def _claim_for_person(
    post: Post, statuses: Iterable[PostStatus], now: datetime, *, where: tuple = (), **values
) -> bool:
    """Change a post only if it is still in one of these statuses and no worker holds it; refreshes it."""
    result = db.session.execute(
        update(Post)
        .where(Post.id == post.id, Post.status.in_(tuple(statuses)), _unclaimed(now), *where)
        .values(lease_owner=None, lease_expires_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(post)
    return rowcount(result) == 1


def cancel_post(post: Post, *, actor: User, now: datetime | None = None) -> None:
    """Cancel a post that cannot be live yet: the worker's compare-and-set, so a cancel before the claim wins."""
    _require_act(actor, post)
    now = now or utcnow()
    if _claim_for_person(
        post,
        NOT_YET_SENT + (PostStatus.FAILED,),
        now,
        where=(Post.may_be_live.is_(False),),
        status=PostStatus.CANCELLED,
    ):
        record(AuditAction.POST_CANCELLED, actor=actor, obj=post)
        return
    if post.may_be_live and post.status != PostStatus.POSTED:
        raise PublishingError(
            _(
                "This post may already be live on the platform, so it cannot be cancelled. "
                "Look it up on the platform first."
            )
        )
    if post.status in NOT_YET_SENT:
        raise PublishingError(_("A worker is sending this post right now; reload the page in a moment."))
    raise PublishingError(_("Too late to cancel: the post is %(status)s.", status=str(post.status)))


def resume_post(post: Post, *, actor: User, now: datetime | None = None) -> None:
    """A person resumes a held or missed post (or retries a failed one), confirming it may be late."""
    _require_act(actor, post)
    now = now or utcnow()
    if post.status not in (PostStatus.HELD, PostStatus.MISSED, PostStatus.FAILED):
        raise PublishingError(_("Only held, missed or failed posts can be resumed."))
    if post.channel.needs_reauth:
        raise PublishingError(_("Replace the channel's credentials first: the platform refused them."))
    _transition(post, PostStatus.QUEUED)
    post.lateness_confirmed = post.scheduled_at < now
    post.held_reason, post.next_attempt_at, post.lease_owner, post.lease_expires_at = None, None, None, None
    post.held_code = None
    if post.attempt_count >= MAX_TRIES:
        post.attempt_count = 0
    db.session.flush()
    record(AuditAction.POST_RESUMED, actor=actor, obj=post, details={"late": post.lateness_confirmed})


# What a person may mark as posted: on automatic channels only what no worker will send.
MARKABLE_MANUAL = (
    PostStatus.QUEUED,
    PostStatus.UNKNOWN_OUTCOME,
    PostStatus.MISSED,
    PostStatus.HELD,
    PostStatus.FAILED,
)
MARKABLE_AUTOMATIC = (PostStatus.UNKNOWN_OUTCOME, PostStatus.HELD, PostStatus.MISSED, PostStatus.FAILED)


def can_mark_posted(user: User, post: Post) -> bool:
    """Leads mark by hand: posts of manual channels, or posts no worker will send (held, unknown, ...)."""
    statuses = MARKABLE_MANUAL if post.channel.platform == "manual" else MARKABLE_AUTOMATIC
    return can_act(user, post) and post.status in statuses


def mark_posted_manually(post: Post, *, actor: User, url: str, now: datetime | None = None) -> None:
    """A lead posted the text by hand (or found it on the platform) and records the link."""
    _require_act(actor, post)
    now = now or utcnow()
    url = url.strip()
    if not url.startswith(("https://", "http://")):
        raise PublishingError(_("Paste the address of the published post, starting with https://."))
    statuses = MARKABLE_MANUAL if post.channel.platform == "manual" else MARKABLE_AUTOMATIC
    if not _claim_for_person(
        post,
        statuses,
        now,
        status=PostStatus.POSTED,
        remote_url=url[:1000],
        posted_at=now,
        held_code=None,
        next_attempt_at=None,
    ):
        if post.status == PostStatus.QUEUED:
            raise PublishingError(
                _(
                    "The worker publishes this post at its slot. To post it by hand, hold it first "
                    "(pause the channel) so that it cannot go out twice."
                )
            )
        raise PublishingError(
            _("This post is %(status)s; it cannot be marked as posted.", status=str(post.status))
        )
    record(AuditAction.POST_MARKED_POSTED, actor=actor, obj=post, details={"remote_url": post.remote_url})


def settle_unknown_as_not_posted(post: Post, *, actor: User, now: datetime | None = None) -> None:
    """A person checked the platform: the post is not there, so it may be sent again (same key)."""
    _require_act(actor, post)
    if not _claim_for_person(
        post,
        (PostStatus.UNKNOWN_OUTCOME,),
        now or utcnow(),
        status=PostStatus.QUEUED,
        lateness_confirmed=True,
        next_attempt_at=None,
        attempt_count=0,
        first_sent_at=None,
        may_be_live=False,
    ):
        raise PublishingError(_("Only a post whose outcome is unknown can be settled this way."))
    record(AuditAction.POST_MARKED_NOT_POSTED, actor=actor, obj=post)


def delete_extra_copy(copy: PostCopy, *, actor: User, connector, now: datetime | None = None) -> None:
    """Remove a duplicate from the platform (never the copy the post points at); flushes."""
    post = copy.post
    _require_act(actor, post)
    if copy.is_kept or copy.remote_id == post.remote_id:
        raise PublishingError(_("This copy is the post itself; only extra copies can be deleted."))
    if copy.deleted_at is not None:
        raise PublishingError(_("This copy was already deleted."))
    if connector is None or not connector.supports_delete:
        raise PublishingError(_("This platform does not let us delete posts; remove the copy by hand."))
    try:
        connector.delete(copy.remote_id)
    except ConnectorError as error:
        raise PublishingError(_("The platform refused: %(message)s", message=error.message)) from None
    copy.deleted_at, copy.deleted_by_id = now or utcnow(), actor.id
    db.session.flush()
    record(AuditAction.POST_COPY_DELETED, actor=actor, obj=post, details={"remote_id": copy.remote_id})


MAX_TRIES = 6


# ---------------------------------------------------------------- pauses


def current_pause() -> PublishingPause | None:
    """The active coalition-wide pause, if any."""
    return db.session.scalar(
        select(PublishingPause)
        .where(PublishingPause.is_active.is_(True))
        .order_by(PublishingPause.id.desc())
        .limit(1)
    )


def is_globally_paused() -> bool:
    """Whether a coalition-wide pause is active (one prebuilt EXISTS: the worker asks before every post)."""
    return bool(db.session.scalar(statements.globally_paused()))


def set_global_pause(is_active: bool, *, actor: User, reason: str = "") -> None:
    """An admin pauses or resumes all publishing at once."""
    if not actor.is_admin:
        raise PublishingError(_("Only an admin can pause or resume all publishing."))
    pause = current_pause()
    if is_active and pause is None:
        db.session.add(
            PublishingPause(is_active=True, reason=reason.strip()[:2000], set_by_id=actor.id, set_at=utcnow())
        )
    elif not is_active and pause is not None:
        db.session.execute(
            update(PublishingPause).where(PublishingPause.is_active.is_(True)).values(is_active=False)
        )
    else:
        return
    db.session.flush()
    action = AuditAction.PUBLISHING_PAUSED if is_active else AuditAction.PUBLISHING_RESUMED
    record(action, actor=actor, details={"reason": reason})


def hold_channel_posts(channel: Channel, reason: str) -> int:
    """Hold every not-yet-sent post of a channel (credentials refused); a person resumes them."""
    result = db.session.execute(
        update(Post)
        .where(
            Post.channel_id == channel.id, Post.status.in_((PostStatus.QUEUED, PostStatus.AWAITING_PARTNER))
        )
        .values(
            status=PostStatus.HELD,
            held_reason=reason[:300],
            held_code=HeldCode.CREDENTIALS_REFUSED,
            lease_owner=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


# ---------------------------------------------------------------- notifications


def notify_managers(
    organisation: Organisation,
    *,
    kind: NotificationKind,
    params: dict[str, Any],
    link: str | None = None,
    once: bool = False,
) -> int:
    """Tell an organisation's leads and admins something needs them (rendered in each reader's language).

    `once` skips people who still have an unread notice of the same kind and link.
    """
    people = db.session.scalars(
        select(User).where(
            User.organisation_id == organisation.id,
            User.role.in_((Role.LEAD, Role.ADMIN)),
            User.is_active_user.is_(True),
        )
    ).all()
    if once:
        unread = set(
            db.session.scalars(
                select(Notification.user_id).where(
                    Notification.kind == kind, Notification.link == link, Notification.read_at.is_(None)
                )
            )
        )
        people = [person for person in people if person.id not in unread]
    return len(notify(people, kind=kind, params=params, link=link))


def _notify_scheduler(post: Post, *, answer: str, organisation: str, reason: str = "") -> None:
    """Tell the person who scheduled a partner post how the channel's organisation answered."""
    params = {
        "answer": answer,
        "organisation": organisation,
        "channel": post.channel.display_name,
        "reason": reason,
    }
    notify(
        [post.created_by],
        kind=NotificationKind.POST_PARTNER_ANSWER,
        params=params,
        link=link_to("publishing.post_detail", post_id=post.id),
    )
