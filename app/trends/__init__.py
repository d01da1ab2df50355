"""Hate-speech trends: record, import, follow."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("trends", __name__, url_prefix="/trends")


def init_app(app: Flask) -> None:
    """CLI, navigation entry and demo seeder, once."""
    from app import demo
    from app.core.templating import NAVIGATION, NavItem
    from app.trends.cli import trends_cli
    from app.trends.demo import seed_demo_trends

    app.cli.add_command(trends_cli)
    if not any(item.endpoint == "trends.index" for item in NAVIGATION):
        NAVIGATION.append(NavItem("trends.index", _l("Trends")))
    if seed_demo_trends not in demo.FEATURE_SEEDERS:
        demo.FEATURE_SEEDERS.append(seed_demo_trends)
