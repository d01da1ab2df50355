"""Small typed helpers around SQLAlchemy results."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched (Session.execute returns a CursorResult for those)."""
    return cast(CursorResult[Any], result).rowcount or 0


def inserted_id(result: Result[Any]) -> int:
    """The primary key an INSERT of one row created (Session.execute returns a CursorResult for it)."""
    key = cast(CursorResult[Any], result).inserted_primary_key
    if key is None or key[0] is None:
        raise RuntimeError("the INSERT returned no primary key")
    return int(key[0])
