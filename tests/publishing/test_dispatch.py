"""The publisher against loopback fakes of each platform: outcomes, error classes, retries, exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.notifications.models import Notification
from app.publishing.models import PostStatus

PLATFORMS = ("mastodon", "bluesky", "telegram", "webhook")


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_platform_publishes_once_with_link_and_attempt(
    platform, platform_channel, make_message, schedule, dispatch, now
):
    channel, fake = platform_channel(platform)
    [post] = schedule(make_message(), [channel], now=now)

    report = dispatch(now)

    assert report.outcomes == {"posted": 1}
    assert post.status == PostStatus.POSTED and post.remote_id
    assert [a.outcome for a in post.attempts] == ["posted"]
    assert fake.created_by_text[post.text] == 1
    assert _events("post.published")[0].details["remote_id"] == post.remote_id
    if platform in ("mastodon", "telegram"):
        assert post.remote_url
    # Nothing left to do: a second pass publishes nothing more.
    assert dispatch(now + timedelta(minutes=5)).claimed == 0
    assert sum(fake.created_by_text.values()) == 1


def test_platform_variant_text_is_frozen_at_scheduling(
    platform_channel, make_message, schedule, dispatch, now, mastodon
):
    channel, _ = platform_channel("mastodon")
    message = make_message(
        "The main text for every platform.", variants={"mastodon": "Mastodon's own words."}
    )
    [post] = schedule(message, [channel], now=now)
    dispatch(now)
    assert post.text == "Mastodon's own words."
    assert list(mastodon.created_by_text) == ["Mastodon's own words."]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_credentials_refused_means_no_retry_channel_reauth_posts_held(
    platform, platform_channel, make_message, schedule, dispatch, now, lead
):
    channel, fake = platform_channel(platform)
    [first] = schedule(make_message(), [channel], now=now)
    [second] = schedule(make_message(), [channel], now=now, at=now + timedelta(minutes=30))
    if platform == "webhook":
        fake.secret = "whsec_" + "QUFB" * 11  # the receiver rotated its secret: our signatures fail (401)
    else:
        fake.script("401")

    assert dispatch(now).outcomes == {"auth_refused": 1}
    calls = fake.create_calls if platform != "webhook" else fake.rejected_signatures
    assert calls == 1
    assert first.status == PostStatus.HELD and second.status == PostStatus.HELD
    assert "credentials" in first.held_reason
    assert channel.needs_reauth is True
    notes = db.session.scalars(select(Notification).where(Notification.user_id == lead.id)).all()
    assert [n.kind for n in notes] == ["channel_needs_reauth"]
    # Zero retries, even long after.
    dispatch(now + timedelta(hours=2))
    assert (fake.create_calls if platform != "webhook" else fake.rejected_signatures) == calls
    assert first.attempt_count == 1


def test_rate_limit_waits_for_the_reset_without_any_request_before(
    platform_channel, make_message, schedule, dispatch, now, mastodon
):
    channel, _ = platform_channel("mastodon")
    [post] = schedule(make_message(), [channel], now=now)
    [other] = schedule(make_message(), [channel], now=now, at=now + timedelta(seconds=60))
    mastodon.script("429", reset_in=600)

    assert dispatch(now).outcomes == {"rate_limited": 1}
    reset = post.next_attempt_at
    assert reset is not None and reset >= now + timedelta(seconds=500)
    assert other.next_attempt_at >= reset  # the whole channel waits
    calls = mastodon.create_calls
    for minutes in (1, 3, 8):
        dispatch(now + timedelta(minutes=minutes))
    assert mastodon.create_calls == calls  # 0 requests before the reset
    dispatch(reset + timedelta(seconds=1))
    assert post.status == PostStatus.POSTED
    assert [a.outcome for a in post.attempts] == ["rate_limited", "posted"]
    assert post.attempts[0].http_status == 429


def test_a_rate_limit_reset_past_the_lateness_limit_waits_for_a_person(
    platform_channel, make_message, schedule, dispatch, now, mastodon
):
    channel, _ = platform_channel("mastodon")
    [post] = schedule(make_message(), [channel], now=now)
    mastodon.script("429", reset_in=2 * 3600)  # beyond the default 60-minute lateness limit

    dispatch(now)
    calls = mastodon.create_calls
    dispatch(post.next_attempt_at + timedelta(seconds=1))
    assert post.status == PostStatus.MISSED  # never auto-posted two hours late
    assert mastodon.create_calls == calls


def test_server_error_backs_off_with_jitter_and_retries_with_the_same_key(
    platform_channel, make_message, schedule, dispatch, now, mastodon
):
    channel, _ = platform_channel("mastodon")
    [post] = schedule(make_message(), [channel], now=now)
    mastodon.script("500")

    assert dispatch(now).outcomes == {"retry": 1}
    assert post.status == PostStatus.QUEUED
    assert now <= post.next_attempt_at <= now + timedelta(seconds=30)
    dispatch(now + timedelta(minutes=31))
    assert post.status == PostStatus.POSTED
    keys = {r.headers.get("idempotency-key") for r in mastodon.requests_to("/api/v1/statuses", "POST")}
    assert keys == {post.idempotency_key}
    assert mastodon.created_by_key[post.idempotency_key] == 1


def test_gives_up_after_six_tries_and_settles_as_unknown_outcome(
    platform_channel, make_message, schedule, dispatch, now, mastodon, lead
):
    channel, _ = platform_channel("mastodon")
    [post] = schedule(make_message(), [channel], now=now)
    for _ in range(6):
        mastodon.script("500")
    moment = now
    for _ in range(7):  # backoff ≤ 30 s × 2^n: six tries fit in the hour Mastodon keeps the key
        dispatch(moment)
        moment += timedelta(minutes=9)
    assert mastodon.create_calls == 6
    assert post.status == PostStatus.UNKNOWN_OUTCOME
    assert post.attempt_count == 6
    assert (
        db.session.scalar(select(Notification.kind).where(Notification.user_id == lead.id))
        == "post_unknown_outcome"
    )


@pytest.mark.parametrize("platform", ("mastodon", "bluesky", "webhook"))
def test_timeout_after_the_server_stored_the_post_leaves_one_post(
    platform, platform_channel, make_message, schedule, dispatch, now
):
    channel, fake = platform_channel(platform)
    [post] = schedule(make_message(), [channel], now=now)
    fake.script("timeout_after_store")

    assert dispatch(now).outcomes == {"retry": 1}
    assert post.attempts[0].outcome == "unknown"
    dispatch(now + timedelta(minutes=31))

    assert post.status == PostStatus.POSTED
    if platform == "webhook":  # no lookup: re-sent with the same webhook-id, which the receiver drops
        assert fake.deliveries == 2
    else:  # looked up before any re-send: found, so never sent twice
        assert fake.create_calls == 1
        assert [a.outcome for a in post.attempts] == ["unknown", "found"]
    assert fake.created_by_text[post.text] == 1  # ONE post on the server after the retries
    assert fake.duplicates() == {}


def test_timeout_without_dedupe_is_never_resent_blindly(
    platform_channel, make_message, schedule, dispatch, now, telegram
):
    channel, _ = platform_channel("telegram")
    [post] = schedule(make_message(), [channel], now=now)
    telegram.script("timeout_after_store")

    assert dispatch(now).outcomes == {"unknown_outcome": 1}
    dispatch(now + timedelta(hours=1))
    assert post.status == PostStatus.UNKNOWN_OUTCOME
    assert telegram.create_calls == 1 and len(telegram.messages) == 1


def test_unknown_outcome_reconciled_by_looking_the_post_up(
    platform_channel, make_message, schedule, dispatch, now, mastodon
):
    """Past the dedupe window, the post is looked up on the account instead of re-sent."""
    channel, _ = platform_channel("mastodon")
    [post] = schedule(make_message(), [channel], now=now)
    mastodon.script("timeout_after_store")
    dispatch(now)
    dispatch(now + timedelta(hours=2))  # the hour-long Idempotency-Key window has closed
    assert post.status == PostStatus.POSTED
    assert mastodon.create_calls == 1
    assert post.remote_id == mastodon.statuses[0]["id"]
    assert post.attempts[-1].outcome == "found"


def test_rejected_content_fails_with_the_platforms_message(
    platform_channel, make_message, schedule, dispatch, now, mastodon
):
    channel, _ = platform_channel("mastodon")
    [post] = schedule(make_message(), [channel], now=now)
    mastodon.script("422", message="Validation failed: Text contains a forbidden word")
    assert dispatch(now).outcomes == {"failed": 1}
    assert post.status == PostStatus.FAILED
    assert "forbidden word" in post.last_error
    dispatch(now + timedelta(hours=1))
    assert mastodon.create_calls == 1


def test_manual_channels_are_never_dispatched(org, make_channel, make_message, schedule, dispatch, now):
    channel = make_channel(org, "manual")
    [post] = schedule(make_message(), [channel], now=now)
    assert dispatch(now + timedelta(minutes=5)).claimed == 0
    assert post.status == PostStatus.QUEUED
