"""What /healthz reports: database, worker heartbeat, oldest overdue post."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

# Features that know about overdue work register a probe returning the oldest overdue time or None.
OVERDUE_PROBES: list[Callable[[], datetime | None]] = []


def health_report() -> tuple[dict[str, Any], bool]:
    """Return the health document and whether the service is healthy."""
    from app.publishing.models import WorkerHeartbeat

    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {
            "status": "error",
            "database": "unreachable",
            "worker_heartbeat_at": None,
            "oldest_overdue_post_at": None,
        }, False
    heartbeat = db.session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
    overdue = [value for probe in OVERDUE_PROBES if (value := probe()) is not None]
    return {
        "status": "ok",
        "database": "ok",
        "worker_heartbeat_at": _iso(heartbeat),
        "oldest_overdue_post_at": _iso(min(overdue)) if overdue else None,
    }, True


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
