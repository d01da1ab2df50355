"""Review's periodic work, run by the worker."""

from __future__ import annotations

from app.extensions import db
from app.review.services import expire_approvals


def expire_approvals_tick() -> int:
    """Worker task: revoke approvals whose trend closed or campaign ended, and commit."""
    count = expire_approvals()
    db.session.commit()
    return count
