"""The JSON API under /api/v1: bearer tokens, RFC 9457 problems, an OpenAPI 3.1 document.

How to add endpoints (for every feature):
- Put them in `app/<feature>/api.py` using this blueprint. Do NOT import it from your package's
  `__init__.py`: the app factory imports every feature's `views.py` and `api.py` before it registers
  blueprints (see ROUTE_MODULES in app/__init__.py), and FEATURES lists `app.api` last-but-two so
  every feature's `api.py` is imported before this blueprint is registered.
- `from app.api import bp, openapi`; `from app.api.auth import token_required, current_api_org`;
  decorate views with `@bp.route(...)` then `@token_required`; scope every query to
  `current_api_org()` (another organisation's private object → 404 problem).
- Errors: `raise ValidationProblem({"field": "message"})` (422, `errors: [{field, message}]`),
  `raise ApiProblem(status, title, detail)`, or `abort(404)` (core renders HTTP errors under /api/ as
  problems). Bodies: `app.api.requests.json_object()`.
- Lists: `app.api.pagination.paginated_response(select(...), serialize)`.
- Describe each operation with `openapi.schema(...)` / `openapi.operation(...)` at import time;
  tests validate real responses against `/api/v1/openapi.json`.
- The blueprint is CSRF-exempt (bearer tokens, no cookies). Services get `actor=None` and
  `organisation=current_api_org()`; audit details should say `"via": "api"`.
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
