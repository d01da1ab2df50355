"""Small typed helpers around SQLAlchemy results."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched (Session.execute returns a CursorResult for those)."""
    return cast(CursorResult[Any], result).rowcount or 0
