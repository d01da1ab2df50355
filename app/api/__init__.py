"""The JSON API under /api/v1: bearer tokens, RFC 9457 problems, an OpenAPI 3.1 document.

Every operation is declared once with `app.api.contract.endpoint` and pydantic models (request
bodies, query strings, responses); the OpenAPI document is generated from those declarations.
The recipe for a new endpoint is in docs/api.md. The blueprint is CSRF-exempt (bearer tokens, no
cookies). Services get `actor=None` and `organisation=current_api_org()`; audit details say the API.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def init_app(app: Flask) -> None:
    """Problem handlers, the token CLI, the token admin page and its navigation entry."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.api.admin import admin_bp
    from app.api.cli import api_token_cli
    from app.api.problems import register_problem_handlers
    from app.core.templating import ADMIN_NAVIGATION, NavItem

    register_problem_handlers(app)
    app.cli.add_command(api_token_cli)
    app.register_blueprint(admin_bp)
    if not any(item.endpoint == "api_tokens.index" for item in ADMIN_NAVIGATION):
        ADMIN_NAVIGATION.append(NavItem("api_tokens.index", _l("API tokens"), Role.ADMIN))
