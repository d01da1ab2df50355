"""Template context from review: the unread notification count in the navigation."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from app.notifications import unread_count


def unread_notifications() -> dict[str, Any]:
    """The signed-in person's unread notification count, for the navigation."""
    return {"unread_notifications": unread_count(current_user)}
