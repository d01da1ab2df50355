"""The calendar feed stays small at scale, and what is planned is never pushed out by a busy past week."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from app.extensions import db
from app.publishing import calendar
from app.publishing.models import Post


def _bulk_posts(messages, channels, *, start, step):
    """One post per (message, channel), `step` apart from `start`, inserted as a bulk insert does."""
    rows = []
    for m, message in enumerate(messages):
        for c, channel in enumerate(channels):
            rows.append(
                {
                    "message_id": message.id,
                    "version_id": message.current_version_id,
                    "channel_id": channel.id,
                    "content_hash": message.current_version.content_hash,
                    "text": "A neighbour helped us " + "again and again " * 30,
                    "scheduled_at": start + step * (m * len(channels) + c),
                    "status": "queued" if step > timedelta(0) else "posted",
                    "idempotency_key": f"feed-{message.id}-{channel.id}-{step.total_seconds()}",
                }
            )
    db.session.execute(insert(Post), rows)
    db.session.commit()


def test_a_busy_feed_keeps_what_is_planned_and_stays_small(client, auth, lead, org, make_channel, make_message, now):
    channels = [make_channel(org, "manual", name=f"Feed {i}") for i in range(20)]
    past_messages = [make_message() for _ in range(10)]
    planned_messages = [make_message() for _ in range(10)]
    _bulk_posts(past_messages, channels, start=now - timedelta(minutes=1), step=-timedelta(minutes=20))
    _bulk_posts(planned_messages, channels, start=now + timedelta(hours=1), step=timedelta(minutes=20))
    soonest = db.session.scalar(select(Post).where(Post.scheduled_at > now).order_by(Post.scheduled_at).limit(1))

    auth.login(lead)
    client.post("/publishing/calendar/feed")
    token = client.get("/publishing/calendar").get_data(as_text=True).split("/publishing/calendar/")[1].split(".ics")[0]
    auth.logout()
    feed = client.get(f"/publishing/calendar/{token}.ics")
    body = feed.get_data(as_text=True)

    assert body.count("BEGIN:VEVENT") == calendar.FEED_LIMIT  # 400 posts in the window, 250 in the feed
    assert f"UID:post-{soonest.id}@" in body  # the next post planned is there
    assert body.count("SUMMARY:[posted]") <= calendar.FEED_LIMIT // 4
    assert len(feed.data) < 200 * 1024


def test_posts_inserted_in_bulk_keep_their_messages_campaign(org, make_channel, make_message, now):
    channel = make_channel(org, "manual")
    message = make_message()
    _bulk_posts([message], [channel], start=now + timedelta(hours=1), step=timedelta(minutes=5))
    post = db.session.scalar(select(Post).where(Post.message_id == message.id))
    assert post.campaign_id == message.campaign_id


def test_long_accented_descriptions_are_folded_on_whole_characters(
    client, auth, lead, org, make_channel, make_message, now
):
    channel = make_channel(org, "manual", name="Feed accents")
    message = make_message()
    text = "Entraide à l’école : les voisins 🤝 se relaient, été comme hiver. " * 4
    _bulk_posts([message], [channel], start=now + timedelta(hours=1), step=timedelta(minutes=5))
    db.session.execute(Post.__table__.update().where(Post.message_id == message.id).values(text=text))
    db.session.commit()

    auth.login(lead)
    client.post("/publishing/calendar/feed")
    token = client.get("/publishing/calendar").get_data(as_text=True).split("/publishing/calendar/")[1].split(".ics")[0]
    auth.logout()
    body = client.get(f"/publishing/calendar/{token}.ics").data

    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75  # RFC 5545: at most 75 octets a line
    unfolded = body.decode().replace("\r\n ", "")  # a calendar app joins the folded lines back
    description = next(line for line in unfolded.split("\r\n") if line.startswith("DESCRIPTION:"))
    expected = calendar._shorten(text, calendar.FEED_TEXT)
    assert description == "DESCRIPTION:" + expected.replace(",", "\\,").replace(";", "\\;")
