"""Template context for the dashboard's waiting-for-you card."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user

from app.common.time import utcnow
from app.dashboard.services import waiting_for

WAITING_CARD = "dashboard/_waiting.html"


def waiting_card() -> dict[str, Any]:
    """On the dashboard only: what waits for the signed-in person."""
    if request.endpoint != "core.dashboard":
        return {}
    return {"dashboard_cards": [WAITING_CARD], "waiting": waiting_for(current_user, today=utcnow().date())}
