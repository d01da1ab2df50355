"""Refuse hostile form input before any work: over-long fields, NUL bytes and broken characters.

Every web form field is capped (COUNTERPOINT_FORM_FIELD_MAX_CHARS, far above the longest field a
form accepts) so no view, check or database call ever sees a 100,000-character value; PostgreSQL
refuses NUL bytes and lone surrogates cannot be encoded, so both are answered with a clear 400.
The JSON API validates its own bodies.
"""

from __future__ import annotations

import re

from flask import current_app, render_template, request
from flask_babel import gettext as _

# NUL (PostgreSQL refuses it in text) and lone surrogates (they cannot be encoded for storage).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def guard_form_input():
    """A before_request hook: None to go on, or an error page."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.path.startswith("/api/"):
        return None
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return None
    limit = current_app.config["COUNTERPOINT_FORM_FIELD_MAX_CHARS"]
    for name, value in request.form.items(multi=True):
        if len(value) > limit or len(name) > 200:
            return _refuse(
                413,
                _("A field is longer than %(n)d characters. Shorten it and send the form again.", n=limit),
            )
        if _UNSTORABLE.search(value) or _UNSTORABLE.search(name):
            return _refuse(
                400,
                _(
                    "The form contains a character that cannot be stored (a NUL byte or a broken "
                    "character). Remove it and send the form again."
                ),
            )
    return None


def _refuse(code: int, message: str):
    title = _("Too long") if code == 413 else _("Unusable characters")
    return render_template("errors/error.html", code=code, title=title, message=message), code
