"""Dashboard and health."""

from __future__ import annotations

from flask import jsonify, render_template
from flask_login import login_required

from app.core import bp
from app.core.health import health_report
from app.extensions import csrf, limiter


@bp.route("/")
@login_required
def dashboard():
    return render_template("core/dashboard.html")


@bp.route("/healthz")
@csrf.exempt
@limiter.exempt
def healthz():
    report, healthy = health_report()
    return jsonify(report), 200 if healthy else 503
