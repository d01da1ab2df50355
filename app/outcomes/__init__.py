"""Outcomes: engagement collected from the platforms, and reports per campaign and per trend."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("outcomes", __name__, url_prefix="/outcomes")


def init_app(app) -> None:
    """The engagement collection task runs in the worker, after publishing's tasks."""
    from app.outcomes.collect import collect_task
    from app.publishing import worker

    if collect_task not in worker.TICK_TASKS:
        worker.TICK_TASKS.append(collect_task)
