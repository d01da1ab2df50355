"""Pauses, lateness, lease recovery, cancel-before-claim and concurrent workers: the promises R1, R2, R4, R6."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.campaigns.models import CampaignStatus
from app.extensions import db
from app.publishing import services
from app.publishing.dispatch import (
    _mark_sending,
    dispatch_once,
    oldest_overdue,
    process_post,
    sweep_expired_leases,
)
from app.publishing.models import Post, PostStatus
from tests.publishing.conftest import claim


def test_global_pause_holds_due_posts_and_publishes_nothing(
    platform_channel, make_message, schedule, dispatch, now, admin, receiver
):
    channel, _ = platform_channel("webhook")
    [post] = schedule(make_message(), [channel], now=now)
    services.set_global_pause(True, actor=admin, reason="Crisis: attack this morning")
    db.session.commit()
    assert dispatch(now).outcomes == {"held": 1}
    assert post.status == PostStatus.HELD and "paused" in post.held_reason
    assert receiver.deliveries == 0
    assert db.session.scalar(select(AuditEvent.details).where(AuditEvent.action == "publishing.paused")) == {
        "reason": "Crisis: attack this morning"
    }
    # Resuming the pause does not resume held posts: a person does.
    services.set_global_pause(False, actor=admin)
    db.session.commit()
    dispatch(now + timedelta(minutes=1))
    assert post.status == PostStatus.HELD and receiver.deliveries == 0
    services.resume_post(post, actor=admin, now=now + timedelta(minutes=2))
    db.session.commit()
    dispatch(now + timedelta(minutes=2))
    assert post.status == PostStatus.POSTED and receiver.deliveries == 1


def test_only_admins_pause_everything(lead):
    with pytest.raises(services.PublishingError):
        services.set_global_pause(True, actor=lead)


@pytest.mark.parametrize("what", ["campaign", "channel"])
def test_campaign_or_channel_pause_publishes_nothing(
    what, platform_channel, make_message, schedule, dispatch, now, campaign, lead, receiver
):
    channel, _ = platform_channel("webhook")
    [post] = schedule(make_message(), [channel], now=now)
    if what == "campaign":
        campaign.status = CampaignStatus.PAUSED
    else:
        from app.channels.services import set_paused

        set_paused(channel, True, actor=lead)
    db.session.commit()
    dispatch(now)
    assert post.status == PostStatus.HELD and what in post.held_reason
    assert receiver.deliveries == 0


def test_an_edit_after_scheduling_holds_the_post(
    platform_channel, make_message, schedule, dispatch, now, receiver
):
    channel, _ = platform_channel("webhook")
    message = make_message()
    [post] = schedule(message, [channel], now=now)
    post.text = post.text + " (edited behind the approval's back)"
    db.session.commit()
    dispatch(now)
    assert post.status == PostStatus.HELD and "approv" in post.held_reason
    assert receiver.deliveries == 0


def test_past_the_lateness_limit_nothing_is_auto_posted_until_a_person_confirms(
    platform_channel, make_message, schedule, dispatch, now, lead, receiver
):
    channel, _ = platform_channel("webhook")
    [post] = schedule(make_message(), [channel], now=now)
    assert dispatch(now + timedelta(minutes=61)).outcomes == {"missed": 1}
    assert post.status == PostStatus.MISSED and receiver.deliveries == 0
    dispatch(now + timedelta(minutes=90))
    assert receiver.deliveries == 0
    services.resume_post(post, actor=lead, now=now + timedelta(minutes=95))
    db.session.commit()
    assert post.lateness_confirmed is True
    dispatch(now + timedelta(minutes=95))
    assert post.status == PostStatus.POSTED and receiver.deliveries == 1


def test_within_the_lateness_limit_it_still_goes_out(platform_channel, make_message, schedule, dispatch, now):
    channel, _ = platform_channel("webhook")
    [post] = schedule(make_message(), [channel], now=now)
    dispatch(now + timedelta(minutes=59))
    assert post.status == PostStatus.POSTED


def test_a_worker_killed_mid_request_is_recovered_with_the_same_key(
    platform_channel, make_message, schedule, dispatch, now, mastodon
):
    channel, _ = platform_channel("mastodon")
    [post] = schedule(make_message(), [channel], now=now)
    claim(post, "doomed-worker", now)
    db.session.expire_all()
    _mark_sending(db.session.get(Post, post.id), "doomed-worker", now)  # …and the process dies here
    db.session.expire_all()
    assert post.status == PostStatus.SENDING
    assert oldest_overdue(now + timedelta(minutes=6)) == post.scheduled_at  # /healthz shows it
    assert dispatch(now + timedelta(minutes=1)).claimed == 0  # the lease still runs

    assert sweep_expired_leases(now=now + timedelta(minutes=6)) == 1
    db.session.expire_all()
    assert post.status == PostStatus.QUEUED and post.attempts[0].outcome == "lease_expired"
    dispatch(now + timedelta(minutes=6))
    assert post.status == PostStatus.POSTED
    assert {r.headers["idempotency-key"] for r in mastodon.requests_to("/api/v1/statuses", "POST")} == {
        post.idempotency_key
    }
    assert db.session.scalar(select(func.count()).where(Post.status == PostStatus.SENDING)) == 0


def test_a_killed_worker_on_a_platform_without_dedupe_is_not_resent(
    app, platform_channel, make_message, schedule, now, telegram
):
    channel, _ = platform_channel("telegram")
    [post] = schedule(make_message(), [channel], now=now)
    claim(post, "doomed-worker", now)
    _mark_sending(db.session.get(Post, post.id), "doomed-worker", now)
    sweep_expired_leases(now=now + timedelta(minutes=6))
    dispatch_once(app, worker_id="w2", now=now + timedelta(minutes=6))
    db.session.expire_all()
    assert post.status == PostStatus.UNKNOWN_OUTCOME  # Telegram has no lookup: a person decides
    assert telegram.create_calls == 0


def test_cancel_before_the_claim_always_wins(
    platform_channel, make_message, schedule, dispatch, now, lead, receiver
):
    channel, _ = platform_channel("webhook")
    [before, between] = schedule(make_message(), [channel], now=now) + schedule(
        make_message(), [channel], now=now, at=now + timedelta(minutes=10)
    )
    services.cancel_post(before, actor=lead)
    db.session.commit()
    assert dispatch(now).claimed == 0
    # Claimed by a worker: the same compare-and-set refuses the cancel; the worker's claim stands.
    later = now + timedelta(minutes=10)
    assert claim(between, "w1", later) == between.id
    db.session.expire_all()
    with pytest.raises(services.PublishingError, match="sending this post right now"):
        services.cancel_post(between, actor=lead, now=later)
    db.session.rollback()
    assert process_post(between.id, worker_id="w1", now=later) == "posted"
    db.session.expire_all()
    assert before.status == PostStatus.CANCELLED and between.status == PostStatus.POSTED
    assert receiver.deliveries == 1


def test_cancel_after_sending_is_refused(platform_channel, make_message, schedule, dispatch, now, lead):
    channel, _ = platform_channel("webhook")
    [post] = schedule(make_message(), [channel], now=now)
    dispatch(now)
    with pytest.raises(services.PublishingError, match="Too late"):
        services.cancel_post(post, actor=lead)


def test_several_workers_at_once_publish_each_post_once(
    app, make_message, schedule, now, receiver, mastodon, mixed_channels
):
    channels = mixed_channels
    posts = []
    for _ in range(3):
        posts += schedule(make_message(), channels, now=now)
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        with app.app_context():
            try:
                for step in range(4):  # each pass takes one post per channel
                    dispatch_once(app, worker_id=f"w{number}", now=now + timedelta(minutes=step))
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    assert errors == []
    assert {p.status for p in posts} == {PostStatus.POSTED}
    # One fake account serves several channels, so texts repeat across channels; keys never do.
    assert set(receiver.created_by_key.values()) == set(mastodon.created_by_key.values()) == {1}
    assert sum(receiver.created_by_key.values()) + sum(mastodon.created_by_key.values()) == len(posts) == 18
