"""Moving a queued post to another slot from the calendar, under the channel's windows, spacing and cap."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import gettext as _

from app.accounts.models import Role, User
from app.audit.services import record
from app.common.audit_actions import AuditAction
from app.common.time import utcnow
from app.publishing.models import Post, PostStatus
from app.publishing.services import PublishingError, _slot, was_never_sent


def can_move(user: User, post: Post) -> bool:
    """Leads of the channel's organisation move their own queue's posts that were never sent."""
    return mover(user)(post.channel.organisation_id, post.status, post.attempt_count)


def mover(user: User) -> Callable[[int, str, int | None], bool]:
    """can_move for many posts of one person (a calendar page), from the post's channel's organisation,
    status and attempts: the person is read once, not once per post."""
    if not user.has_role(Role.LEAD):
        return lambda _organisation_id, _status, _attempts: False
    organisation_id = user.organisation_id
    return lambda channel_organisation_id, status, attempts: (
        channel_organisation_id == organisation_id and status == PostStatus.QUEUED and not attempts
    )


def move_post(post: Post, *, actor: User, at: datetime, now: datetime | None = None) -> None:
    """Give a queued, never-sent post a new slot, if the channel's rules allow that time."""
    now = now or utcnow()
    if not can_move(actor, post) or not was_never_sent(post):
        raise PublishingError(
            _("Only a queued post that was never sent can be moved, by a lead of its channel.")
        )
    if at < now + timedelta(minutes=1):
        raise PublishingError(_("Choose a time in the future."))
    previous = post.scheduled_at
    post.scheduled_at = _slot(post.channel, at=at, now=now, exclude=[post.id])
    post.lateness_confirmed = False
    record(
        AuditAction.POST_MOVED,
        actor=actor,
        obj=post,
        details={"from": previous.isoformat(), "scheduled_at": post.scheduled_at.isoformat()},
    )
