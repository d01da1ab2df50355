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
    for task in (dispatch.sweep_task, dispatch.release_holds_task, dispatch.dispatch_task):
        if task not in worker.TICK_TASKS:
            worker.TICK_TASKS.append(task)
    if dispatch.oldest_overdue not in health.OVERDUE_PROBES:
        health.OVERDUE_PROBES.append(dispatch.oldest_overdue)
    if seed.seed_publishing_demo not in demo.FEATURE_SEEDERS:
        demo.FEATURE_SEEDERS.append(seed.seed_publishing_demo)
    app.jinja_env.filters.setdefault("localtime", localtime)
    if app.config.get("COUNTERPOINT_ENV") != "production":
        devsink.register(app)
