"""The JSON API under /api/v1: bearer tokens, RFC 9457 problems, an OpenAPI 3.1 document.

How to add endpoints:
- Put them in a module of this package using this blueprint, and import that module in
  `app/api/views.py` (the factory registers the blueprint after importing `app.api.views`).
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

from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
