"""Calendar grids (week and month, in the organisation's time zone) and the ICS feed."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, false, func, literal, or_, select, union_all
from sqlalchemy.orm import contains_eager, load_only

from app.accounts.models import Organisation
from app.channels.models import Channel
from app.common.time import utcnow
from app.extensions import db
from app.publishing.models import CalendarFeed, Post, PostStatus

# The feed's window: recent history and what is planned; calendar apps poll it, so it stays small:
# at most FEED_LIMIT events, what is planned first (a quarter at most for the past week), each
# description cut at FEED_TEXT characters (the post's page has the whole text).
FEED_DAYS_BACK, FEED_DAYS_AHEAD, FEED_LIMIT, FEED_TEXT = 7, 35, 250, 280
# What an event reads of a post joined to its channel (ics): not the channel's settings and secrets.
FEED_LOADS = (
    load_only(Post.id, Post.scheduled_at, Post.status, Post.text),
    contains_eager(Post.channel).load_only(Channel.id, Channel.display_name),
)

SHOWN = (
    PostStatus.AWAITING_PARTNER,
    PostStatus.QUEUED,
    PostStatus.SENDING,
    PostStatus.POSTED,
    PostStatus.HELD,
    PostStatus.MISSED,
    PostStatus.UNKNOWN_OUTCOME,
    PostStatus.FAILED,
)


# The most posts a day shows in each view; the rest are counted and linked to the posts list.
PER_DAY = {"week": 30, "month": 4}


# Whether a post may be moved from what a cell reads of it: its channel's organisation, status and
# attempts (moving.mover).
Mover = Callable[[int, str, int | None], bool]


@dataclass(frozen=True, slots=True)
class Chip:
    """A post as its day's cell shows it, read as plain columns and written out once (the template only
    prints it): 200 posts cost no ORM objects."""

    id: int
    time: str  # "14:30", local
    at: str  # "2026-12-01T14:30", local: where its "Move to…" field starts
    channel: str
    status: str
    text: str
    is_movable: bool


# What a cell shows of a post and what deciding whether it may be moved reads.
_CELL_COLUMNS = (
    Post.id,
    Post.scheduled_at,
    Post.status,
    Post.text,
    Post.attempt_count,
    Channel.display_name,
    Channel.organisation_id,
)


@dataclass
class Day:
    day: date
    in_month: bool = True
    posts: list[Chip] = field(default_factory=list)
    more: int = 0


def period(view: str, anchor: date) -> tuple[date, date]:
    """First and last day shown: a Monday-to-Sunday week, or the whole weeks covering a month."""
    if view == "month":
        first = anchor.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())
    start = anchor - timedelta(days=anchor.weekday())
    return start, start + timedelta(days=6)


def neighbours(view: str, anchor: date) -> tuple[date, date]:
    """The anchors of the previous and next period."""
    if view == "month":
        first = anchor.replace(day=1)
        return (first - timedelta(days=1)).replace(day=1), (first + timedelta(days=32)).replace(day=1)
    return anchor - timedelta(days=7), anchor + timedelta(days=7)


def grid(query: Select, *, view: str, anchor: date, zone: str, can_move: Mover) -> list[list[Day]]:
    """Weeks of days with the first posts of each day (local time) and how many more there are.

    Two queries whatever the number of posts, and the database reads only a few posts of each day
    beyond counting them: the first counts each local day's posts and finds the time of the last one
    shown (an index range that stops after PER_DAY posts); the second reads the posts up to those times,
    one index range per day, with what a cell shows of each (its columns and its channel's, no ORM
    objects).
    """
    tz = ZoneInfo(zone)
    first, last = period(view, anchor)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    starts = [datetime.combine(day, time(0), tzinfo=tz) for day in [*days, last + timedelta(days=1)]]
    limit = PER_DAY.get(view, PER_DAY["week"])
    shown = query.where(Post.status.in_(SHOWN))
    counted = db.session.execute(_counted_days(shown, starts, limit)).all()
    day_ranges = [(day.begins, day.until) for day in counted if day.total]
    rows = db.session.execute(_cells_of(shown, day_ranges)).all()
    by_day = {day: Day(day, in_month=view != "month" or day.month == anchor.month) for day in days}
    for row in rows:
        local = row.scheduled_at.astimezone(tz)
        cell = by_day[local.date()]
        if len(cell.posts) == limit:  # posts at the same time as the last one shown
            continue
        at = local.strftime("%Y-%m-%dT%H:%M")
        movable = can_move(row.organisation_id, row.status, row.attempt_count)
        cell.posts.append(Chip(row.id, at[11:], at, row.display_name, row.status, row.text, movable))
    for counts in counted:
        cell = by_day[days[counts.day]]
        cell.more = max(0, int(counts.total) - len(cell.posts))
    ordered = list(by_day.values())
    return [ordered[i : i + 7] for i in range(0, len(ordered), 7)]


def _cells_of(shown: Select, day_ranges: list[tuple[datetime, datetime]]) -> Select:
    """What the cells show of the posts in the given ranges (one per day), by time.

    Each database reads only the days' index ranges when asked its own way: PostgreSQL merges OR'd
    ranges into one bitmap (a UNION ALL of 42 days costs it 14 ms of planning and parallel workers),
    while SQLite scans for OR'd ranges and reads each SELECT of a UNION ALL by its index. A join on the
    day rows made PostgreSQL read the whole period against every day.
    """
    cells = (
        shown.with_only_columns(*_CELL_COLUMNS).join(Channel, Channel.id == Post.channel_id).order_by(None)
    )
    ranges = [and_(Post.scheduled_at >= begins, Post.scheduled_at <= until) for begins, until in day_ranges]
    if db.engine.dialect.name == "postgresql":
        return cells.where(or_(false(), *ranges)).order_by(Post.scheduled_at, Post.id)
    posts = union_all(*[cells.where(r) for r in ranges] or [cells.where(false())]).subquery("cells")
    return select(posts).order_by(posts.c.scheduled_at, posts.c.id)


def _counted_days(shown: Select, starts: list[datetime], limit: int) -> Select:
    """One row per day of the period: its place, when it begins, how many posts it holds and until when
    its posts are shown (the time of the last one shown, or the day's last moment when it holds fewer
    than `limit`), each an index range over that day alone."""
    moment = Post.__table__.c.scheduled_at.type
    bounds = union_all(
        *(
            select(
                literal(index).label("day"),
                literal(begins, moment).label("begins"),
                literal(ends, moment).label("ends"),
                literal(ends - timedelta(microseconds=1), moment).label("last_moment"),
            )
            for index, (begins, ends) in enumerate(zip(starts, starts[1:], strict=False))
        )
    ).subquery("days")
    in_day = shown.where(Post.scheduled_at >= bounds.c.begins, Post.scheduled_at < bounds.c.ends)
    total = in_day.with_only_columns(func.count()).order_by(None).scalar_subquery()
    last_shown = (
        in_day.with_only_columns(Post.scheduled_at)
        .order_by(Post.scheduled_at)
        .offset(limit - 1)
        .limit(1)
        .scalar_subquery()
    )
    return select(
        bounds.c.day,
        bounds.c.begins,
        total.label("total"),
        func.coalesce(last_shown, bounds.c.last_moment).label("until"),
    )


def feed_for(organisation: Organisation, *, create: bool = True) -> CalendarFeed | None:
    """The organisation's feed token, created on first use."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.organisation_id == organisation.id))
    if feed is None and create:
        feed = CalendarFeed(organisation_id=organisation.id, token=secrets.token_urlsafe(32))
        db.session.add(feed)
        db.session.flush()
    return feed


def reset_feed(organisation: Organisation) -> CalendarFeed:
    """A new secret token; subscriptions to the old address stop working."""
    feed = feed_for(organisation)
    if feed is None:  # feed_for creates it
        raise RuntimeError("no calendar feed")
    feed.token = secrets.token_urlsafe(32)
    db.session.flush()
    return feed


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r", "")
        .replace("\n", "\\n")
    )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """RFC 5545 lines are folded at 75 octets (never inside a character): 74 octets, then a space and
    73 octets per continuation line."""
    data = line.encode()
    if len(data) <= 74:
        return line
    parts, start, size = [], 0, 74
    while start < len(data):
        end = min(start + size, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back off
            end -= 1
        parts.append(data[start:end].decode())
        start, size = end, 73
    return "\r\n ".join(parts)


def _shorten(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def feed_posts(query: Select, *, now: datetime) -> list[Post]:
    """The feed's posts in time order: the next ones planned, and up to a quarter of the feed from
    the past week (the most recent), so a busy history never pushes what is planned out of it."""
    past = list(
        db.session.scalars(
            query.where(Post.scheduled_at >= now - timedelta(days=FEED_DAYS_BACK), Post.scheduled_at < now)
            .order_by(Post.scheduled_at.desc(), Post.id.desc())
            .limit(FEED_LIMIT // 4)
        )
    )
    upcoming = list(
        db.session.scalars(
            query.where(Post.scheduled_at >= now, Post.scheduled_at < now + timedelta(days=FEED_DAYS_AHEAD))
            .order_by(Post.scheduled_at, Post.id)
            .limit(FEED_LIMIT - len(past))
        )
    )
    return [*reversed(past), *upcoming]


def ics(posts: list[Post], *, name: str, host: str) -> str:
    """An iCalendar document with one event per post."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Counterpoint//Publishing calendar//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    now = _stamp(utcnow())
    for post in posts:
        summary = f"[{post.status}] {post.channel.display_name}: {post.text[:60]}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:post-{post.id}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_stamp(post.scheduled_at)}",
            f"DTEND:{_stamp(post.scheduled_at + timedelta(minutes=15))}",
            f"SUMMARY:{_escape(summary)}",
            f"DESCRIPTION:{_escape(_shorten(post.text, FEED_TEXT))}",
            f"STATUS:{'CANCELLED' if post.status == PostStatus.CANCELLED else 'CONFIRMED'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
