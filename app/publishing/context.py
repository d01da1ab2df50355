"""Template context: the pause banner on every page, the publishing card on the dashboard."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user
from sqlalchemy import func, select

from app.extensions import db
from app.publishing.models import Post
from app.publishing.services import ATTENTION_STATUSES, is_globally_paused, partner_requests, visible_posts

DASHBOARD_CARD = "publishing/_dashboard_card.html"


def pause_banner() -> dict[str, Any]:
    """Whether the coalition-wide pause is on (base.html shows the banner)."""

    return {"publishing_paused": is_globally_paused()}


def dashboard_card() -> dict[str, Any]:
    """On the dashboard only: add the publishing card and the counts it shows."""
    if request.endpoint != "core.dashboard":
        return {}

    query = visible_posts(current_user).where(Post.status.in_(ATTENTION_STATUSES))
    counts = dict(
        db.session.execute(query.with_only_columns(Post.status, func.count()).group_by(Post.status)).all()
    )
    waiting = db.session.scalar(select(func.count()).select_from(partner_requests(current_user).subquery()))
    return {
        "dashboard_cards": [DASHBOARD_CARD],
        "publishing_attention": counts,
        "publishing_partner_waiting": waiting or 0,
    }
