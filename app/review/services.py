"""Review transitions: submit, approve, request changes, reject, expire; each checked, flushed and audited."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _
from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import joinedload

from app.accounts.models import Organisation, Role, User
from app.audit.services import record
from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.visibility import takes_part as campaign_takes_part
from app.campaigns.visibility import visible_to
from app.common.audit_actions import AuditAction
from app.common.time import to_zone, utcnow
from app.drafting.models import (
    MESSAGE_TRANSITIONS,
    Approval,
    CommentKind,
    Message,
    MessageComment,
    MessageStatus,
    MessageVersion,
)
from app.drafting.versions import revoke_approvals
from app.extensions import db
from app.notifications import NotificationKind, link_to, notify
from app.notifications.kinds import state_label
from app.review.models import ReviewRequest, ReviewSeen
from app.trends.models import Trend, TrendStatus

HUMOR = "humor"
ENDED_CAMPAIGN_STATUSES = frozenset({CampaignStatus.COMPLETED, CampaignStatus.ARCHIVED})


class ReviewError(Exception):
    """A refused review action, with a message for people and the form field it concerns."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Quorum:
    """Where a version stands against the approval rules."""

    approvals: int
    required: int
    missing_partners: tuple[Organisation, ...]

    @property
    def is_met(self) -> bool:
        return self.approvals >= self.required and not self.missing_partners


@dataclass(frozen=True)
class Preloaded:
    """What the rules read about a page of messages, loaded once for the page (see `preload`)."""

    organisation_id: int  # the viewer's organisation, for which `campaign_ids` was read
    campaign_ids: frozenset[int]  # the page's campaigns this organisation takes part in
    approvals: dict[int, list[Approval]]  # standing approvals by version id, oldest first


def preload(messages: Sequence[Message], viewer: User) -> Preloaded:
    """Read, in one query per kind, what the rules ask about these messages' current versions."""
    campaign_ids = {message.campaign_id for message in messages}
    visible = select(Campaign.id).where(Campaign.id.in_(campaign_ids), visible_to(viewer.organisation_id))
    versions = {m.current_version.id: m.current_version for m in messages if m.current_version is not None}
    standing = (
        select(Approval)
        .where(Approval.version_id.in_(versions), Approval.revoked_at.is_(None))
        .options(joinedload(Approval.approver), joinedload(Approval.organisation))
        .order_by(Approval.created_at, Approval.id)
    )
    approvals: dict[int, list[Approval]] = {version_id: [] for version_id in versions}
    for approval in db.session.scalars(standing) if versions else ():
        if approval.content_hash == versions[approval.version_id].content_hash:
            approvals[approval.version_id].append(approval)
    return Preloaded(
        organisation_id=viewer.organisation_id,
        campaign_ids=frozenset(db.session.scalars(visible)) if campaign_ids else frozenset(),
        approvals=approvals,
    )


# --- Questions the views and the publisher ask ------------------------------------------------------


def takes_part(user: User, message: Message, loaded: Preloaded | None = None) -> bool:
    """The person's organisation owns the message's campaign or takes part in it."""
    if loaded is not None and loaded.organisation_id == user.organisation_id:
        return message.campaign_id in loaded.campaign_ids
    return campaign_takes_part(user.organisation_id, message.campaign_id)


def findings_of(version: MessageVersion | None) -> list[dict[str, Any]]:
    """Every finding of a version, each with its platform, errors first."""
    items: list[dict[str, Any]] = []
    for platform, report in sorted(((version.findings if version else None) or {}).items()):
        entries = report.get("findings", []) if isinstance(report, dict) else report or []
        items.extend({**entry, "platform": platform} for entry in entries)
    return sorted(items, key=lambda item: item.get("severity") != "error")


def has_warnings(version: MessageVersion) -> bool:
    """Tell whether a version has any warning-level finding."""
    return any(item.get("severity") == "warning" for item in findings_of(version))


def needs_humor_acknowledgement(message: Message) -> bool:
    """Humour misreads across cultures: the approver signs it off explicitly."""
    return message.strategy == HUMOR


def expiry_reason(message: Message, now: datetime | None = None) -> str | None:
    """Why approvals of this message can no longer stand: the trend closed or the campaign ended."""
    now = now or utcnow()
    if message.trend is not None and message.trend.status == TrendStatus.CLOSED:
        return "trend_closed"
    campaign = message.campaign
    if campaign.status in ENDED_CAMPAIGN_STATUSES:
        return "campaign_ended"
    if campaign.ends_on is not None:
        local = to_zone(now, campaign.organisation.time_zone) or now
        if local.date() > campaign.ends_on:
            return "campaign_ended"
    return None


def valid_approvals(version: MessageVersion, loaded: Preloaded | None = None) -> list[Approval]:
    """The standing approvals bound to exactly this version and its hash."""
    if loaded is not None and version.id in loaded.approvals:
        return list(loaded.approvals[version.id])
    return list(
        db.session.scalars(_valid_approvals_query(), {"version_id": version.id, "hash": version.content_hash})
    )


@functools.cache
def _valid_approvals_query():
    """Built once: the publisher asks before every post."""
    return (
        select(Approval)
        .where(
            Approval.version_id == bindparam("version_id"),
            Approval.content_hash == bindparam("hash"),
            Approval.revoked_at.is_(None),
        )
        .order_by(Approval.created_at)
    )


def quorum(message: Message, version: MessageVersion, loaded: Preloaded | None = None) -> Quorum:
    """Count distinct approving leads and the partner organisations still missing."""
    approvals = [a for a in valid_approvals(version, loaded) if _may_count(a, message, version)]
    approvers = {a.approver_id for a in approvals}
    missing: tuple[Organisation, ...] = ()
    if message.campaign.requires_partner_approval:
        approving_orgs = {a.organisation_id for a in approvals}
        missing = tuple(org for org in message.campaign.partners if org.id not in approving_orgs)
    required = max(1, int(current_app.config.get("COUNTERPOINT_APPROVALS_REQUIRED") or 1))
    return Quorum(approvals=len(approvers), required=required, missing_partners=missing)


def is_approved_for_publishing(
    message: Message, version: MessageVersion, *, now: datetime | None = None, loaded: Preloaded | None = None
) -> bool:
    """The single answer the publisher trusts: this exact version and text are approved and still valid.

    `loaded`: the standing approvals a page read once for all its messages (see `preload`)."""
    if MessageStatus(message.status) != MessageStatus.APPROVED or message.current_version_id != version.id:
        return False
    if version.has_errors or not version.matches_hash() or expiry_reason(message, now) is not None:
        return False
    return quorum(message, version, loaded).is_met


def review_state(message: Message) -> str:
    """The state to show people: the status, or "expired" for an approval that lapsed before scheduling."""
    status = MessageStatus(message.status)
    version = message.current_version
    if status == MessageStatus.APPROVED and (
        version is None or not is_approved_for_publishing(message, version)
    ):
        return "expired"
    return str(status)


def eligible_reviewers(message: Message) -> list[User]:
    """Active leads of the organisations taking part who may approve the current version."""
    campaign = message.campaign
    org_ids = [campaign.organisation_id, *(org.id for org in campaign.partners)]
    query = (
        select(User)
        .where(User.organisation_id.in_(org_ids), User.role == Role.LEAD, User.is_active_user.is_(True))
        .order_by(User.id)
    )
    return [user for user in db.session.scalars(query) if not _is_author(user, message)]


def approval_problems(
    message: Message,
    actor: User,
    *,
    override_reason: str = "",
    humor_acknowledged: bool = False,
    now: datetime | None = None,
    loaded: Preloaded | None = None,
) -> ReviewError | None:
    """The first reason this lead may not approve the current version now, or None."""
    version = message.current_version
    if not actor.has_role(Role.LEAD):
        return ReviewError(_("Only coalition leads approve messages."))
    if not takes_part(actor, message, loaded):
        return ReviewError(_("Your organisation does not take part in this campaign."))
    if MessageStatus.APPROVED not in _next_states(message) or version is None:
        return _refused(message, _("approved"))
    if _is_author(actor, message):
        return ReviewError(_("You wrote or started this message: another lead must approve it."))
    if not version.matches_hash():
        return ReviewError(_("This version's text no longer matches its fingerprint; it cannot be approved."))
    if version.has_errors:
        return ReviewError(_("The checks found an error in this text. It must be fixed before approval."))
    if expiry_reason(message, now):
        return ReviewError(
            _("The trend is closed or the campaign has ended: this message can't be approved.")
        )
    if any(a.approver_id == actor.id for a in valid_approvals(version, loaded)):
        return ReviewError(_("You have already approved this version."))
    if has_warnings(version) and not override_reason.strip():
        return ReviewError(
            _("The checks raised warnings: write why the text is fine as it is."), field="override_reason"
        )
    if needs_humor_acknowledgement(message) and not humor_acknowledged:
        return ReviewError(
            _(
                "Humour can misread across cultures: confirm you checked it is aimed at the "
                "idea, never at a person or group."
            ),
            field="humor_acknowledged",
        )
    return None


# --- Transitions ----------------------------------------------------------------------------------


def submit(message: Message, actor: User, *, now: datetime | None = None) -> ReviewRequest:
    """Send the current version to the leads for review."""
    version = message.current_version
    if not takes_part(actor, message):
        raise ReviewError(_("Your organisation does not take part in this campaign."))
    if MessageStatus.IN_REVIEW not in _next_states(message) or version is None:
        raise _refused(message, _("submitted for review"))
    if version.has_errors:
        raise ReviewError(_("The checks found an error in this text. Fix it before submitting."))
    if message.status == MessageStatus.CHANGES_REQUESTED and _changes_requested_on(message) == version.id:
        raise ReviewError(_("Edit the text to answer the reviewer's comment, then submit it again."))
    if expiry_reason(message, now):
        raise ReviewError(_("The trend is closed or the campaign has ended: this message can't be reviewed."))
    previous = _set_status(message, MessageStatus.IN_REVIEW)
    request = ReviewRequest(
        message=message, version=version, content_hash=version.content_hash, submitted_by=actor
    )
    db.session.add(request)
    db.session.flush()
    _audit(AuditAction.MESSAGE_SUBMITTED, message, actor, previous=previous)
    _notify_review_requested(message, actor)
    return request


def approve(
    message: Message,
    actor: User,
    *,
    override_reason: str = "",
    humor_acknowledged: bool = False,
    now: datetime | None = None,
) -> Approval:
    """Record a lead's approval of the exact current version; approve the message once the rules are met."""
    problem = approval_problems(
        message, actor, override_reason=override_reason, humor_acknowledged=humor_acknowledged, now=now
    )
    if problem is not None:
        raise problem
    version = message.current_version
    if version is None:  # approval_problems refuses a message without a version
        raise ValueError(f"message {message.id} has no version")
    approval = _approval_row(version, actor)
    approval.warning_override_reason = override_reason.strip() if has_warnings(version) else ""
    approval.humor_acknowledged = bool(humor_acknowledged)
    db.session.flush()
    standing = quorum(message, version)
    previous = str(message.status)
    if standing.is_met:
        _set_status(message, MessageStatus.APPROVED)
    _audit(
        AuditAction.MESSAGE_APPROVED,
        message,
        actor,
        previous=previous,
        approvals=standing.approvals,
        required=standing.required,
        complete=standing.is_met,
        override_reason=approval.warning_override_reason,
        humor_acknowledged=approval.humor_acknowledged,
    )
    if standing.is_met:
        _notify_decision(message, actor, "approved")
    return approval


def request_changes(message: Message, actor: User, comment: str) -> MessageComment:
    """Send the message back to its author with a required comment; partial approvals lapse."""
    return _decide(
        message,
        actor,
        comment,
        MessageStatus.CHANGES_REQUESTED,
        kind=CommentKind.CHANGES_REQUESTED,
        missing=_("Write what should change."),
        verb=_("sent back for changes"),
    )


def reject(message: Message, actor: User, reason: str) -> MessageComment:
    """Reject the message for good, with a required reason."""
    return _decide(
        message,
        actor,
        reason,
        MessageStatus.REJECTED,
        kind=CommentKind.REJECTED,
        missing=_("Write why the message is rejected."),
        verb=_("rejected"),
    )


def add_comment(message: Message, actor: User, body: str) -> MessageComment:
    """A comment on the current version, for the author and the reviewers."""
    if not takes_part(actor, message):
        raise ReviewError(_("Your organisation does not take part in this campaign."))
    if not body.strip():
        raise ReviewError(_("Write a comment first."), field="body")
    comment = _comment(message, actor, body, CommentKind.COMMENT)
    _audit(AuditAction.MESSAGE_COMMENTED, message, actor, comment=comment.id)
    _notify_comment(message, actor, comment)
    return comment


def expire_approvals(now: datetime | None = None) -> int:
    """Revoke standing approvals whose trend closed or whose campaign ended; returns how many."""
    now = now or utcnow()
    # Only messages that may have lapsed are loaded (one indexed query when none has): the trend closed,
    # the campaign ended, or its end date is past somewhere on Earth (expiry_reason decides per zone).
    query = (
        select(Message)
        .join(Approval, and_(Approval.message_id == Message.id, Approval.revoked_at.is_(None)))
        .join(Campaign, Campaign.id == Message.campaign_id)
        .outerjoin(Trend, Trend.id == Message.trend_id)
        .where(
            or_(
                Trend.status == TrendStatus.CLOSED,
                Campaign.status.in_(ENDED_CAMPAIGN_STATUSES),
                Campaign.ends_on < (now + timedelta(days=1)).date(),
            )
        )
        .distinct()
    )
    revoked = 0
    for message in db.session.scalars(query).all():
        reason = expiry_reason(message, now)
        if reason is None:
            continue
        count = revoke_approvals(message, reason=reason, actor=None)
        revoked += count
        if count and message.current_version is not None:
            _audit(AuditAction.MESSAGE_APPROVAL_EXPIRED, message, None, reason=reason)
    db.session.flush()
    return revoked


def mark_seen(message: Message, user: User) -> None:
    """Remember the version a reviewer last saw, for the diff next time."""

    if message.current_version_id is None:
        return
    seen = db.session.scalar(
        select(ReviewSeen).where(ReviewSeen.user_id == user.id, ReviewSeen.message_id == message.id)
    )
    if seen is None:
        seen = ReviewSeen(user_id=user.id, message_id=message.id, version_id=message.current_version_id)
        db.session.add(seen)
    else:
        seen.version_id = message.current_version_id
        seen.seen_at = utcnow()
    db.session.flush()


# --- Helpers --------------------------------------------------------------------------------------


def _next_states(message: Message) -> frozenset[MessageStatus]:
    return MESSAGE_TRANSITIONS[MessageStatus(message.status)]


def _refused(message: Message, action: str) -> ReviewError:
    return ReviewError(
        _(
            "A message that is %(status)s cannot be %(action)s.",
            status=status_label(str(message.status)),
            action=action,
        )
    )


def _set_status(message: Message, status: MessageStatus) -> str:
    previous = str(message.status)
    if status not in _next_states(message):
        raise _refused(message, str(status))
    message.status = status
    db.session.flush()
    return previous


def _author_ids(message: Message) -> set[int]:
    """Everyone who started the message or wrote any of its versions (four eyes: none may approve)."""
    ids = {message.created_by_id, *(v.author_id for v in message.versions)}
    return {i for i in ids if i is not None}


def _is_author(user: User, message: Message) -> bool:
    return user.id in _author_ids(message)


def _may_count(approval: Approval, message: Message, version: MessageVersion) -> bool:
    """An approval counts only if its approver is not (or no longer) an author of any version."""
    return approval.approver_id not in _author_ids(message) | {version.author_id}


def _approval_row(version: MessageVersion, actor: User) -> Approval:
    """A fresh approval, or the revoked one this lead gave the same version before, renewed."""
    approval = db.session.scalar(
        select(Approval).where(Approval.version_id == version.id, Approval.approver_id == actor.id)
    )
    if approval is None:
        approval = Approval(message_id=version.message_id, version=version, approver=actor)
        db.session.add(approval)
    approval.content_hash = version.content_hash
    approval.organisation_id = actor.organisation_id
    approval.created_at = utcnow()
    approval.revoked_at = None
    approval.revoked_reason = None
    return approval


def _changes_requested_on(message: Message) -> int | None:
    """The version the latest change request was made on."""
    return db.session.scalar(
        select(MessageComment.version_id)
        .where(MessageComment.message_id == message.id, MessageComment.kind == CommentKind.CHANGES_REQUESTED)
        .order_by(MessageComment.created_at.desc(), MessageComment.id.desc())
        .limit(1)
    )


# A lead's decision on a message, as the audit trail names it.
DECISIONS = {
    CommentKind.CHANGES_REQUESTED: AuditAction.MESSAGE_CHANGES_REQUESTED,
    CommentKind.REJECTED: AuditAction.MESSAGE_REJECTED,
}


def _decide(
    message: Message,
    actor: User,
    text: str,
    status: MessageStatus,
    *,
    kind: CommentKind,
    missing: str,
    verb: str,
) -> MessageComment:
    if not actor.has_role(Role.LEAD):
        raise ReviewError(_("Only coalition leads decide on messages."))
    if not takes_part(actor, message):
        raise ReviewError(_("Your organisation does not take part in this campaign."))
    if status not in _next_states(message) or message.current_version is None:
        raise _refused(message, verb)
    if not text.strip():
        raise ReviewError(missing, field="comment")
    previous = _set_status(message, status)
    comment = _comment(message, actor, text, kind)
    revoke_approvals(message, reason=kind, actor=actor)
    _audit(DECISIONS[kind], message, actor, previous=previous, comment=comment.id)
    _notify_decision(message, actor, kind, comment=comment)
    return comment


def _comment(message: Message, actor: User, body: str, kind: CommentKind) -> MessageComment:
    comment = MessageComment(
        message=message,
        version_id=message.current_version_id,
        author_id=actor.id,
        body=body.strip(),
        kind=kind,
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def _audit(
    action: AuditAction, message: Message, actor: User | None, *, previous: str | None = None, **extra: Any
):
    version = message.current_version
    details: dict[str, Any] = {
        "version": version.number if version else None,
        "version_id": version.id if version else None,
        "hash": version.content_hash if version else None,
        "status": str(message.status),
        **extra,
    }
    if previous is not None:
        details["from"] = previous
    return record(
        action, actor=actor, organisation=message.campaign.organisation, obj=message, details=details
    )


def status_label(state: str) -> str:
    """The words people read for a review state."""
    return state_label(state)


# --- Who hears about what -------------------------------------------------------------------------


def _message_link(message: Message) -> str:
    return link_to("review.message", message_id=message.id)


def _title(message: Message) -> str:
    text = " ".join(message.text.split())
    return text if len(text) <= 60 else text[:57] + "…"


def _people_of(message: Message) -> list[User]:
    """The creator, every version author and every submitter."""
    people: list[User | None] = [message.created_by]
    people.extend(version.author for version in message.versions)
    people.extend(
        db.session.scalars(
            select(User)
            .join(ReviewRequest, ReviewRequest.submitted_by_id == User.id)
            .where(ReviewRequest.message_id == message.id)
        )
    )
    return [person for person in people if person is not None]


def _reviewers_of(message: Message) -> list[User]:
    """Leads who approved or commented on the message."""
    commenters = select(MessageComment.author_id).where(MessageComment.message_id == message.id)
    approvers = select(Approval.approver_id).where(Approval.message_id == message.id)
    query = select(User).where(User.id.in_(commenters.union(approvers)), User.role != Role.STAFF)
    return list(db.session.scalars(query))


def _notify_review_requested(message: Message, actor: User) -> None:
    notify(
        eligible_reviewers(message),
        kind=NotificationKind.REVIEW_REQUESTED,
        params={"title": _title(message), "actor": actor.name, "campaign": message.campaign.title},
        link=_message_link(message),
        exclude=actor,
    )


def tell_reviewers_of_withdrawal(message: Message, actor: User) -> None:
    """An edit took a message out of the review queue: the leads who could review it are told."""
    notify(
        eligible_reviewers(message),
        kind=NotificationKind.REVIEW_WITHDRAWN,
        params={"title": _title(message), "actor": actor.name},
        link=_message_link(message),
        exclude=actor,
    )


def _notify_decision(message: Message, actor: User, kind: str, comment: MessageComment | None = None) -> None:
    params = {
        "title": _title(message),
        "actor": actor.name,
        "state": str(message.status),
        "comment": comment.body if comment else "",
    }
    notify(
        _people_of(message),
        kind=NotificationKind(kind),
        params=params,
        link=_message_link(message),
        exclude=actor,
    )


def _notify_comment(message: Message, actor: User, comment: MessageComment) -> None:
    recipients = [*_people_of(message), *_reviewers_of(message)]
    if message.status == MessageStatus.IN_REVIEW:
        recipients.extend(eligible_reviewers(message))
    notify(
        recipients,
        kind=NotificationKind.COMMENT,
        params={"title": _title(message), "actor": actor.name, "comment": comment.body},
        link=_message_link(message),
        exclude=actor,
    )
