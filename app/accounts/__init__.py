"""Organisations, people, roles and signing in."""

from flask import Blueprint, Flask

bp = Blueprint("accounts", __name__)


def init_app(app: Flask) -> None:
    from app.accounts.guard import enforce_mfa_requirement

    if enforce_mfa_requirement not in app.before_request_funcs.get(None, []):
        app.before_request(enforce_mfa_requirement)
