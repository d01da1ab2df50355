"""URL converters: `<int:id>` matches only ids the database can hold, so /things/10**20 is a 404."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

from app.common.limits import DB_INT_MAX


def up_to(limit: int) -> str:
    """A regular expression matching the decimal numbers 0..limit (leading zeros aside)."""
    digits = str(limit)
    options = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for position, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - position - 1
            options.append(f"{digits[:position]}[0-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


class DatabaseIntegerConverter(IntegerConverter):
    """`int` matching 0..2**31-1 only, in the URL pattern itself.

    The bound sits in the regular expression rather than in `to_python`: werkzeug answers 405, not
    404, when another method's rule matched the path before the conversion failed.
    """

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        if not kwargs and not args:
            self.regex = up_to(DB_INT_MAX)
