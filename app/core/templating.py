"""Values every template sees: navigation by role, languages, banners."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any
    role: Role = Role.STAFF


# Features append their entries; the layout shows the ones the person's role allows.
NAVIGATION: list[NavItem] = [NavItem("core.dashboard", _l("Dashboard"))]
ADMIN_NAVIGATION: list[NavItem] = [
    NavItem("admin.users", _l("Users"), Role.ADMIN),
    NavItem("admin.organisations", _l("Organisations"), Role.ADMIN),
    NavItem("audit.index", _l("Audit trail"), Role.ADMIN),
]
# Features add functions returning extra context (banners, unread counts) for signed-in people;
# a "dashboard_cards" list from each is collected rather than overwritten.
CONTEXT_PROVIDERS: list[Callable[[], dict[str, Any]]] = []


def template_context() -> dict[str, Any]:
    context: dict[str, Any] = {
        "current_locale": str(get_locale() or "en"),
        "url_endpoints": current_app.view_functions,
    }
    if current_user.is_authenticated:
        context["nav_items"] = [item for item in NAVIGATION if current_user.has_role(item.role)]
        context["admin_nav_items"] = [item for item in ADMIN_NAVIGATION if current_user.has_role(item.role)]
        cards: list[str] = []
        for provider in CONTEXT_PROVIDERS:
            extra = provider()
            cards += extra.pop("dashboard_cards", [])  # several features add cards: collect, never overwrite
            context.update(extra)
        context["dashboard_cards"] = cards
    return context


def translated(text: str) -> str:
    """Translate a message computed elsewhere (check findings are English msgids) at display time."""
    return gettext(text)
