"""Organisations, people, roles and signing in."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
