"""The dashboard, health endpoint and error pages."""

from flask import Blueprint

bp = Blueprint("core", __name__)
