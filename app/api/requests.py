"""Reading JSON request bodies for API views."""

from __future__ import annotations

from typing import Any

from flask import request

from app.api.problems import ApiProblem


def json_object() -> dict[str, Any]:
    """The request body as a JSON object, or a 415/400 problem saying what is wrong."""
    if not request.is_json:
        raise ApiProblem(
            415, "Unsupported Media Type", "Send a JSON body with 'Content-Type: application/json'."
        )
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiProblem(400, "Bad Request", "The body must be a JSON object.")
    return body
