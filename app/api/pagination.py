"""Pagination for API lists: `?page=&per_page=` in, `{items, page, per_page, total}` + `Link` out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request, url_for
from sqlalchemy import Select

from app.api.problems import ValidationProblem
from app.common.pagination import Page, paginate

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


def page_args() -> tuple[int, int]:
    """Read and validate `page` and `per_page` from the query string."""
    errors = {}
    values = {}
    for name, default, high in (("page", 1, None), ("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)):
        raw = request.args.get(name, str(default))
        try:
            value = int(raw)
        except ValueError:
            errors[name] = "Must be a whole number."
            continue
        if value < 1 or (high is not None and value > high):
            errors[name] = f"Must be between 1 and {high}." if high else "Must be 1 or more."
        values[name] = value
    if errors:
        raise ValidationProblem(errors, detail="Invalid pagination parameters.")
    return values["page"], values["per_page"]


def paginated_response(
    query: Select,
    serialize: Callable[[Any], dict[str, Any]],
    *,
    serialize_page: Callable[[list[Any]], list[dict[str, Any]]] | None = None,
) -> Response:
    """Run one page of a select and answer the envelope with RFC 8288 `Link` headers.

    serialize_page, when given, turns the whole page at once (to load related rows in one query).
    """
    page, per_page = page_args()
    result = paginate(query, page=page, per_page=per_page)
    items = serialize_page(list(result.items)) if serialize_page else [serialize(i) for i in result.items]
    response = jsonify(
        {
            "items": items,
            "page": result.page,
            "per_page": result.per_page,
            "total": result.total,
        }
    )
    links = _links(result)
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


def _links(result: Page) -> list[str]:
    args = request.args.to_dict()

    def link(page: int, rel: str) -> str:
        url = url_for(
            request.endpoint,
            **{**(request.view_args or {}), **args, "page": page, "per_page": result.per_page},
        )
        return f'<{url}>; rel="{rel}"'

    links = []
    if result.has_next:
        links.append(link(result.page + 1, "next"))
    if result.has_prev:
        links.append(link(result.page - 1, "prev"))
    links.append(link(1, "first"))
    links.append(link(result.pages, "last"))
    return links
