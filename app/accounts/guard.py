"""Leads and admins set up two-step sign-in before anything else when the deployment requires it."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import current_user

from app.accounts.services import mfa_required

# Pages a person without the required second factor may still open.
ALLOWED_ENDPOINTS = frozenset(
    {
        "static",
        "core.healthz",
        "accounts.logout",
        "accounts.set_language",
        "accounts.mfa",
        "accounts.mfa_confirm",
    }
)


def enforce_mfa_requirement():
    """Send a lead or admin without MFA to its setup page (the API authenticates by token instead)."""
    if request.endpoint in ALLOWED_ENDPOINTS or request.blueprint == "api":
        return None
    if not current_user.is_authenticated or current_user.mfa_enabled or not mfa_required(current_user):
        return None
    return redirect(url_for("accounts.mfa"))
