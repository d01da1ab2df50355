"""A busy day on the calendar: the first posts of the day in time order, and how many more there are."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from app.extensions import db
from app.publishing import calendar
from app.publishing.models import Post


def _posts_at(make_message, channel, moments: list[datetime]) -> list[int]:
    """Queued posts at these moments (one message each), inserted as a bulk insert does; their ids."""
    messages = [make_message() for _ in moments]
    rows = [
        {
            "message_id": message.id,
            "version_id": message.current_version_id,
            "channel_id": channel.id,
            "content_hash": message.current_version.content_hash,
            "text": f"Busy day post {i}",
            "scheduled_at": moment,
            "status": "queued",
            "idempotency_key": f"busy-{message.id}-{i}",
        }
        for i, (message, moment) in enumerate(zip(messages, moments, strict=True))
    ]
    db.session.execute(insert(Post), rows)
    db.session.commit()
    return [db.session.scalar(select(Post.id).where(Post.message_id == message.id)) for message in messages]


def _shown(page: str, day: str) -> list[int]:
    cell = page.split(f'data-date="{day}"')[1].split("</td>")[0]
    return [int(found) for found in re.findall(r'data-post-id="(\d+)"', cell)]


def test_a_busy_day_shows_its_first_posts_and_counts_the_rest(
    client, auth, lead, org, make_channel, make_message, now
):
    zone = ZoneInfo(org.time_zone)
    day = (now.astimezone(zone) + timedelta(days=10)).date()
    at = [datetime.combine(day, time(hour), tzinfo=zone) for hour in (13, 10, 12, 12, 11, 12, 23)]
    ids = _posts_at(make_message, make_channel(org, "manual", name="Busy channel"), at)
    quiet = day + timedelta(days=1)
    midnight = datetime.combine(quiet, time(0), tzinfo=zone)
    quiet_ids = _posts_at(make_message, make_channel(org, "manual"), [midnight])
    auth.login(lead)

    month = client.get(f"/publishing/calendar?view=month&date={day.isoformat()}").get_data(as_text=True)
    # 10:00, 11:00, then the two 12:00 posts planned first; three more are counted and linked
    assert calendar.PER_DAY["month"] == 4
    assert _shown(month, day.isoformat()) == [ids[1], ids[4], ids[2], ids[3]]
    assert "3 more posts" in month and f"/publishing/posts?day={day.isoformat()}" in month
    assert _shown(month, quiet.isoformat()) == quiet_ids  # midnight belongs to the next day

    week = client.get(f"/publishing/calendar?view=week&date={day.isoformat()}").get_data(as_text=True)
    assert _shown(week, day.isoformat()) == [ids[1], ids[4], ids[2], ids[3], ids[5], ids[0], ids[6]]
    assert "more post" not in week
