"""Browse and filter the audit trail."""

from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.access import role_required
from app.accounts.models import Organisation, Role, User
from app.audit.models import AuditEvent
from app.common.audit_actions import AuditAction, current_name, stored_names
from app.common.pagination import paginate
from app.common.time import utcnow
from app.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    filters = {key: request.args.get(key, "").strip() for key in ("action", "actor", "org", "since", "until")}
    filters["action"] = current_name(filters["action"])  # a link or bookmark may carry an old name
    query = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor), joinedload(AuditEvent.organisation))
        .order_by(AuditEvent.id.desc())
    )
    if filters["action"]:
        query = query.where(AuditEvent.action.in_(stored_names(filters["action"])))
    if filters["actor"]:
        query = query.join(AuditEvent.actor).where(User.email.ilike(f"%{filters['actor']}%"))
    if filters["org"]:
        query = query.where(AuditEvent.organisation_id == _int(filters["org"]))
    if since := _date(filters["since"]):
        query = query.where(AuditEvent.created_at >= datetime.combine(since, time.min, utcnow().tzinfo))
    if until := _date(filters["until"]):
        query = query.where(AuditEvent.created_at <= datetime.combine(until, time.max, utcnow().tzinfo))
    # The log grows without end: count up to 5,000 events, then the pager says "more than".
    page = paginate(query, page=request.args.get("page", 1, type=int), per_page=50, count_limit=5000)
    # The actions are a known list (the enum): no scan of the whole trail for the filter menu.
    actions = sorted(AuditAction)
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template(
        "audit/index.html", page=page, filters=filters, actions=actions, organisations=organisations
    )


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _date(value: str):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
