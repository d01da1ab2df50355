"""Campaigns against trends."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


def init_app(app: Flask) -> None:
    """Add the navigation entry and the demo seeder, once."""
    from app import demo
    from app.campaigns.demo import seed_demo_campaign
    from app.core.templating import NAVIGATION, NavItem

    if not any(item.endpoint == "campaigns.index" for item in NAVIGATION):
        NAVIGATION.append(NavItem("campaigns.index", _l("Campaigns")))
    if seed_demo_campaign not in demo.FEATURE_SEEDERS:
        demo.FEATURE_SEEDERS.append(seed_demo_campaign)
