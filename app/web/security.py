"""Security headers and session timeouts applied to every request."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def apply_security_headers(response):
    """Add CSP, anti-framing, nosniff and referrer headers."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def enforce_idle_timeout():
    """Sign out a session left idle longer than SESSION_IDLE_MINUTES."""
    if request.endpoint in {"static", "core.healthz"} or not current_user.is_authenticated:
        return None
    now = time.time()
    last_seen = session.get("last_seen", now)
    if now - last_seen > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        logout_user()
        session.clear()
        flash(_("You were signed out after a period of inactivity."), "info")
        return redirect(
            url_for("accounts.login", next=request.full_path if request.method == "GET" else None)
        )
    session["last_seen"] = now
    return None
