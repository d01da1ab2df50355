"""Messages, versions and the editor; the drafter (model or offline)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("drafting", __name__)
