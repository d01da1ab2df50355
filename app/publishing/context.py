"""Template context: the pause banner on every page, the publishing card on the dashboard."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from app.extensions import db
from app.publishing.models import Post, PostStatus
from app.publishing.services import ATTENTION_STATUSES, is_globally_paused, partner_requests, post_visibility

DASHBOARD_CARD = "publishing/_dashboard_card.html"


def pause_banner() -> dict[str, Any]:
    """Whether the coalition-wide pause is on (base.html shows the banner)."""

    return {"publishing_paused": is_globally_paused()}


def dashboard_card() -> dict[str, Any]:
    """On the dashboard only: add the publishing card and the counts it shows."""
    if request.endpoint != "core.dashboard":
        return {}
    counts = attention_counts(current_user.organisation_id)
    waiting = db.session.scalar(select(func.count()).select_from(partner_requests(current_user).subquery()))
    return {
        "dashboard_cards": [DASHBOARD_CARD],
        "publishing_attention": counts,
        "publishing_partner_waiting": waiting or 0,
    }


def attention_counts(organisation_id: int) -> dict[str, int]:
    """Visible posts that need a hand, by status; counted once per request (two dashboard cards read it)."""
    memo = g.setdefault("_attention_counts", {})
    if organisation_id not in memo:
        query = (
            select(Post.status, func.count())
            .where(post_visibility(organisation_id), Post.status.in_(ATTENTION_STATUSES))
            .group_by(Post.status)
        )
        memo[organisation_id] = {str(status): count for status, count in db.session.execute(query).all()}
    return memo[organisation_id]


def post_status_label(status: str) -> str:
    """A post status in the reader's language (template global); the labels are built once per request."""
    labels = g.get("_post_status_labels")
    if labels is None:
        labels = g._post_status_labels = {
            "awaiting_partner": _("awaiting partner"),
            "queued": _("queued"),
            "sending": _("sending"),
            "posted": _("posted"),
            "unknown_outcome": _("outcome unknown"),
            "failed": _("failed"),
            "missed": _("missed"),
            "held": _("held"),
            "cancelled": _("cancelled"),
        }
    return labels.get(str(status), str(status))


# The colour of each post status's badge; the others are plain.
BADGE_CLASSES = {
    "posted": "badge-success",
    "failed": "badge-error",
    "unknown_outcome": "badge-error",
    "held": "badge-warning",
    "missed": "badge-warning",
    "awaiting_partner": "badge-warning",
}


def post_status_badge(status: str) -> Markup:
    """A post status as a coloured badge in the reader's language (template global)."""
    return post_status_badges()[str(status)]


def post_status_badges() -> dict[str, Markup]:
    """Every post status's badge, built once per request: a calendar month shows 168 posts, and looks
    each one up in this mapping rather than calling a function per post."""
    badges = g.get("_post_status_badges")
    if badges is None:
        badges = g._post_status_badges = {
            status.value: Markup('<span class="badge {}">{}</span>').format(
                BADGE_CLASSES.get(status.value, ""), post_status_label(status.value)
            )
            for status in PostStatus
        }
    return badges
