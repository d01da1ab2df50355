"""Review and approval: the review queue, decisions bound to a version's hash, notifications."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("review", __name__)


def init_app(app: Flask) -> None:
    """Navigation entries, the unread count for the layout, and the approval-expiry tick."""
    from app.accounts.models import Role
    from app.core.templating import CONTEXT_PROVIDERS, NAVIGATION, NavItem
    from app.publishing.worker import TICK_TASKS

    entries = (
        NavItem("review.queue", _l("Review"), Role.LEAD),
        NavItem("review.mine", _l("My messages"), Role.STAFF),
        NavItem("review.notifications", _l("Inbox"), Role.STAFF),
    )
    for entry in entries:
        if all(item.endpoint != entry.endpoint for item in NAVIGATION):
            NAVIGATION.append(entry)
    if unread_notifications not in CONTEXT_PROVIDERS:
        CONTEXT_PROVIDERS.append(unread_notifications)
    if expire_approvals_tick not in TICK_TASKS:
        TICK_TASKS.append(expire_approvals_tick)
    from app import demo
    from app.review.demo import seed_demo_approval

    if seed_demo_approval not in demo.FEATURE_SEEDERS:
        demo.FEATURE_SEEDERS.append(seed_demo_approval)


def unread_notifications() -> dict[str, Any]:
    """The signed-in person's unread notification count, for the navigation."""
    from flask_login import current_user

    from app.review.notifications import unread_count

    return {"unread_notifications": unread_count(current_user)}


def expire_approvals_tick() -> int:
    """Worker task: revoke approvals whose trend closed or campaign ended, and commit."""
    from app.extensions import db
    from app.review.services import expire_approvals

    count = expire_approvals()
    db.session.commit()
    return count
