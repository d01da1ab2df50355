"""Posting windows, spacing and daily caps: pure functions over a channel's rules (no I/O)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_HORIZON = timedelta(days=90)


class WindowSyntaxError(ValueError):
    """The posting windows text cannot be read; the message says how to write it."""


@dataclass(frozen=True)
class SlotRules:
    """When a channel may post: windows per weekday in its own time zone, spacing, daily cap."""

    time_zone: str = "UTC"
    windows: dict[str, list[list[str]]] = field(default_factory=dict)
    min_spacing_minutes: int = 0
    daily_cap: int | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def spacing(self) -> timedelta:
        return timedelta(minutes=self.min_spacing_minutes or 0)


def rules_for(channel) -> SlotRules:
    """The slot rules of a channel."""
    return SlotRules(
        time_zone=channel.time_zone or "UTC",
        windows=dict(channel.posting_windows or {}),
        min_spacing_minutes=channel.min_spacing_minutes or 0,
        daily_cap=channel.daily_cap,
    )


def parse_windows(text: str) -> dict[str, list[list[str]]]:
    """Read lines such as `mon-fri 09:00-12:00 14:00-18:00` into {"mon": [["09:00", "12:00"], ...]}."""
    windows: dict[str, list[list[str]]] = {}
    for line in (raw.strip() for raw in (text or "").replace(";", "\n").splitlines()):
        if not line:
            continue
        parts = line.replace(",", " ").split()
        days = _days(parts[0].lower())
        ranges = [_range(part) for part in parts[1:]]
        if not ranges:
            raise WindowSyntaxError(_l("Give hours after the days, such as: mon-fri 09:00-18:00"))
        for day in days:
            windows.setdefault(day, []).extend(ranges)
    return {day: sorted(windows[day]) for day in DAYS if day in windows}


def format_windows(windows: dict[str, list[list[str]]] | None) -> str:
    """The text form of posting windows, one day per line."""
    return "\n".join(
        f"{day} " + " ".join(f"{start}-{end}" for start, end in windows[day])
        for day in DAYS
        if windows and windows.get(day)
    )


def _days(token: str) -> list[str]:
    if token in ("daily", "every", "all"):
        return list(DAYS)
    if "-" in token:
        first, _, last = token.partition("-")
        if first in DAYS and last in DAYS:
            start, end = DAYS.index(first), DAYS.index(last)
            return [DAYS[i % 7] for i in range(start, end + (7 if end < start else 0) + 1)]
    if token in DAYS:
        return [token]
    raise WindowSyntaxError(_l("Start each line with days such as mon, mon-fri or daily."))


def _range(token: str) -> list[str]:
    match = _RANGE.match(token)
    if not match:
        raise WindowSyntaxError(_l("Write hours as 09:00-18:00 (24-hour clock)."))
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2) or (h1, m1) >= (h2, m2):
        raise WindowSyntaxError(_l("Each range must end after it starts, within one day (00:00-24:00)."))
    return [f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"]


def _local(day: date, clock: str, zone: ZoneInfo) -> datetime:
    """A wall-clock time on a local date as UTC; 24:00 is the next midnight; DST gaps move forward."""
    hours, minutes = (int(x) for x in clock.split(":"))
    if hours == 24:
        return _local(day + timedelta(days=1), "00:00", zone)
    return datetime.combine(day, time(hours, minutes), tzinfo=zone).astimezone(UTC)


def window_ranges(rules: SlotRules, day: date) -> list[tuple[datetime, datetime]]:
    """The UTC ranges a channel may post in on a local date (the whole day without windows)."""
    zone = rules.zone
    if not rules.windows:
        return [(_local(day, "00:00", zone), _local(day, "24:00", zone))]
    return [
        (_local(day, start, zone), _local(day, end, zone))
        for start, end in rules.windows.get(DAYS[day.weekday()], [])
    ]


def _next_window_time(rules: SlotRules, moment: datetime) -> datetime | None:
    """moment if it is inside a window, else the start of the next window."""
    day = moment.astimezone(rules.zone).date()
    for offset in range(8):
        for start, end in window_ranges(rules, day + timedelta(days=offset)):
            if end > moment:
                return max(start, moment)
    return None


def _day_start_after(rules: SlotRules, moment: datetime) -> datetime:
    day = moment.astimezone(rules.zone).date() + timedelta(days=1)
    return _local(day, "00:00", rules.zone)


def _same_local_day(rules: SlotRules, a: datetime, b: datetime) -> bool:
    return a.astimezone(rules.zone).date() == b.astimezone(rules.zone).date()


def refusal(rules: SlotRules, taken: Iterable[datetime], when: datetime) -> str | None:
    """Why a channel cannot post at this time, or None when it can."""
    taken = list(taken)
    if _next_window_time(rules, when) != when:
        return _("outside the channel's posting windows")
    if rules.daily_cap and sum(_same_local_day(rules, t, when) for t in taken) >= rules.daily_cap:
        return _("the channel's daily cap is reached that day")
    if rules.spacing and any(abs(t - when) < rules.spacing for t in taken):
        return _("too close to another post on this channel")
    return None


def next_free_slot(rules: SlotRules, taken: Iterable[datetime], after: datetime) -> datetime | None:
    """The first time at or after `after` that respects windows, daily cap and spacing."""
    taken = sorted(taken)
    moment = _ceil_minute(after)
    limit = after + _HORIZON
    while moment < limit:
        found = _next_window_time(rules, moment)
        if found is None:
            return None
        moment = found
        if rules.daily_cap and sum(_same_local_day(rules, t, moment) for t in taken) >= rules.daily_cap:
            moment = _day_start_after(rules, moment)
            continue
        clashes = [t for t in taken if abs(t - moment) < rules.spacing] if rules.spacing else []
        if clashes:
            moment = _ceil_minute(max(clashes) + rules.spacing)
            continue
        return moment
    return None


def _ceil_minute(moment: datetime) -> datetime:
    trimmed = moment.replace(second=0, microsecond=0)
    return trimmed if trimmed == moment else trimmed + timedelta(minutes=1)
