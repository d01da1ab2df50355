"""The JSON API under /api/v1: bearer tokens, RFC 9457 problems, an OpenAPI 3.1 document.

Every operation is declared once with `app.api.contract.endpoint` and pydantic models (request
bodies, query strings, responses); the OpenAPI document is generated from those declarations.
The recipe for a new endpoint is in docs/api.md. The blueprint is CSRF-exempt (bearer tokens, no
cookies). Services get `actor=None` and `organisation=current_api_org()`; audit details say the API.
"""

from __future__ import annotations

from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
