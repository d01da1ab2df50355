"""Calendar grids (week and month, in the organisation's time zone) and the ICS feed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select

from app.accounts.models import Organisation
from app.common.time import utcnow
from app.extensions import db
from app.publishing.models import CalendarFeed, Post, PostStatus

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


@dataclass
class Day:
    day: date
    in_month: bool = True
    posts: list[tuple[datetime, Post]] = field(default_factory=list)


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


def grid(query: Select, *, view: str, anchor: date, zone: str) -> list[list[Day]]:
    """Weeks of days with the posts of each day, in local time."""
    tz = ZoneInfo(zone)
    first, last = period(view, anchor)
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    posts = db.session.scalars(
        query.where(Post.scheduled_at >= start, Post.scheduled_at < end, Post.status.in_(SHOWN)).order_by(
            Post.scheduled_at
        )
    ).all()
    days = {first + timedelta(days=i): Day(first + timedelta(days=i)) for i in range((last - first).days + 1)}
    for post in posts:
        local = post.scheduled_at.astimezone(tz)
        days[local.date()].posts.append((local, post))
    if view == "month":
        for day in days.values():
            day.in_month = day.day.month == anchor.month
    ordered = list(days.values())
    return [ordered[i : i + 7] for i in range(0, len(ordered), 7)]


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
    """RFC 5545 lines are folded at 75 octets."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 74:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


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
            f"DESCRIPTION:{_escape(post.text)}",
            f"STATUS:{'CANCELLED' if post.status == PostStatus.CANCELLED else 'CONFIRMED'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
