"""RFC 9457 problem details: the one builder for every application/problem+json answer."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

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
