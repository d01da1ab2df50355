"""One decorator per API operation: route, bearer token, validated input, shaped output, documentation.

    @endpoint("/campaigns/<int:id>", "GET", summary="One campaign", tag="campaigns",
              responses={200: CampaignOut, 404: None})
    def get_campaign(id: int) -> CampaignOut: ...

`body=` (a `Body` model) and `query=` (a `Query` model) are validated before the view runs and passed
as the `body` and `query` arguments; a failure is a 400/413/415/422 problem naming each bad field.
With `load=`, a function of the path arguments that returns the object they name (or raises 404/403)
runs before the body is read, and the view receives that object instead of the path arguments: a
stranger learns nothing from validation errors. The view returns a response model (status 200), `(model, status)` or `(model, status, headers)`, or a
ready `Response` (pagination). `None` in `responses` means a problem document. `app.api.openapi`
builds /api/v1/openapi.json from these declarations, so the document cannot drift from the code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, wraps
from typing import Any

from flask import Response, current_app, g, jsonify, request
from pydantic import BaseModel, RootModel, TypeAdapter, ValidationError

from app.api import bp
from app.api.auth import authenticate_request
from app.api.problems import ApiProblem, ValidationProblem
from app.common import limits

MAX_BODY_BYTES = 1024 * 1024  # the largest valid body (a trend with every list full) is about 150 kB

# Messages for people instead of pydantic's defaults (a pattern is a hint, not a regular expression).
PATTERN_HINTS = {
    limits.NO_NUL: "Must not contain NUL characters.",
    limits.NOT_BLANK: "Must not be blank or contain NUL characters.",
    limits.LANGUAGE_TAG_INPUT: "Use BCP 47 language tags such as en, fr or fr-BE.",
    limits.REGION_CODE_INPUT: "Use ISO 3166 codes such as FR or BE.",
    limits.TARGET_GROUP_INPUT: "Use group names such as MIGRANTS or LGBT+.",
    limits.PLATFORM_KEY_INPUT: "Use platform keys such as x, mastodon, telegram.",
    limits.HASHTAG_INPUT: "A hashtag is one word, with or without #.",
    limits.HTTP_URL_INPUT: "Use an http(s) link.",
    limits.ORG_SLUG: "Use an organisation's slug, e.g. my-ngo.",
}
MESSAGES = {
    "missing": "Required.",
    "extra_forbidden": "Unknown field.",
    "string_unicode": "Must be valid Unicode text (no lone surrogates).",
    "int_type": "Must be a whole number.",
    "int_parsing": "Must be a whole number.",
    "string_type": "Must be a string.",
    "bool_type": "Must be true or false.",
    "list_type": "Must be a list.",
}


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says about one view."""

    method: str
    summary: str
    tag: str
    responses: dict[int, Any]
    body: Any = None
    query: type[BaseModel] | None = None
    secured: bool = True
    description: str | None = None
    extra_parameters: list[dict[str, Any]] = field(default_factory=list)


def endpoint(
    rule: str,
    method: str = "GET",
    *,
    summary: str,
    tag: str,
    responses: dict[int, Any],
    body: Any = None,
    query: type[BaseModel] | None = None,
    load: Callable[..., Any] | None = None,
    secured: bool = True,
    description: str | None = None,
) -> Callable[[Callable], Callable]:
    """Register an API view on the blueprint with its contract."""
    operation = Operation(method.upper(), summary, tag, responses, body, query, secured, description)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(**path_args: Any) -> Any:
            if operation.secured:
                g.api_token = authenticate_request()
            args: tuple[Any, ...] = (load(**path_args),) if load is not None else ()
            kwargs: dict[str, Any] = {} if load is not None else path_args
            if operation.query is not None:
                kwargs["query"] = parse_query(operation.query)
            if operation.body is not None:
                kwargs["body"] = parse_body(operation.body)
            return _respond(view(*args, **kwargs), operation)

        wrapped.api_operation = operation  # type: ignore[attr-defined]
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=wrapped, methods=[operation.method])
        return wrapped

    return decorate


def parse_query(model: type[BaseModel]) -> BaseModel:
    """The query string as `model`, or a 422 problem naming each bad parameter."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise ValidationProblem(problem_errors(error), detail="Invalid query parameters.") from None


def parse_body(model: Any) -> Any:
    """The JSON body as `model`: 413 too large, 415 not JSON, 400 unreadable, 422 invalid fields."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise ApiProblem(413, "Content Too Large", f"Send at most {MAX_BODY_BYTES // 1024} kB.")
    if not request.is_json:
        raise ApiProblem(
            415, "Unsupported Media Type", "Send a JSON body with 'Content-Type: application/json'."
        )
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY_BYTES:
        raise ApiProblem(413, "Content Too Large", f"Send at most {MAX_BODY_BYTES // 1024} kB.")
    data = _load_json(raw)
    if not isinstance(data, dict):
        raise ApiProblem(400, "Bad Request", "The body must be a JSON object.")
    try:
        return _adapter(model).validate_python(data)
    except ValidationError as error:
        raise ValidationProblem(problem_errors(error, tagged=_is_union_root(model))) from None


def _load_json(raw: bytes) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    try:
        return json.loads(raw, parse_constant=refuse)
    except (ValueError, RecursionError):
        # RecursionError: nesting deeper than the parser's stack; no valid body comes close.
        raise ApiProblem(400, "Bad Request", "The body is not valid JSON.") from None


@cache
def _adapter(model: Any) -> TypeAdapter:
    return TypeAdapter(model)


def _is_union_root(model: Any) -> bool:
    return isinstance(model, type) and issubclass(model, RootModel)


def problem_errors(error: ValidationError, *, tagged: bool = False) -> list[dict[str, str]]:
    """`[{field, message}]` from a pydantic error: `observations[0].date`, `rabat.intent.score`."""
    out: dict[str, str] = {}
    for item in error.errors(include_url=False, include_input=False):
        loc = list(item["loc"])
        if tagged and loc:
            loc = loc[1:]  # the union member's tag, e.g. "batch"
        if loc and loc[0] == "root":
            loc = loc[1:]
        while loc and isinstance(loc[-1], int):
            loc = loc[:-1]  # an item of a list of values: name the list, as the forms do
        name = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
        out.setdefault(name or "body", _message(item))
    return [{"field": name, "message": message} for name, message in out.items()]


def _message(item: Any) -> str:
    kind = item["type"]
    if kind == "string_pattern_mismatch":
        return PATTERN_HINTS.get(item.get("ctx", {}).get("pattern", ""), item["msg"])
    if kind == "value_error":
        return str(item["msg"]).removeprefix("Value error, ")
    return MESSAGES.get(kind, item["msg"])


def _respond(result: Any, operation: Operation) -> Any:
    if isinstance(result, Response):
        return result
    headers: dict[str, str] = {}
    status = 200
    if isinstance(result, tuple):
        result, status, *rest = result
        headers = rest[0] if rest else {}
    expected = operation.responses.get(status)
    if current_app.testing and isinstance(expected, type) and not isinstance(result, expected):
        raise TypeError(f"{operation.method} answered {type(result).__name__}, documented {expected}")
    response = jsonify(result.model_dump(mode="json") if isinstance(result, BaseModel) else result)
    response.status_code = status
    response.headers.update(headers)
    return response
