"""Pagination of SQLAlchemy selects for list pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from app.common.limits import DB_INT_MAX
from app.extensions import db


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int
    # True when counting stopped at the page's count limit: `total` is then a lower bound.
    is_capped: bool = False

    @property
    def pages(self) -> int:
        pages = max(1, -(-self.total // self.per_page))
        return max(pages, self.page + 1) if self.is_capped else pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(
    query: Select,
    *,
    page: int,
    per_page: int,
    count_limit: int | None = None,
    count_query: Select | None = None,
) -> Page:
    """Run one page of a select and count the whole result (up to `count_limit` rows when given).

    Counting a list of tens of thousands of rows costs more than showing a page of it; with a limit,
    the pager says "more than N" and still offers the next page while there is one. `count_query`,
    when given, selects the same rows more cheaply (without the joins that only load what a row shows).
    """
    page = min(max(1, page), DB_INT_MAX)  # ?page=10**20 would overflow the OFFSET
    counted = (count_query if count_query is not None else query).order_by(None)
    if count_limit is not None:
        counted = counted.limit(max(count_limit, page * per_page) + 1)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    is_capped = count_limit is not None and total > max(count_limit, page * per_page)
    if is_capped:
        total -= 1
    return Page(items=items, page=page, per_page=per_page, total=total, is_capped=is_capped)
