"""Bounds on numbers and dates that come from URLs and forms, so none reaches the database too big.

Ids are 32-bit integers in the database: a path or query value beyond that range is answered 404
(no such thing), never a 500 from an overflow. Dates are kept to years the app can compute with.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, Request, abort
from werkzeug.datastructures import ImmutableMultiDict

from app.common.limits import DB_INT_MAX  # noqa: E402  (one home for the bound)

DB_INT_MIN = -(2**31)
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2200, 12, 31)


def in_db_range(value: int) -> bool:
    """Tell whether an integer fits a database INTEGER column."""
    return DB_INT_MIN <= value <= DB_INT_MAX


def in_date_range(value: date) -> bool:
    """Tell whether a date lies in the years the app accepts (1900 to 2200)."""
    return FIRST_DATE <= value <= LAST_DATE


def digits_or_404(text: str) -> int | None:
    """A filter typed as text: None unless it is all digits; 404 for a number beyond the database's range."""
    if not text.isdigit() or not text.isascii():
        return None
    if len(text) > 12 or not in_db_range(int(text)):
        abort(404)
    return int(text)


class WithinYears:
    """A form validator: a date or date-time within 1900-2200 (later code adds days and converts zones)."""

    def __call__(self, form, field) -> None:
        from flask_babel import gettext as _
        from wtforms.validators import StopValidation

        value = field.data
        if value is not None and not in_date_range(value.date() if isinstance(value, datetime) else value):
            raise StopValidation(_("Choose a date between 1900 and 2200."))


class BoundedMultiDict(ImmutableMultiDict):
    """Query and form values: `.get(name, type=int)` answers 404 for a number beyond the database's range."""

    def get(self, key, default=None, type=None):  # type: ignore[override]  # noqa: A002
        value = super().get(key, default=default, type=type)
        if type is int and isinstance(value, int) and not in_db_range(value):
            abort(404)
        return value

    def getlist(self, key, type=None):  # noqa: A002
        values = super().getlist(key, type=type)
        if type is int and any(not in_db_range(value) for value in values):
            abort(404)
        return values


class BoundedRequest(Request):
    parameter_storage_class = BoundedMultiDict


def install(app: Flask) -> None:
    """Use the bounded request class (the bounded `<int:>` converter is common.converters')."""
    app.request_class = BoundedRequest
