"""Publishing: scheduling, the calendar, dispatch of due posts, outcomes and pauses."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("publishing", __name__, url_prefix="/publishing")
