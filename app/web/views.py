"""Dashboard and health."""

from __future__ import annotations

from flask import jsonify, render_template
from flask_login import login_required

from app.extensions import csrf, limiter
from app.web import bp
from app.web.health import health_report


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
