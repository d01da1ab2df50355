"""The append-only audit trail."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
