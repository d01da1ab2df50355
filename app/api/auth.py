"""Bearer-token authentication for API views.

    @bp.route("/things")
    @token_required
    def things():
        org = current_api_org()   # the token's organisation: show only what it may see

No, wrong or revoked token → 401 problem with `WWW-Authenticate: Bearer`. Last use is recorded
(at most once a minute per token, committed on its own so read-only requests record it too).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import g, request

from app.accounts.models import Organisation
from app.api.models import ApiToken
from app.api.problems import ApiProblem
from app.api.tokens import find_active_token
from app.common.time import as_utc, utcnow
from app.extensions import db

LAST_USED_RESOLUTION = timedelta(minutes=1)


def _unauthorised(detail: str, error: str = "invalid_token") -> ApiProblem:
    header = f'Bearer realm="counterpoint", error="{error}"' if error else 'Bearer realm="counterpoint"'
    return ApiProblem(401, "Unauthorized", detail, headers={"WWW-Authenticate": header})


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate_request() -> ApiToken:
    """The request's valid token, or raise a 401 problem."""
    clear = _bearer()
    if clear is None:
        raise _unauthorised("Send an API token as 'Authorization: Bearer <token>'.", error="")
    token = find_active_token(clear)
    if token is None:
        raise _unauthorised("The API token is unknown or has been revoked.")
    now = utcnow()
    last = as_utc(token.last_used_at)
    if last is None or now - last >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return token


def token_required(view: Callable) -> Callable:
    """Let only requests with a valid bearer token through."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        g.api_token = authenticate_request()
        return view(*args, **kwargs)

    return wrapped


def current_api_token() -> ApiToken:
    """The token of the current API request."""
    return g.api_token


def current_api_org() -> Organisation:
    """The organisation the current API request acts for."""
    return g.api_token.organisation
