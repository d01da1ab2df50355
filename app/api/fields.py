"""Building blocks of the API models: base classes and field types with their limits.

Request bodies subclass `Body` (strict JSON types, unknown fields refused), query strings subclass
`Query` (numbers parsed from text), responses subclass `Out`. Every limit here is also in the
OpenAPI document, because the document is generated from these models.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from app.common import limits

# Patterns run on pydantic's default Rust engine, the engine Schemathesis and most JSON Schema tools
# use: `$` is the end of the text, as in ECMA-262 (Python's `re` would also accept a final newline).


class Body(BaseModel):
    """A JSON request body: exact JSON types, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid")


class Query(BaseModel):
    """Query-string parameters (text converted to numbers); unknown parameters are ignored."""

    model_config = ConfigDict(extra="ignore")


class Out(BaseModel):
    """A response shape: every field always present."""

    model_config = ConfigDict(
        extra="forbid", from_attributes=True, json_schema_serialization_defaults_required=True
    )


class OrganisationRef(Out):
    """An organisation."""

    id: int
    slug: str
    name: str


def Text(max_length: int, *, required: bool = False, pattern: str | None = None, **extra: Any) -> Any:  # noqa: N802
    """A string of at most `max_length` characters, no NUL; `required` also refuses blank text."""
    pattern = pattern or (limits.NOT_BLANK if required else limits.NO_NUL)
    return Annotated[str, Field(max_length=max_length, pattern=pattern, **extra)]


def _whole(value: Any) -> Any:
    # JSON Schema counts 3.0 as an integer; 3.5 and true are not.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def Whole(ge: int, le: int) -> Any:  # noqa: N802
    """A whole number in a JSON body, from `ge` to `le` (3.0 is 3; 3.5, "3" and true are refused)."""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_whole)]


Id = Whole(1, limits.DB_INT_MAX)
Slug = Annotated[str, Field(max_length=limits.ORG_SLUG_MAX, pattern=limits.ORG_SLUG)]


def _query_int(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(r"-?[0-9]+", value):
        raise ValueError("Must be a whole number.")
    return value


def QueryInt(ge: int, le: int, description: str | None = None) -> Any:  # noqa: N802
    """A whole number from a query string, from `ge` to `le` ("1.5", "1e3" and "+1" refused)."""
    # The bounds come before the validator so that the JSON schema states them.
    return Annotated[int, Field(ge=ge, le=le, description=description), BeforeValidator(_query_int)]


def _iso_date(value: Any) -> date:
    if not isinstance(value, str) or not re.match(limits.DATE_INPUT, value):
        raise ValueError("Use a date as YYYY-MM-DD between 1900 and 2099.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("This day does not exist.") from None


def _iso_datetime(value: Any) -> datetime:
    if not isinstance(value, str) or not re.match(limits.DATETIME_INPUT, value):
        raise ValueError("Use an RFC 3339 date-time with an offset, e.g. 2024-03-01T09:30:00Z, 1900-2099.")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise ValueError("This date-time does not exist.") from None


IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": limits.DATE_INPUT}),
]
IsoDateTime = Annotated[
    datetime,
    BeforeValidator(_iso_datetime),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": limits.DATETIME_INPUT}),
]


def _unique(items: list[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def Choices(values: list[str] | tuple[str, ...], *, min_items: int = 0, max_items: int | None = None) -> Any:  # noqa: N802
    """A list of values from a fixed set; duplicates are dropped."""
    from typing import Literal

    item = Literal[tuple(values)]
    return Annotated[
        list[item],
        Field(min_length=min_items, max_length=max_items or len(values)),
        AfterValidator(_unique),
    ]
