"""Server-drawn SVG geometry for volume charts: no JavaScript, no inline styles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    count: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    max_count: int
    first_day: date | None
    last_day: date | None
    total: int


def sparkline_points(series: list[tuple[date, int]], *, width: int = 100, height: int = 24) -> str:
    """The `points` attribute of a polyline drawing the series."""
    counts = [count for _, count in series]
    if not counts:
        return ""
    top = max(counts) or 1
    step = width / max(1, len(counts) - 1)
    return " ".join(
        f"{i * step:.1f},{height - 1 - (count / top) * (height - 2):.1f}" for i, count in enumerate(counts)
    )


def bar_chart(
    series: list[tuple[date, int]], *, width: int = 600, height: int = 160, bottom: int = 20
) -> Chart:
    """Bars for each day, scaled to the largest count; `bottom` leaves room for the axis labels."""
    counts = [count for _, count in series]
    top = max(counts, default=0)
    slot = width / max(1, len(series))
    plot = height - bottom
    bars = []
    for i, (day, count) in enumerate(series):
        bar_height = (count / top) * (plot - 4) if top else 0
        bars.append(
            Bar(
                x=round(i * slot + 1, 1),
                y=round(plot - bar_height, 1),
                width=round(max(1.0, slot - 2), 1),
                height=round(bar_height, 1),
                day=day,
                count=count,
            )
        )
    return Chart(
        width=width,
        height=height,
        bars=bars,
        max_count=top,
        first_day=series[0][0] if series else None,
        last_day=series[-1][0] if series else None,
        total=sum(counts),
    )
