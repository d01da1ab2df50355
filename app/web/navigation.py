"""The site's navigation, in one place: the entries each role sees, in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from app.accounts.models import Role, User


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any
    role: Role = Role.STAFF


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("core.dashboard", _l("Dashboard")),
    NavItem("trends.index", _l("Trends")),
    NavItem("campaigns.index", _l("Campaigns")),
    NavItem("drafting.checks_page", _l("Checks")),
    NavItem("review.queue", _l("Review"), Role.LEAD),
    NavItem("review.mine", _l("My messages"), Role.STAFF),
    NavItem("review.notifications", _l("Inbox"), Role.STAFF),
    NavItem("channels.index", _l("Channels")),
    NavItem("publishing.posts", _l("Posts")),
    NavItem("publishing.calendar", _l("Calendar")),
)
ADMIN_NAVIGATION: tuple[NavItem, ...] = (
    NavItem("admin.users", _l("Users"), Role.ADMIN),
    NavItem("admin.organisations", _l("Organisations"), Role.ADMIN),
    NavItem("audit.index", _l("Audit trail"), Role.ADMIN),
    NavItem("api_tokens.index", _l("API tokens"), Role.ADMIN),
)


def nav_items(user: User) -> list[NavItem]:
    """The main navigation entries this person's role allows."""
    return [item for item in NAVIGATION if user.has_role(item.role)]


def admin_nav_items(user: User) -> list[NavItem]:
    """The administration entries this person's role allows."""
    return [item for item in ADMIN_NAVIGATION if user.has_role(item.role)]
