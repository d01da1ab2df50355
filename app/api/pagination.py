"""Pagination for API lists: `?page=&per_page=` in, `{items, page, per_page, total}` + `Link` out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from types import GenericAlias
from typing import Annotated, Any

from flask import Response, jsonify, request, url_for
from pydantic import BaseModel, Field, create_model
from sqlalchemy import Select

from app.api.fields import Out, Query, QueryInt
from app.common import limits
from app.common.pagination import Page, paginate

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


class PageQuery(Query):
    """Page parameters; list endpoints' query models subclass it."""

    page: Annotated[int, QueryInt(1, limits.DB_INT_MAX)] = Field(
        default=1, description="Page number, from 1."
    )
    per_page: Annotated[int, QueryInt(1, MAX_PER_PAGE)] = Field(
        default=DEFAULT_PER_PAGE, description=f"Items per page (1-{MAX_PER_PAGE})."
    )


class PageEnvelope(Out):
    """The fields of every page; `page_of` narrows `items` to one model."""

    items: list[Any]
    page: int
    per_page: int
    total: int


@cache
def page_of(item: type[BaseModel]) -> type[PageEnvelope]:
    """The page envelope model for a list of `item` (component `<Item>Page`)."""
    items: Any = GenericAlias(list, (item,))  # list[item], a type built at run time
    return create_model(
        f"{item.__name__}Page",
        __base__=PageEnvelope,
        __doc__=f"One page of {item.__name__} items.",
        items=(items, ...),
    )


def paginated_response(
    query: Select,
    serialize: Callable[[Any], BaseModel],
    params: PageQuery,
    item: type[BaseModel],
    *,
    serialize_page: Callable[[list[Any]], Sequence[BaseModel]] | None = None,
    count_query: Select | None = None,
) -> Response:
    """Run one page of a select and answer the envelope with RFC 8288 `Link` headers.

    `serialize_page`, when given, turns the whole page at once (to load related rows in one query);
    `count_query` selects the same rows more cheaply for the total (see common.pagination.paginate).
    """
    result = paginate(query, page=params.page, per_page=params.per_page, count_query=count_query)
    rows = list(result.items)
    body = page_of(item)(
        items=serialize_page(rows) if serialize_page else [serialize(row) for row in rows],
        page=result.page,
        per_page=result.per_page,
        total=result.total,
    )
    response = jsonify(body.model_dump(mode="json"))
    response.headers["Link"] = ", ".join(_links(result))
    return response


def _links(result: Page) -> list[str]:
    args = request.args.to_dict()

    def link(page: int, rel: str) -> str:
        url = url_for(
            request.endpoint or "",
            **{**(request.view_args or {}), **args, "page": page, "per_page": result.per_page},
        )
        return f'<{url}>; rel="{rel}"'

    links = []
    if result.has_next:
        links.append(link(result.page + 1, "next"))
    if result.has_prev:
        links.append(link(min(result.page - 1, result.pages), "prev"))
    links.append(link(1, "first"))
    links.append(link(result.pages, "last"))
    return links
