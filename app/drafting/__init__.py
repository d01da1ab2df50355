"""Messages, versions and the editor; do-no-harm checks; the drafter (model or offline)."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("drafting", __name__)


def init_app(app: Flask) -> None:
    """Add the checks page to the navigation, once."""
    from app.core.templating import NAVIGATION, NavItem

    if not any(item.endpoint == "drafting.checks_page" for item in NAVIGATION):
        NAVIGATION.append(NavItem("drafting.checks_page", _l("Checks")))
