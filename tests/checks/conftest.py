"""Shared fixtures for the do-no-harm checks: the synthetic messages and their trend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.checks import TrendContext

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "messages.json").read_text("utf-8"))


def fixture_trend() -> TrendContext:
    """The synthetic trend every fixture message answers."""
    return TrendContext(**{key: tuple(value) for key, value in FIXTURES["trend"].items()})


@pytest.fixture
def trend() -> TrendContext:
    """The synthetic trend (invented coded words, evidence posts and hashtags)."""
    return fixture_trend()
