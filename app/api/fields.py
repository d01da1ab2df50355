"""Building blocks of the API models: base classes and field types with their limits.

Request bodies subclass `Body` (strict JSON types, unknown fields refused), query strings subclass
`Query` (numbers parsed from text), responses subclass `Out`. Every limit here is also in the
OpenAPI document, because the document is generated from these models.

Limits are `Annotated` metadata, so the type checker reads the plain type: `Annotated[str, Text(200)]`
is a `str`, `Annotated[int, Whole(1, 4)]` an `int`, `Annotated[str, OneOf(values)]` a `str` that
pydantic checks as `Literal[values]`, `Omittable[X]` an `X | None` whose `None` only means "left out".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    WithJsonSchema,
)
from pydantic_core import CoreSchema, core_schema

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
    """For `Annotated[str, Text(...)]`: at most `max_length` characters, no NUL; `required` refuses blank text."""
    pattern = pattern or (limits.NOT_BLANK if required else limits.NO_NUL)
    return Field(max_length=max_length, pattern=pattern, **extra)


def _whole(value: Any) -> Any:
    # JSON Schema counts 3.0 as an integer; 3.5 and true are not.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class _Shape:
    """`Annotated` metadata that pydantic reads as the type `shape()` builds from its arguments."""

    def shape(self) -> Any:
        raise NotImplementedError

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return handler.generate_schema(self.shape())


@dataclass(frozen=True)
class Whole(_Shape):
    """For `Annotated[int, Whole(ge, le)]` in a JSON body: 3.0 is 3; 3.5, "3" and true are refused."""

    ge: int
    le: int

    def shape(self) -> Any:
        # The bounds come before the validator so that the JSON schema states them.
        return Annotated[int, Field(ge=self.ge, le=self.le), BeforeValidator(_whole)]


Id = Annotated[int, Whole(1, limits.DB_INT_MAX)]
Slug = Annotated[str, Field(max_length=limits.ORG_SLUG_MAX, pattern=limits.ORG_SLUG)]


def _query_int(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(r"-?[0-9]+", value):
        raise ValueError("Must be a whole number.")
    return value


@dataclass(frozen=True)
class QueryInt(_Shape):
    """For `Annotated[int, QueryInt(ge, le)]` from a query string ("1.5", "1e3" and "+1" refused)."""

    ge: int
    le: int

    def shape(self) -> Any:
        return Annotated[int, Field(ge=self.ge, le=self.le), BeforeValidator(_query_int)]


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


@dataclass(frozen=True)
class OneOf:
    """For `Annotated[str, OneOf(values)]`: validated and documented as `Literal[values]` (an enum)."""

    values: tuple[str, ...]

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.literal_schema(list(self.values))


@dataclass(frozen=True)
class Choices(_Shape):
    """For `Annotated[list[str], Choices(values)]`: a list of values from a fixed set; duplicates dropped."""

    values: tuple[str, ...]
    min_items: int = 0
    max_items: int | None = None

    def shape(self) -> Any:
        return Annotated[
            list[Annotated[str, OneOf(self.values)]],
            Field(min_length=self.min_items, max_length=self.max_items or len(self.values)),
            AfterValidator(_unique),
        ]


_T = TypeVar("_T")


class _RefuseNull:
    """Keeps the schema of `X` for `X | None`: None is only the default, an explicit null is refused."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        schema = handler(source)
        return schema["schema"] if schema["type"] == "nullable" else schema


# A field a body or query may leave out (then None); the document and the validator know only X.
Omittable = Annotated[_T | None, _RefuseNull()]
