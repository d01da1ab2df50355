"""Counting the SQL statements a request runs, for the tests of query budgets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


@contextmanager
def counting_queries() -> Iterator[list[int]]:
    """Count every statement sent to the database inside the block: `counted[0]` (reset it at will)."""
    counted = [0]

    def count(*_args, **_kwargs) -> None:
        counted[0] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def queries_for(client, path: str) -> tuple[int, str]:
    """The statements a GET of `path` runs, and the page; nothing read during the set-up is reused."""
    db.session.expire_all()
    with counting_queries() as counted:
        page = client.get(path).get_data(as_text=True)
    return counted[0], page
