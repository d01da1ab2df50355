"""CSV export of the board, with spreadsheet formula injection neutralised (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from typing import Any

from app.trends.models import Trend

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = (
    "id",
    "title",
    "summary",
    "status",
    "severity",
    "target_groups",
    "platforms",
    "languages",
    "regions",
    "keywords",
    "hashtags",
    "narrative_tags",
    "recommended_action",
    "source",
    "external_id",
    "first_seen_at",
    "last_seen_at",
    "organisation",
)


def neutralise(value: Any) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ tab or CR gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(trend: Trend, column: str) -> Any:
    if column == "organisation":
        return trend.organisation.slug
    value = getattr(trend, column)
    if isinstance(value, list):
        return ", ".join(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def board_csv(trends: list[Trend]) -> str:
    """The trends as CSV (UTF-8 with BOM so spreadsheets read accents); evidence is never exported."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for trend in trends:
        writer.writerow([neutralise(_cell(trend, column)) for column in EXPORT_COLUMNS])
    return out.getvalue()
