"""Values every template sees: navigation by role, languages, banners, dashboard cards."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_login import current_user

from app.publishing.context import dashboard_card, pause_banner
from app.review.context import unread_notifications
from app.web.navigation import admin_nav_items, nav_items
from app.web.waiting import waiting_card


def template_context() -> dict[str, Any]:
    """The layout's context: language always; navigation, banners and cards for signed-in people."""
    context: dict[str, Any] = {"current_locale": str(get_locale() or "en")}
    if current_user.is_authenticated:
        context["nav_items"] = nav_items(current_user)
        context["admin_nav_items"] = admin_nav_items(current_user)
        context.update(unread_notifications())
        context.update(pause_banner())
        context.update(dashboard_card())
        context.update(waiting_card())
    return context
