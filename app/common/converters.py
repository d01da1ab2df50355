"""URL converters: `<int:id>` matches only ids the database can hold, so /things/10**20 is a 404."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

from app.common.limits import DB_INT_MAX


class DatabaseIntegerConverter(IntegerConverter):
    """`int` bounded to 0..2**31-1 unless a rule says otherwise."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)
