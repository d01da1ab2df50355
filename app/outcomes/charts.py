"""Geometry of the report chart: the trend's daily volume as bars, our interactions as a stepped line.

Bars and a line with square markers differ by shape, so the chart reads without colour; the data
table under it carries the same numbers for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.outcomes.reports import DayPoint

WIDTH = 720
HEIGHT = 220
_TOP = 18
_BOTTOM = 22


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    point: DayPoint


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    point: DayPoint


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    line: str  # polyline points
    markers: list[Marker]
    max_volume: int
    max_interactions: int
    first: DayPoint | None
    last: DayPoint | None


def report_chart(series: list[DayPoint]) -> Chart:
    """Scale volume and interactions each to the chart's height (two scales, both labelled)."""
    plot = HEIGHT - _TOP - _BOTTOM
    max_volume = max((p.volume for p in series), default=0)
    max_interactions = max((p.interactions for p in series), default=0)
    step = WIDTH / max(len(series), 1)
    bars: list[Bar] = []
    markers: list[Marker] = []
    for index, point in enumerate(series):
        x = index * step
        height = plot * point.volume / max_volume if max_volume else 0
        bars.append(
            Bar(
                round(x + step * 0.15, 1),
                round(_TOP + plot - height, 1),
                round(step * 0.7, 1),
                round(height, 1),
                point,
            )
        )
        y = _TOP + plot - (plot * point.interactions / max_interactions if max_interactions else 0)
        markers.append(Marker(round(x + step / 2, 1), round(y, 1), point))
    line = " ".join(f"{m.x},{m.y}" for m in markers)
    return Chart(
        WIDTH,
        HEIGHT,
        bars,
        line,
        markers,
        max_volume,
        max_interactions,
        series[0] if series else None,
        series[-1] if series else None,
    )
