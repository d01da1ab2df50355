"""The OpenAPI 3.1 document, built from what each API module registers.

Register at import time of your API module, next to the view:

    openapi.schema("Campaign", {"type": "object", "properties": {...}, "required": [...]})
    openapi.operation("/campaigns/{id}", "get", summary="One campaign", tag="campaigns",
                      parameters=[openapi.path_id()], responses={200: "Campaign", 404: None})

Response values: a schema name (→ application/json `$ref`), a schema dict, or None (→ the
Problem schema for 4xx/5xx, no body otherwise). `paginated=True` wraps a 200 schema name in the
page envelope `{items, page, per_page, total}` and adds the `page`/`per_page` query parameters.
Every secured operation answers 401 with a Problem; that response is added for you.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

OPENAPI_VERSION = "3.1.0"
_SCHEMAS: dict[str, dict[str, Any]] = {}
_PATHS: dict[str, dict[str, Any]] = {}

_PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
_REASONS = {
    200: "OK",
    201: "Created",
    204: "No content",
    400: "Bad request",
    401: "Missing or invalid token",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "Too large",
    415: "Not JSON",
    422: "Invalid fields",
    429: "Too many requests",
}


def schema(name: str, definition: dict[str, Any]) -> None:
    """Register (or replace) a component schema."""
    _SCHEMAS[name] = definition


def ref(name: str) -> dict[str, str]:
    """A JSON reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def path_id(name: str = "id", description: str = "Identifier") -> dict[str, Any]:
    """An integer path parameter."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "integer", "minimum": 1},
    }


def query(name: str, description: str, schema_: dict[str, Any] | None = None) -> dict[str, Any]:
    """An optional query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema_ or {"type": "string"},
    }


PAGE_PARAMETERS = [
    query("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "default": 1}),
    query(
        "per_page",
        "Items per page (1–100).",
        {"type": "integer", "minimum": 1, "maximum": 100, "default": 25},
    ),
]


def _response(status: int, body: Any, paginated: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"description": _REASONS.get(status, "Response")}
    if body is None and status >= 400:
        out["content"] = {"application/problem+json": {"schema": ref("Problem")}}
    elif isinstance(body, str):
        item: dict[str, Any] = ref(body)
        if paginated and status == 200:
            item = {
                "type": "object",
                "required": ["items", "page", "per_page", "total"],
                "properties": {
                    "items": {"type": "array", "items": ref(body)},
                    "page": {"type": "integer"},
                    "per_page": {"type": "integer"},
                    "total": {"type": "integer"},
                },
            }
        out["content"] = {"application/json": {"schema": item}}
    elif isinstance(body, dict):
        out["content"] = {"application/json": {"schema": body}}
    return out


def operation(
    path: str,
    method: str,
    *,
    summary: str,
    tag: str,
    responses: dict[int, Any],
    parameters: list[dict[str, Any]] | None = None,
    request_body: str | dict | None = None,
    paginated: bool = False,
    secured: bool = True,
    description: str | None = None,
) -> None:
    """Register one operation (path relative to /api/v1, e.g. "/trends/{id}")."""
    params = list(parameters or [])
    if paginated:
        params.extend(PAGE_PARAMETERS)
    op: dict[str, Any] = {
        "summary": summary,
        "tags": [tag],
        "operationId": f"{method.lower()}_{path.strip('/').replace('/', '_')}".replace("{", "").replace(
            "}", ""
        ),
    }
    if description:
        op["description"] = description
    if params:
        op["parameters"] = params
    if request_body is not None:
        body_schema = ref(request_body) if isinstance(request_body, str) else request_body
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body_schema}}}
    all_responses = dict(responses)
    if secured:
        all_responses.setdefault(401, None)
        op["security"] = [{"bearerAuth": []}]
    else:
        op["security"] = []
    op["responses"] = {
        str(code): _response(code, body, paginated) for code, body in sorted(all_responses.items())
    }
    _PATHS.setdefault(path, {})[method.lower()] = op


def document(server_url: str = "/api/v1") -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    schemas = {"Problem": _PROBLEM, **deepcopy(_SCHEMAS)}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Counterpoint API",
            "version": "1",
            "description": "Per-organisation bearer tokens; errors are RFC 9457 problem details.",
        },
        "servers": [{"url": server_url}],
        "paths": deepcopy(_PATHS),
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
