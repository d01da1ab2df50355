"""Trend fields: validation rules, transitions, derived values."""

from __future__ import annotations

from datetime import date

import pytest

from app.trends import services
from app.trends.charts import bar_chart, sparkline_points
from app.trends.models import TREND_TRANSITIONS, TrendStatus
from app.trends.validation import clean_trend, parse_date


def test_clean_trend_normalises_lists():
    cleaned, errors = clean_trend(
        {
            "title": " T ",
            "languages": "EN, fr_be",
            "regions": "fr, be",
            "hashtags": "gloom, #tide",
            "target_groups": ["migrants"],
            "platforms": "X, Telegram",
        }
    )
    assert errors == {}
    assert cleaned["title"] == "T"
    assert cleaned["languages"] == ["en", "fr-BE"]
    assert cleaned["regions"] == ["FR", "BE"]
    assert cleaned["hashtags"] == ["#gloom", "#tide"]
    assert cleaned["target_groups"] == ["MIGRANTS"]
    assert cleaned["platforms"] == ["x", "telegram"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "t", "severity": 5}, "severity"),
        ({"title": "t", "severity": "high"}, "severity"),
        ({"title": "t", "languages": "english"}, "languages"),
        ({"title": "t", "regions": "France"}, "regions"),
        ({"title": "t", "hallmarks": ["shouting"]}, "hallmarks"),
        ({"title": "t", "rabat": {"intent": {"score": 3}}}, "rabat.intent.score"),
        ({"title": "t", "rabat": {"mood": {"score": 1}}}, "rabat.mood"),
        ({"title": "t", "status": "open"}, "status"),
        ({"title": "t", "recommended_action": "shout"}, "recommended_action"),
        ({"title": "t", "first_seen_at": "2024-03-05", "last_seen_at": "2024-03-01"}, "last_seen_at"),
        ({"title": "t", "first_seen_at": "yesterday"}, "first_seen_at"),
        ({"title": "t", "fact_checks": [{"claim": "c", "url": "javascript:alert(1)"}]}, "fact_checks"),
        ({"title": "t", "keywords": [1, 2]}, "keywords"),
    ],
)
def test_clean_trend_names_the_bad_field(app, data, field):
    _, errors = clean_trend(data)
    assert field in errors


def test_dates_in_iso_and_day_month_year():
    assert parse_date("2024-03-01") == date(2024, 3, 1)
    assert parse_date("01/03/2024") == date(2024, 3, 1)
    assert parse_date("2024-03-01T10:00:00Z") == date(2024, 3, 1)
    assert parse_date("") is None


@pytest.mark.parametrize("current", list(TrendStatus))
@pytest.mark.parametrize("target", list(TrendStatus))
def test_status_transitions_follow_the_table(make_trend, current, target):
    trend = make_trend(status=current.value)
    if target in TREND_TRANSITIONS[current]:
        services.change_status(trend, target, actor=None)
        assert trend.status == target
    else:
        with pytest.raises(services.TrendError):
            services.change_status(trend, target, actor=None)


def test_week_change_and_gate(make_trend):
    trend = make_trend(counts=[1] * 7 + [2] * 7, severity=4)
    series = services.daily_series(trend, days=14)
    change = services.week_change(series)
    assert (change.recent, change.previous, change.percent) == (14, 7, 100)
    assert trend.is_gated


def test_observation_is_set_not_added(make_trend):
    trend = make_trend()
    day = date(2024, 3, 1)
    services.set_observation(trend, day, 5, "tool")
    services.set_observation(trend, day, 7, "tool")
    assert services.daily_series(trend, days=1, today=day) == [(day, 7)]


def test_charts_geometry():
    series = [(date(2024, 3, d), c) for d, c in ((1, 0), (2, 5), (3, 10))]
    assert sparkline_points(series).split()[-1].endswith(",1.0")
    chart = bar_chart(series)
    assert chart.max_count == 10 and chart.total == 15 and chart.bars[0].height == 0


@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59:59-01:00", "0001-01-01", "31/12/9999", "0001-01-01T00:00:00+01:00"]
)
def test_dates_beyond_the_accepted_years_are_refused_clearly(app, value):
    with app.test_request_context(), pytest.raises(ValueError, match="1900 to 2200"):
        parse_date(value)
