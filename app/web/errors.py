"""Error pages that never show a stack trace; JSON problem details under /api/."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.accounts.forms import LoginForm
from app.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _problem(status: int, title: str, detail: str | None = None):
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def register_error_pages(app: Flask) -> None:
    """Render 4xx/5xx as friendly pages (or problem details for the API)."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = _("The form expired or was sent from elsewhere. Reload the page and try again.")
        if _wants_json():
            return _problem(400, "Bad Request", message)
        return render_template("errors/error.html", code=400, title=_("Form expired"), message=message), 400

    @app.errorhandler(429)
    def too_many(error: HTTPException):
        message = _("Too many attempts. Wait a few minutes before trying again.")
        if _wants_json():
            return _problem(429, "Too Many Requests", message)
        if request.endpoint == "accounts.login":
            form = LoginForm()
            return render_template("accounts/login.html", form=form, throttled=message), 429
        return render_template("errors/error.html", code=429, title=_("Slow down"), message=message), 429

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _wants_json():
            return _problem(error.code or 500, error.name, error.description)
        titles = {403: _("Not allowed"), 404: _("Page not found"), 413: _("File too large")}
        messages = {
            403: _("Your role or organisation does not give access to this page."),
            404: _("This page does not exist, or you do not have access to it."),
            413: _(
                "The upload is larger than %(mb)d MB. Split the file into smaller parts and try again.",
                mb=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
            ),
        }
        code = error.code or 500
        return render_template(
            "errors/error.html",
            code=code,
            title=titles.get(code, error.name),
            message=messages.get(code, error.description),
        ), code

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s", request.path)
        if _wants_json():
            return _problem(500, "Internal Server Error")
        return render_template(
            "errors/error.html",
            code=500,
            title=_("Something went wrong"),
            message=_("The error was logged. Nothing you typed was saved twice; go back and try again."),
        ), 500
