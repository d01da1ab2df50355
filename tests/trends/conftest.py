"""Trend fixtures: a trend factory and helpers for daily counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from app.accounts.models import Organisation
from app.common.time import utcnow
from app.extensions import db
from app.trends import services
from app.trends.models import Trend


@pytest.fixture
def app_config(tmp_path) -> dict:
    """Keep uploaded import files out of the real instance folder."""
    return {"COUNTERPOINT_IMPORT_FOLDER": str(tmp_path / "imports")}


@pytest.fixture
def make_trend(app, org) -> Callable[..., Trend]:
    """Create a trend (default: in `org`) with optional daily counts ending today."""

    def make(
        title: str = "Gloomtide narrative",
        *,
        organisation: Organisation | None = None,
        counts: list[int] | None = None,
        **fields: Any,
    ) -> Trend:
        trend = services.create_trend(organisation or org, {"title": title, **fields}, actor=None)
        today = utcnow().date()
        for offset, count in enumerate(reversed(counts or [])):
            services.set_observation(trend, today - timedelta(days=offset), count, "test")
        db.session.commit()
        return trend

    return make


@pytest.fixture
def other_org(make_org) -> Organisation:
    return make_org("other-ngo", name="Other NGO")
