"""UTC time helpers: store UTC, convert at the edge."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """Treat naive datetimes (SQLite returns them) as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_zone(value: datetime | None, zone: str) -> datetime | None:
    """Convert a stored UTC datetime to the given IANA time zone for display."""
    value = as_utc(value)
    if value is None:
        return None
    try:
        return value.astimezone(ZoneInfo(zone))
    except ZoneInfoNotFoundError:
        return value


def is_valid_zone(zone: str) -> bool:
    """Tell whether a string names an IANA time zone."""
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def localtime(value: datetime | None, zone: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a stored UTC time in a time zone (template filter)."""
    local = to_zone(value, zone)
    return local.strftime(fmt) if local else "—"
