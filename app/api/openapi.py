"""The OpenAPI 3.1 document, generated from the routed API views and their pydantic models.

Each view registered with `app.api.contract.endpoint` carries its `Operation`; this module walks the
app's URL map, so every route is documented and every schema comes from the model that validates or
shapes the data. Nothing here is written by hand except the envelope.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from app.api.contract import Operation
from app.api.fields import Query
from app.api.problems import Problem
from app.common import limits

OPENAPI_VERSION = "3.1.0"
PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
REASONS = {
    200: "OK",
    201: "Created",
    204: "No content",
    400: "Bad request (not JSON, or not an object)",
    401: "Missing or invalid token",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "Content too large",
    415: "Not JSON",
    422: "Invalid fields (each named in `errors`)",
    429: "Too many requests",
    502: "Bad gateway",
    503: "Service unavailable",
}
PATH_ID = {"type": "integer", "minimum": 1, "maximum": limits.DB_INT_MAX}


def document(app: Flask, server_url: str = PREFIX) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document for `app` (built once per app)."""
    cached = app.extensions.get("api_openapi")
    if cached is None:
        cached = app.extensions["api_openapi"] = _build(app)
    return {**cached, "servers": [{"url": server_url}]}


def operations(app: Flask) -> list[tuple[str, Operation]]:
    """(OpenAPI path, operation) for every API view, in URL-map order."""
    found = []
    for rule in app.url_map.iter_rules():
        operation = getattr(app.view_functions.get(rule.endpoint), "api_operation", None)
        if operation is not None:
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule.removeprefix(PREFIX))
            found.append((path, operation))
    return found


def _build(app: Flask) -> dict[str, Any]:
    ops = operations(app)
    models = _models(ops)
    refs, top = models_json_schema(models, ref_template=REF)
    schemas = top.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for path, operation in ops:
        paths.setdefault(path, {})[operation.method.lower()] = _operation(path, operation, refs, schemas)
    for model, mode in models:
        if mode == "validation" and _is_query(model):
            schemas.pop(model.__name__, None)  # described as parameters, not a body
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Counterpoint API",
            "version": "1",
            "description": "Per-organisation bearer tokens; errors are RFC 9457 problem details.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


def _is_query(model: Any) -> bool:
    return isinstance(model, type) and issubclass(model, Query)


def _models(ops: list[tuple[str, Operation]]) -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {(Problem, "serialization"): None}
    for _, operation in ops:
        for model in (operation.body, operation.query):
            if model is not None:
                wanted[(model, "validation")] = None
        for body in operation.responses.values():
            if isinstance(body, type) and issubclass(body, BaseModel):
                wanted[(body, "serialization")] = None
    return list(wanted)


def _operation(path: str, operation: Operation, refs: dict, schemas: dict) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": operation.summary,
        "tags": [operation.tag],
        "operationId": _operation_id(path, operation.method),
        "security": [{"bearerAuth": []}] if operation.secured else [],
    }
    if operation.description:
        op["description"] = operation.description
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": PATH_ID}
        for name in re.findall(r"\{(\w+)\}", path)
    ]
    if operation.query is not None:
        parameters.extend(_query_parameters(schemas[operation.query.__name__]))
    if parameters:
        op["parameters"] = parameters
    if operation.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(operation.body, "validation")]}},
        }
    responses = dict(operation.responses)
    if operation.body is not None:
        for status in (400, 413, 415, 422):
            responses.setdefault(status, None)
    if operation.query is not None:
        responses.setdefault(422, None)
    if operation.secured:
        responses.setdefault(401, None)
    op["responses"] = {
        str(status): _response(status, body, refs) for status, body in sorted(responses.items())
    }
    return op


def _operation_id(path: str, method: str) -> str:
    return f"{method.lower()}_{path.strip('/').replace('/', '_')}".replace("{", "").replace("}", "")


def _query_parameters(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = {k: v for k, v in prop.items() if k not in ("title", "description")}
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        description = schema["properties"][name].get("description")
        if description:
            param["description"] = description
        out.append(param)
    return out


def _response(status: int, body: Any, refs: dict) -> dict[str, Any]:
    out: dict[str, Any] = {"description": REASONS.get(status, "Response")}
    if body is None and status >= 400:
        out["content"] = {"application/problem+json": {"schema": refs[(Problem, "serialization")]}}
    elif isinstance(body, type) and issubclass(body, BaseModel):
        out["content"] = {"application/json": {"schema": refs[(body, "serialization")]}}
    elif isinstance(body, dict):
        out["content"] = {"application/json": {"schema": body}}
    return out
