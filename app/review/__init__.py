"""Review and approval: the review queue, decisions bound to a version's hash, notifications."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("review", __name__)
