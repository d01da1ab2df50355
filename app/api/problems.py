"""RFC 9457 problem details: every error under /api/ answers application/problem+json.

Raise `ApiProblem(status, title, detail)` or `ValidationProblem(errors)` from an API view; the
handlers registered by `register_problem_handlers` turn them into problem documents. HTTP errors
(404, 405, …) under /api/ are already rendered as problems by `app.web.errors`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify

PROBLEM_MIME = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Build a problem+json response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_MIME
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class ApiProblem(Exception):
    """An error an API view raises; rendered as a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail = status, title, detail
        self.errors, self.headers = errors, headers

    def response(self) -> Response:
        return problem(self.status, self.title, self.detail, self.errors, self.headers)


class ValidationProblem(ApiProblem):
    """422 naming each bad field: `errors: [{field, message}]`."""

    def __init__(
        self,
        errors: list[dict[str, str]] | dict[str, str],
        detail: str = "The request body has invalid fields.",
    ) -> None:
        if isinstance(errors, dict):
            errors = [{"field": field, "message": message} for field, message in errors.items()]
        super().__init__(422, "Unprocessable Content", detail, errors=errors)


def register_problem_handlers(app: Flask) -> None:
    """Render ApiProblem (and subclasses) raised anywhere as problem documents."""
    app.register_error_handler(ApiProblem, lambda error: error.response())
