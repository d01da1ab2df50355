"""Partner channels: an organisation's accounts on platforms, with encrypted credentials."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("channels", __name__, url_prefix="/channels")
