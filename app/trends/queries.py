"""The trend board's query: filters, text search and sorting, in SQL."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import CursorResult, Select, String, cast, func, or_, select, update

from app.extensions import db
from app.trends.models import Observation, Trend

SORTS = ("newest", "growing", "severe")


@dataclass(frozen=True)
class BoardFilters:
    status: str = ""
    severity: int | None = None
    target_group: str = ""
    platform: str = ""
    language: str = ""
    region: str = ""
    q: str = ""
    sort: str = "newest"
    organisation_id: int | None = None


def _json_contains(column, value: str):
    """A JSON list column holds this exact string (portable: matches the serialised text)."""
    needle = json.dumps(value)
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return cast(column, String).like(f"%{escaped}%", escape="\\")


def _like(column, text: str):
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def refresh_growth(today: date) -> int:
    """Bring every trend's kept 7-day figures up to `today` in one statement; returns rows changed.

    Only trends not computed for today (a new day, or a count changed) are touched, so the statement
    is nearly free after the first run of the day. The caller commits.
    """
    recent_start, previous_start = today - timedelta(days=6), today - timedelta(days=13)

    def total(start: date, end: date):
        return (
            select(func.coalesce(func.sum(Observation.count), 0))
            .where(
                Observation.trend_id == Trend.id,
                Observation.observed_on >= start,
                Observation.observed_on <= end,
            )
            .scalar_subquery()
        )

    stale = or_(Trend.growth_on.is_(None), Trend.growth_on < today)
    # A cheap look first (the index on growth_on, one probe per condition: an OR of the two would scan
    # every trend): the update itself plans as costly, even with nothing to do.
    probes = (Trend.growth_on.is_(None), Trend.growth_on < today)
    if all(db.session.scalar(select(Trend.id).where(probe).limit(1)) is None for probe in probes):
        return 0
    recent, previous = total(recent_start, today), total(previous_start, recent_start - timedelta(days=1))
    result: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        update(Trend)
        .where(stale)
        .values(
            week_recent=recent,
            week_growth=recent - previous,
            growth_on=today,
            updated_at=Trend.updated_at,  # figures kept for sorting are not an edit of the trend
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def board_query(filters: BoardFilters, *, today: date) -> Select:
    """Select trends matching the filters, sorted as asked."""
    query = select(Trend)
    if filters.organisation_id:
        query = query.where(Trend.organisation_id == filters.organisation_id)
    if filters.status:
        query = query.where(Trend.status == filters.status)
    if filters.severity:
        query = query.where(Trend.severity == filters.severity)
    for column, value in (
        (Trend.target_groups, filters.target_group.upper()),
        (Trend.platforms, filters.platform.lower()),
        (Trend.languages, filters.language),
        (Trend.regions, filters.region.upper()),
    ):
        if value.strip():
            query = query.where(_json_contains(column, value.strip()))
    q = filters.q.strip()
    if q:
        as_json = json.dumps(q)[1:-1]  # how the text appears inside the JSON lists
        query = query.where(
            or_(
                _like(Trend.title, q),
                _like(Trend.summary, q),
                _like(cast(Trend.keywords, String), as_json),
                _like(cast(Trend.hashtags, String), as_json),
                _like(cast(Trend.narrative_tags, String), as_json),
            )
        )
    if filters.sort == "growing":
        query = query.order_by(Trend.week_growth.desc(), Trend.week_recent.desc(), Trend.id.desc())
    elif filters.sort == "severe":
        query = query.order_by(Trend.severity.desc(), Trend.updated_at.desc(), Trend.id.desc())
    else:
        query = query.order_by(Trend.created_at.desc(), Trend.id.desc())
    return query


PICKER_SIZE = 20


def picker_choices(
    organisation_id: int, *, q: str = "", keep: list[int] | None = None
) -> list[tuple[int, str]]:
    """What a trend picker offers: the trends already chosen, then up to PICKER_SIZE matching `q`, newest first.

    Pickers never hold every trend: an organisation may have thousands; people search instead.
    """
    keep = [int(i) for i in keep or []]
    mine = select(Trend.id, Trend.title).where(Trend.organisation_id == organisation_id)
    chosen = db.session.execute(mine.where(Trend.id.in_(keep)).order_by(Trend.title)).all() if keep else []
    others = mine.where(Trend.id.not_in(keep)) if keep else mine
    if q.strip():
        others = others.where(_like(Trend.title, q.strip()[:200]))
    found = db.session.execute(others.order_by(Trend.created_at.desc(), Trend.id.desc()).limit(PICKER_SIZE))
    return [(row.id, row.title) for row in [*chosen, *found]]
