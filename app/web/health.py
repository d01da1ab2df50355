"""What /healthz reports: database, worker heartbeat, oldest overdue post."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.publishing.dispatch import oldest_overdue
from app.publishing.models import WorkerHeartbeat


def health_report() -> tuple[dict[str, Any], bool]:
    """Return the health document and whether the service is healthy."""
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
    overdue = oldest_overdue()
    return {
        "status": "ok",
        "database": "ok",
        "worker_heartbeat_at": _iso(heartbeat),
        "oldest_overdue_post_at": _iso(overdue),
    }, True


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
