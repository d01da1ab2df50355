"""Publishing pages: posts and outcomes, manual posting, partner requests, scheduling, calendar, pause."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.channels.connectors.webhook import sign
from app.channels.scheduling import parse_windows
from app.common.crypto import decrypt_credentials
from app.extensions import db
from app.publishing.models import Post, PostStatus
from tests.conftest import PASSWORD


def test_posts_page_shows_attempts_and_the_remote_link(
    client, auth, staff, platform_channel, make_message, schedule, dispatch, now, mastodon
):
    channel, _ = platform_channel("mastodon")
    [post] = schedule(make_message(), [channel], now=now)
    mastodon.script("500")
    dispatch(now)
    dispatch(now + timedelta(minutes=31))
    auth.login(staff)
    listing = client.get("/publishing/posts?status=posted").get_data(as_text=True)
    assert post.remote_url in listing
    page = client.get(f"/publishing/posts/{post.id}").get_data(as_text=True)
    assert (
        "platform error (may have been posted)" in page
        and "posted" in page
        and "something went wrong" in page
    )
    assert client.get("/publishing/posts?status=failed").get_data(as_text=True).count(post.remote_url) == 0


def test_manual_list_copy_button_and_mark_posted(
    client, auth, staff, lead, org, make_channel, make_message, schedule, now
):
    channel = make_channel(org, "manual", name="Instagram by hand")
    [post] = schedule(make_message(), [channel], now=now)
    auth.login(staff)  # staff see the list; only leads record what was posted
    client.post(f"/publishing/posts/{post.id}/mark-posted", data={"url": "https://instagram.example/p/x"})
    db.session.expire_all()
    assert post.status == PostStatus.QUEUED
    auth.logout()
    auth.login(lead)
    page = client.get("/publishing/manual").get_data(as_text=True)
    assert f'data-copy="manual-text-{post.id}"' in page and post.text in page
    response = client.post(
        f"/publishing/posts/{post.id}/mark-posted",
        data={"url": "https://instagram.example/p/abc", "next": "/publishing/manual"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/publishing/manual")
    db.session.expire_all()
    assert post.status == PostStatus.POSTED and post.remote_url == "https://instagram.example/p/abc"
    assert "Nothing to post by hand" in client.get("/publishing/manual").get_data(as_text=True)


def test_partner_requests_page_accept_and_decline(
    client, auth, make_org, make_user, make_channel, make_message, schedule, now
):
    partner = make_org("partner", name="Partner")
    partner_lead = make_user(Role.LEAD, org=partner)
    channel = make_channel(partner, "manual", name="Partner page")
    [first] = schedule(make_message(), [channel], now=now)
    [second] = schedule(make_message(), [channel], now=now, at=now + timedelta(hours=1))
    auth.login(partner_lead)
    page = client.get("/publishing/partner-requests").get_data(as_text=True)
    assert first.text in page and second.text in page
    client.post(f"/publishing/posts/{first.id}/accept")
    client.post(f"/publishing/posts/{second.id}/decline", data={"reason": "Not our audience"})
    db.session.expire_all()
    assert first.status == PostStatus.QUEUED
    assert second.status == PostStatus.CANCELLED and second.partner_decline_reason == "Not our audience"


def test_lead_schedules_from_the_form(client, auth, lead, org, make_channel, make_message):
    channel = make_channel(org, "manual", name="By hand")
    message = make_message()
    auth.login(lead)
    assert message.text in client.get("/publishing/ready").get_data(as_text=True)
    response = client.post(
        f"/publishing/schedule/{message.id}", data={"channel_ids": [channel.id], "mode": "next"}
    )
    assert response.status_code == 302
    post = db.session.scalar(select(Post))
    assert post.channel_id == channel.id and post.status == PostStatus.QUEUED
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "post.scheduled"))
    again = client.post(
        f"/publishing/schedule/{message.id}",
        data={"channel_ids": [channel.id], "mode": "next"},
        follow_redirects=True,
    )
    assert "already scheduled" in again.get_data(as_text=True)


def test_a_chosen_time_left_empty_is_explained_and_nothing_is_scheduled(
    client, auth, lead, org, make_channel, make_message
):
    channel = make_channel(org, "manual", name="By hand")
    message = make_message()
    auth.login(lead)
    response = client.post(
        f"/publishing/schedule/{message.id}", data={"channel_ids": [channel.id], "mode": "at", "at": ""}
    )
    assert response.status_code in (200, 400)
    assert "Give the date and time" in response.get_data(as_text=True)
    assert db.session.scalar(select(Post)) is None


def test_staff_cannot_schedule_or_cancel(client, auth, staff, org, make_channel, make_message, schedule, now):
    channel = make_channel(org, "manual")
    message = make_message()
    [post] = schedule(message, [channel], now=now)
    auth.login(staff)
    assert client.get(f"/publishing/schedule/{message.id}").status_code == 403
    client.post(f"/publishing/posts/{post.id}/cancel")
    db.session.expire_all()
    assert post.status == PostStatus.QUEUED


def test_lead_cancels_with_confirmation(client, auth, lead, org, make_channel, make_message, schedule, now):
    [post] = schedule(make_message(), [make_channel(org, "manual")], now=now)
    auth.login(lead)
    assert "data-confirm" in client.get(f"/publishing/posts/{post.id}").get_data(as_text=True)
    client.post(f"/publishing/posts/{post.id}/cancel")
    db.session.expire_all()
    assert post.status == PostStatus.CANCELLED


def test_another_organisations_posts_are_404(
    client, auth, make_org, make_user, org, make_channel, make_message, schedule, now
):
    [post] = schedule(make_message(), [make_channel(org, "manual")], now=now)
    outsider = make_user(Role.LEAD, org=make_org("outside", name="Outside"))
    auth.login(outsider)
    assert client.get(f"/publishing/posts/{post.id}").status_code == 404
    for action in ("cancel", "resume", "mark-posted", "accept", "decline", "not-posted", "reconcile"):
        assert client.post(f"/publishing/posts/{post.id}/{action}").status_code == 404
    assert post.text not in client.get("/publishing/posts").get_data(as_text=True)
    assert client.get(f"/publishing/schedule/{post.message_id}").status_code == 404


def test_calendar_week_and_month_and_ics_feed(
    client, auth, lead, org, make_channel, make_message, schedule, now
):
    channel = make_channel(org, "manual", name="Cal channel")
    [post] = schedule(make_message(), [channel], now=now)
    auth.login(lead)
    day = now.date().isoformat()
    for view in ("week", "month"):
        page = client.get(f"/publishing/calendar?view={view}&date={day}").get_data(as_text=True)
        assert "Cal channel" in page
    assert "Cal channel" in client.get(
        f"/publishing/calendar?campaign_id={post.message.campaign_id}&date={day}"
    ).get_data(as_text=True)
    client.post("/publishing/calendar/feed")
    page = client.get("/publishing/calendar").get_data(as_text=True)
    token = page.split("/publishing/calendar/")[1].split(".ics")[0]
    auth.logout()
    feed = client.get(f"/publishing/calendar/{token}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in feed.get_data(as_text=True) and f"UID:post-{post.id}@" in feed.get_data(
        as_text=True
    )
    assert client.get("/publishing/calendar/not-the-token.ics").status_code == 404


def test_admin_pause_button_banner_and_audit(client, auth, admin, lead):
    auth.login(admin)
    client.post("/publishing/pause", data={"active": "1", "reason": "Crisis"})
    page = client.get("/publishing/posts").get_data(as_text=True)
    assert "Publishing is paused for the whole coalition" in page
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "publishing.paused"))
    client.post("/publishing/pause", data={"active": "0"})
    assert "Publishing is paused for the whole coalition" not in client.get("/publishing/posts").get_data(
        as_text=True
    )
    auth.logout()
    auth.login(lead)
    assert client.post("/publishing/pause", data={"active": "1"}).status_code == 403


def test_dashboard_card_counts_posts_needing_attention(
    client, auth, lead, platform_channel, make_message, schedule, dispatch, now, mastodon
):
    channel, _ = platform_channel("mastodon")
    schedule(make_message(), [channel], now=now)
    mastodon.script("422", message="Text is invalid")
    dispatch(now)
    auth.login(lead)
    page = client.get("/").get_data(as_text=True)
    assert "1 post failed" in page


@pytest.fixture
def sink_client(database_url, app):
    """A development app with the sink switched on, as `make run` does."""
    from tests.conftest import make_test_app

    return make_test_app(database_url, COUNTERPOINT_DEV_WEBHOOK_SINK=True).test_client()


def test_dev_sink_verifies_standard_webhooks_signatures(sink_client, staff, admin, org, make_channel):
    """The demo webhook channel's sink accepts only deliveries signed with that channel's secret."""
    channel = make_channel(org, "webhook", settings={"url": "http://127.0.0.1:5000/dev/webhook-sink"})
    body = json.dumps({"type": "post.publish", "data": {"text": "Hello sink"}}).encode()
    timestamp = int(time.time())
    headers = {
        "webhook-id": "abc123",
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(decrypt_credentials(channel)["secret"], "abc123", timestamp, body),
        "content-type": "application/json",
    }
    client = sink_client
    assert client.post("/dev/webhook-sink", data=body, headers=headers).status_code == 200
    headers["webhook-signature"] = "v1,AAAA"
    assert client.post("/dev/webhook-sink", data=body, headers=headers).status_code == 401
    client.post("/login", data={"email": staff.email, "password": PASSWORD})
    assert client.get("/dev/webhook-sink").status_code == 403  # deliveries are for admins
    client.post("/logout")
    client.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert "Hello sink" in client.get("/dev/webhook-sink").get_data(as_text=True)


@pytest.mark.parametrize(
    "config",
    [
        {"COUNTERPOINT_ENV": "production", "COUNTERPOINT_DEV_WEBHOOK_SINK": True},
        {"COUNTERPOINT_ENV": "staging", "COUNTERPOINT_DEV_WEBHOOK_SINK": True},
        {"COUNTERPOINT_ENV": "development"},
    ],
)
def test_dev_sink_exists_only_in_development_when_asked_for(database_url, config):
    from tests.conftest import make_test_app

    assert "dev_webhook_sink" not in make_test_app(database_url, **config).view_functions


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Next free slot: 2027-03-08 10:00 (Europe/Paris)."),
        ("fr", "Prochain créneau libre : 2027-03-08 10:00 (Europe/Paris)."),
    ],
)
def test_a_refused_time_names_the_next_free_slot_in_the_readers_zone(
    client, auth, lead, org, make_channel, make_message, language, expected
):
    # The channel posts on weekdays 09:00-18:00 UTC; the lead's organisation is in Europe/Paris.
    channel = make_channel(org, "manual", name="By hand", posting_windows=parse_windows("mon-fri 09:00-18:00"))
    message = make_message()
    auth.login(lead)
    response = client.post(
        f"/publishing/schedule/{message.id}",
        data={"channel_ids": [channel.id], "mode": "at", "at": "2027-03-06T12:00"},  # a Saturday
        headers={"Accept-Language": language},
        follow_redirects=True,
    )
    assert expected in response.get_data(as_text=True)
    assert db.session.scalar(select(Post)) is None
