"""A capped count: the pager says "more than N" and still leads to the next page."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Organisation
from app.common.pagination import paginate


def test_a_capped_count_is_a_lower_bound_with_a_next_page(app, make_org):
    for _ in range(7):
        make_org()
    query = select(Organisation).order_by(Organisation.id)
    capped = paginate(query, page=1, per_page=2, count_limit=3)
    assert capped.is_capped and capped.total == 3 and capped.has_next
    last = paginate(query, page=4, per_page=2, count_limit=3)
    assert not last.is_capped and last.total == 7 and len(last.items) == 1 and not last.has_next
    exact = paginate(query, page=1, per_page=2, count_limit=100)
    assert not exact.is_capped and exact.total == 7 and exact.pages == 4
