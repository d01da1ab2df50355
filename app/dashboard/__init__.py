"""The dashboard's "waiting for you" card: what each role has to do next, gathered from every feature."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Add the waiting-for-you card to the dashboard."""
    from app.core import templating
    from app.dashboard import context

    if context.waiting_card not in templating.CONTEXT_PROVIDERS:
        templating.CONTEXT_PROVIDERS.insert(0, context.waiting_card)
