"""A cancelled post that was never sent can be scheduled again: same row, same key, same checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.channels.scheduling import parse_windows
from app.drafting.models import VersionSource
from app.drafting.versions import save_version
from app.extensions import db
from app.notifications.models import Notification
from app.publishing import services
from app.publishing.models import Post, PostAttempt, PostStatus
from tests.publishing.conftest import at


def _cancel(post: Post, lead) -> None:
    services.cancel_post(post, actor=lead)
    db.session.commit()


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_cancelled_post_goes_out_again_once_with_the_same_key(
    platform_channel, make_message, schedule, dispatch, lead, now
):
    channel, mastodon = platform_channel("mastodon")
    [post] = schedule(make_message(), [channel], now=now, at=now + timedelta(hours=1))
    key, post_id = post.idempotency_key, post.id
    _cancel(post, lead)
    assert dispatch(now + timedelta(hours=2)).claimed == 0  # cancelled: nothing goes out

    services.reschedule_post(post, actor=lead, at=now + timedelta(hours=3), now=now + timedelta(hours=2))
    db.session.commit()

    assert post.status == PostStatus.QUEUED and post.id == post_id and post.idempotency_key == key
    assert post.scheduled_at == now + timedelta(hours=3)
    assert db.session.scalar(select(func.count()).select_from(Post)) == 1
    [event] = _audit("post.rescheduled")
    assert event.actor_id == lead.id and event.details["status"] == "queued"
    assert dispatch(now + timedelta(hours=2, minutes=30)).claimed == 0  # not before its new time
    assert dispatch(now + timedelta(hours=3)).outcomes == {"posted": 1}
    assert post.status == PostStatus.POSTED and [a.outcome for a in post.attempts] == ["posted"]
    assert dispatch(now + timedelta(hours=4)).claimed == 0
    assert dict(mastodon.created_by_key) == {key: 1} and sum(mastodon.created_by_text.values()) == 1


def test_next_free_slot_honours_spacing_and_ignores_the_post_itself(
    org, make_channel, make_message, schedule, lead, now
):
    channel = make_channel(org, "manual", min_spacing_minutes=60)
    [post] = schedule(make_message(), [channel], now=now)
    [other] = schedule(make_message(), [channel], now=now)
    assert other.scheduled_at == post.scheduled_at + timedelta(minutes=60)
    _cancel(post, lead)
    with pytest.raises(services.PublishingError, match="cannot post then"):
        services.reschedule_post(post, actor=lead, at=other.scheduled_at + timedelta(minutes=10), now=now)
    db.session.rollback()
    services.reschedule_post(post, actor=lead, at=None, now=now)
    assert post.status == PostStatus.QUEUED and post.scheduled_at == now  # its own old slot is free again


def test_outside_the_posting_window_is_refused_with_the_next_slot(org, make_channel, make_message, lead):
    channel = make_channel(org, "manual", posting_windows=parse_windows("mon-fri 09:00-18:00"))
    monday = at("2026-03-09T10:00:00")
    [post] = services.schedule_message(make_message(), [channel], actor=lead, at=monday, now=monday)
    db.session.commit()
    _cancel(post, lead)
    with pytest.raises(services.PublishingError, match=r"Next free slot: 2026-03-09 10:00 \(Europe/Paris\)"):
        services.reschedule_post(
            post, actor=lead, at=at("2026-03-08T12:00:00"), now=at("2026-03-06T12:00:00")
        )
    db.session.rollback()
    assert post.status == PostStatus.CANCELLED


def test_refused_when_the_post_had_an_attempt(org, make_channel, make_message, schedule, lead, now):
    channel = make_channel(org, "manual")
    [post] = schedule(make_message(), [channel], now=now)
    db.session.add(PostAttempt(post_id=post.id, outcome="transient"))  # a try that may have landed
    db.session.commit()
    _cancel(post, lead)
    assert services.can_reschedule(lead, post) is False
    with pytest.raises(services.PublishingError, match="already sent"):
        services.reschedule_post(post, actor=lead, at=None, now=now)
    db.session.rollback()
    post.attempt_count = 1
    db.session.execute(PostAttempt.__table__.delete())
    db.session.commit()
    with pytest.raises(services.PublishingError, match="already sent"):
        services.reschedule_post(post, actor=lead, at=None, now=now)


def test_refused_for_staff_and_other_organisations(
    org, make_org, make_user, make_channel, make_message, schedule, lead, staff, now
):
    partner = make_org("partner", name="Partner")
    partner_lead = make_user(Role.LEAD, org=partner)
    [post] = schedule(make_message(), [make_channel(org, "manual")], now=now)
    _cancel(post, lead)
    for person in (staff, partner_lead):
        assert services.can_reschedule(person, post) is False
        with pytest.raises(services.PublishingError, match="Only a lead of the message's organisation"):
            services.reschedule_post(post, actor=person, at=None, now=now)
    assert post.status == PostStatus.CANCELLED


def test_refused_when_the_approved_text_changed(org, make_channel, make_message, schedule, lead, author, now):
    message = make_message()
    [post] = schedule(message, [make_channel(org, "manual")], now=now)
    _cancel(post, lead)
    save_version(
        message, text="A new text, not approved yet.", variants={}, source=VersionSource.HUMAN, author=author
    )
    db.session.commit()
    with pytest.raises(services.PublishingError, match="approved text has changed"):
        services.reschedule_post(post, actor=lead, at=None, now=now)


def test_refused_when_not_cancelled_or_channel_archived(org, make_channel, make_message, schedule, lead, now):
    channel = make_channel(org, "manual")
    [post] = schedule(make_message(), [channel], now=now)
    with pytest.raises(services.PublishingError, match="Only a cancelled post"):
        services.reschedule_post(post, actor=lead, at=None, now=now)
    _cancel(post, lead)
    channel.is_archived = True
    db.session.commit()
    with pytest.raises(services.PublishingError, match="archived"):
        services.reschedule_post(post, actor=lead, at=None, now=now)


def test_a_partner_channel_asks_the_partner_again(
    make_org, make_user, make_channel, make_message, schedule, lead, now
):
    partner = make_org("partner", name="Partner")
    partner_lead = make_user(Role.LEAD, org=partner)
    [post] = schedule(make_message(), [make_channel(partner, "manual")], now=now)
    services.decline_partner(post, actor=partner_lead, reason="Not this week.")
    db.session.commit()
    services.reschedule_post(post, actor=lead, at=now + timedelta(days=7), now=now)
    db.session.commit()
    assert post.status == PostStatus.AWAITING_PARTNER and post.partner_decline_reason is None
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == partner_lead.id)).all()
    assert kinds == ["partner_request", "partner_request"]


# ---------------------------------------------------------------- through the page


def test_schedule_again_form_on_the_post_page(
    client, auth, org, make_channel, make_message, schedule, lead, now
):
    [post] = schedule(make_message(), [make_channel(org, "manual")], now=now)
    key = post.idempotency_key
    auth.login(lead)
    assert "Schedule again" not in client.get(f"/publishing/posts/{post.id}").get_data(as_text=True)
    client.post(f"/publishing/posts/{post.id}/cancel")
    page = client.get(f"/publishing/posts/{post.id}").get_data(as_text=True)
    assert "Schedule again" in page and f"/publishing/posts/{post.id}/reschedule" in page

    missing = client.post(f"/publishing/posts/{post.id}/reschedule", data={"mode": "at", "at": ""})
    assert missing.status_code == 400 and "Give the date and time" in missing.get_data(as_text=True)
    past = client.post(
        f"/publishing/posts/{post.id}/reschedule", data={"mode": "at", "at": "2020-01-02T10:30"}
    )
    text = past.get_data(as_text=True)
    assert past.status_code == 422 and "Choose a time in the future" in text
    assert 'value="2020-01-02T10:30"' in text  # what was typed stays

    done = client.post(
        f"/publishing/posts/{post.id}/reschedule", data={"mode": "next"}, follow_redirects=True
    )
    assert "Scheduled again with the same key." in done.get_data(as_text=True)
    db.session.expire_all()
    assert post.status == PostStatus.QUEUED and post.idempotency_key == key
    assert len(_audit("post.rescheduled")) == 1


def test_the_page_refuses_staff_and_hides_from_other_organisations(
    client, auth, org, make_org, make_user, make_channel, make_message, schedule, lead, staff, now
):
    [post] = schedule(make_message(), [make_channel(org, "manual")], now=now)
    _cancel(post, lead)
    auth.login(staff)
    assert "Schedule again" not in client.get(f"/publishing/posts/{post.id}").get_data(as_text=True)
    assert client.post(f"/publishing/posts/{post.id}/reschedule", data={"mode": "next"}).status_code == 403
    auth.logout()
    auth.login(make_user(Role.LEAD, org=make_org("outside", name="Outside")))
    assert client.post(f"/publishing/posts/{post.id}/reschedule", data={"mode": "next"}).status_code == 404
    db.session.expire_all()
    assert post.status == PostStatus.CANCELLED and _audit("post.rescheduled") == []
