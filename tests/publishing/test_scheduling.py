"""Scheduling rules: windows in the channel's time zone (across DST), spacing, daily caps; partners."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.channels.scheduling import SlotRules, WindowSyntaxError, next_free_slot, parse_windows, refusal
from app.extensions import db
from app.notifications.models import Notification
from app.publishing import services
from app.publishing.models import Post, PostStatus
from tests.publishing.conftest import at


def test_parse_and_refuse_window_syntax():
    assert parse_windows("mon-fri 09:00-12:00, 14:00-18:00\nsat 10:00-24:00") == {
        "mon": [["09:00", "12:00"], ["14:00", "18:00"]],
        "tue": [["09:00", "12:00"], ["14:00", "18:00"]],
        "wed": [["09:00", "12:00"], ["14:00", "18:00"]],
        "thu": [["09:00", "12:00"], ["14:00", "18:00"]],
        "fri": [["09:00", "12:00"], ["14:00", "18:00"]],
        "sat": [["10:00", "24:00"]],
    }
    for bad in ("someday 09:00-10:00", "mon 9-10", "mon 18:00-09:00", "mon"):
        with pytest.raises(WindowSyntaxError):
            parse_windows(bad)


def test_next_slot_waits_for_the_window_in_the_channels_time_zone():
    rules = SlotRules(time_zone="Europe/Paris", windows=parse_windows("mon-fri 09:00-18:00"))
    # Saturday 2026-03-07 12:00 UTC → Monday 09:00 Paris = 08:00 UTC (winter time).
    assert next_free_slot(rules, [], at("2026-03-07T12:00:00")) == at("2026-03-09T08:00:00")
    # Inside a window: as soon as possible (rounded up to the minute).
    assert next_free_slot(rules, [], at("2026-03-09T10:00:30")) == at("2026-03-09T10:01:00")


def test_windows_follow_the_dst_change():
    """Europe/Paris moves to summer time on 2026-03-29: 09:00 local is 08:00 UTC before, 07:00 UTC after."""
    rules = SlotRules(time_zone="Europe/Paris", windows=parse_windows("daily 09:00-10:00"))
    assert next_free_slot(rules, [], at("2026-03-28T12:00:00")) == at("2026-03-29T07:00:00")
    assert next_free_slot(rules, [], at("2026-03-27T12:00:00")) == at("2026-03-28T08:00:00")
    assert refusal(rules, [], at("2026-03-29T08:30:00")) is not None  # 10:30 local: outside
    assert refusal(rules, [], at("2026-03-29T07:30:00")) is None
    # New York changes on a different date (2026-03-08).
    ny = SlotRules(time_zone="America/New_York", windows=parse_windows("daily 09:00-10:00"))
    assert next_free_slot(ny, [], at("2026-03-07T20:00:00")) == at("2026-03-08T13:00:00")


def test_spacing_and_daily_cap():
    rules = SlotRules(time_zone="UTC", min_spacing_minutes=90, daily_cap=2)
    taken = [at("2026-05-04T10:00:00")]
    assert next_free_slot(rules, taken, at("2026-05-04T10:30:00")) == at("2026-05-04T11:30:00")
    assert refusal(rules, taken, at("2026-05-04T09:00:00")) is not None  # 60 min before: too close
    taken.append(at("2026-05-04T12:00:00"))
    # The cap of 2 is reached on the 4th: the next slot is the next day.
    assert next_free_slot(rules, taken, at("2026-05-04T15:00:00")) == at("2026-05-05T00:00:00")


def test_cap_counts_the_local_day_not_the_utc_day():
    rules = SlotRules(time_zone="Asia/Tokyo", daily_cap=1)
    taken = [at("2026-05-04T16:00:00")]  # 01:00 on the 5th in Tokyo
    assert next_free_slot(rules, taken, at("2026-05-04T20:00:00")) == at(
        "2026-05-05T15:00:00"
    )  # 00:00 on the 6th


def test_schedule_creates_one_post_per_channel_with_stable_keys(
    org, make_channel, make_message, schedule, now
):
    first, second = make_channel(org, "manual", name="A"), make_channel(org, "manual", name="B")
    message = make_message()
    posts = schedule(message, [first, second], now=now)
    assert [p.status for p in posts] == [PostStatus.QUEUED, PostStatus.QUEUED]
    assert posts[0].idempotency_key == services.idempotency_key(message.current_version_id, first.id)
    assert len(posts[0].idempotency_key) == 32
    with pytest.raises(services.PublishingError, match="already scheduled"):
        services.schedule_message(message, [first], actor=posts[0].created_by, at=None, now=now)


def test_schedule_refuses_unapproved_and_staff(org, make_channel, make_message, staff, lead, now):
    channel = make_channel(org)
    with pytest.raises(services.PublishingError, match="approved"):
        services.schedule_message(make_message(approved=False), [channel], actor=lead, at=None, now=now)
    with pytest.raises(services.PublishingError, match="lead"):
        services.schedule_message(make_message(), [channel], actor=staff, at=None, now=now)


def test_explicit_time_outside_window_is_refused_with_the_next_slot(org, make_channel, make_message, lead):
    channel = make_channel(org, posting_windows=parse_windows("mon-fri 09:00-18:00"))
    with pytest.raises(services.PublishingError, match=r"Next free slot: 2026-03-09 10:00 \(Europe/Paris\)"):
        services.schedule_message(
            make_message(), [channel], actor=lead, at=at("2026-03-07T12:00:00"), now=at("2026-03-06T12:00:00")
        )


def test_too_long_for_the_channels_limit_is_refused(org, make_channel, make_message, lead, now):
    channel = make_channel(org, "manual", char_limit_override=20)
    with pytest.raises(services.PublishingError, match="allows 20"):
        services.schedule_message(make_message("x" * 40), [channel], actor=lead, at=None, now=now)


def test_partner_channel_waits_for_that_partners_lead(
    make_org, make_user, make_channel, make_message, schedule, dispatch, lead, now, staff
):
    partner = make_org("partner", name="Partner")
    partner_lead = make_user(Role.LEAD, org=partner)
    partner_staff = make_user(Role.STAFF, org=partner)
    channel = make_channel(partner, "manual")
    [post] = schedule(make_message(), [channel], now=now)
    assert post.status == PostStatus.AWAITING_PARTNER
    assert (
        db.session.scalar(select(Notification.kind).where(Notification.user_id == partner_lead.id))
        == "partner_request"
    )
    assert db.session.scalars(services.partner_requests(partner_lead)).all() == [post]
    for outsider in (lead, partner_staff):  # neither the scheduler's lead nor the partner's staff may accept
        with pytest.raises(services.PublishingError):
            services.accept_partner(post, actor=outsider)
    services.accept_partner(post, actor=partner_lead)
    db.session.commit()
    assert post.status == PostStatus.QUEUED and post.partner_decided_by_id == partner_lead.id


def test_partner_decline_needs_a_reason_and_tells_the_scheduler(
    make_org, make_user, make_channel, make_message, schedule, lead, now
):
    partner = make_org("partner", name="Partner")
    partner_lead = make_user(Role.LEAD, org=partner)
    [post] = schedule(make_message(), [make_channel(partner, "manual")], now=now)
    with pytest.raises(services.PublishingError, match="why"):
        services.decline_partner(post, actor=partner_lead, reason=" ")
    services.decline_partner(post, actor=partner_lead, reason="Our members are in mourning this week.")
    db.session.commit()
    assert post.status == PostStatus.CANCELLED
    note = db.session.scalar(select(Notification).where(Notification.user_id == lead.id))
    assert "declined" in note.subject and "mourning" in note.body


def test_awaiting_partner_is_never_dispatched(
    make_org, make_channel, make_message, schedule, dispatch, now, receiver
):
    partner = make_org("partner", name="Partner")
    channel = make_channel(
        partner, "webhook", credentials={"secret": receiver.secret}, settings={"url": receiver.hook_url}
    )
    [post] = schedule(make_message(), [channel], now=now)
    dispatch(now + timedelta(minutes=5))
    assert post.status == PostStatus.AWAITING_PARTNER and receiver.deliveries == 0
    assert db.session.scalar(select(Post.id)) == post.id
