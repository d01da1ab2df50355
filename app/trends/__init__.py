"""Hate-speech trends: record, import, follow."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("trends", __name__, url_prefix="/trends")
