"""Dashboard and health."""

from __future__ import annotations

from flask import jsonify, render_template
from flask_login import login_required

from app.common.time import utcnow
from app.extensions import csrf, db, limiter
from app.trends.queries import refresh_growth
from app.web import bp
from app.web.health import health_report


@bp.route("/")
@login_required
def dashboard():
    # The rising trends read each trend's kept 7-day figures: bring them up to today (one cheap look
    # when nothing changed), as the trend board sorted by growth does.
    if refresh_growth(utcnow().date()):
        db.session.commit()
    return render_template("core/dashboard.html")


@bp.route("/healthz")
@csrf.exempt
@limiter.exempt
def healthz():
    report, healthy = health_report()
    return jsonify(report), 200 if healthy else 503
