"""Publishing: scheduling, the calendar, dispatch of due posts, outcomes and pauses."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("publishing", __name__, url_prefix="/publishing")


def localtime(value: datetime | None, zone: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a stored UTC time in a time zone (template filter)."""
    from app.common.time import to_zone

    local = to_zone(value, zone)
    return local.strftime(fmt) if local else "—"


def post_status_label(status: str) -> str:
    """A post status in the reader's language; the labels are translated once per request."""
    from flask import g
    from flask_babel import gettext as _

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


def init_app(app: Flask) -> None:
    """Navigation, banner and dashboard providers, worker tasks, health probe, demo seeder, dev sink."""
    from app import demo
    from app.core import health, templating
    from app.publishing import context, devsink, dispatch, seed, worker

    for endpoint, label in (("publishing.posts", _l("Posts")), ("publishing.calendar", _l("Calendar"))):
        if not any(item.endpoint == endpoint for item in templating.NAVIGATION):
            templating.NAVIGATION.append(templating.NavItem(endpoint, label))
    for provider in (context.pause_banner, context.dashboard_card):
        if provider not in templating.CONTEXT_PROVIDERS:
            templating.CONTEXT_PROVIDERS.append(provider)
    for task in (dispatch.sweep_task, dispatch.dispatch_task):
        if task not in worker.TICK_TASKS:
            worker.TICK_TASKS.append(task)
    if dispatch.oldest_overdue not in health.OVERDUE_PROBES:
        health.OVERDUE_PROBES.append(dispatch.oldest_overdue)
    if seed.seed_publishing_demo not in demo.FEATURE_SEEDERS:
        demo.FEATURE_SEEDERS.append(seed.seed_publishing_demo)
    app.jinja_env.filters.setdefault("localtime", localtime)
    app.jinja_env.globals.setdefault("post_status_label", post_status_label)
    if app.config.get("COUNTERPOINT_ENV") != "production":
        devsink.register(app)
