"""Addresses of many objects of one endpoint, built once: a calendar page links two hundred posts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for

# An id no row has: it is put in the rule once, then each real id takes its place.
_MARKER = 987_654_321_987_654_321


def id_url(endpoint: str, name: str, **values: Any) -> Callable[[int], str]:
    """`url_for(endpoint, name=id, **values)` for any id: the rule is built once, not once per id."""
    marker = str(_MARKER)
    with_marker: dict[str, Any] = {**values, name: _MARKER}
    head, found, tail = url_for(endpoint, **with_marker).partition(marker)
    if not found or marker in tail:
        raise ValueError(f"{endpoint} does not show {name} once in its address")
    return lambda value: f"{head}{int(value)}{tail}"
