"""Look before you re-send, copies, holds a person acts on, and the claims people share with workers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from app.campaigns.models import CampaignStatus
from app.extensions import db
from app.notifications.models import Notification
from app.publishing import services
from app.publishing.dispatch import lock_channel, release_campaign_holds, unlock_channel
from app.publishing.models import HeldCode, PostStatus
from tests.fakes.mastodon import FakeMastodon
from tests.publishing.conftest import CLIENT_TIMEOUT, HANG


@pytest.fixture
def app_config() -> dict:
    # One thread: the order in which channels are served is the order of their slots.
    return {"COUNTERPOINT_CONNECTOR_TIMEOUT": CLIENT_TIMEOUT, "COUNTERPOINT_DISPATCH_THREADS": 1}


@pytest.fixture
def key_ignoring() -> Iterator[FakeMastodon]:
    """A Mastodon-API server that ignores Idempotency-Key (Takahē, GoToSocial and others behave so)."""
    with FakeMastodon(honour_idempotency=False) as fake:
        fake.hang_seconds = HANG
        yield fake


@pytest.fixture
def ignoring_channel(org, make_channel, key_ignoring):
    return make_channel(
        org,
        "mastodon",
        name="Takahe",
        server_url=key_ignoring.url,
        credentials={"access_token": "test-token"},
    )


def _kinds(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))


def test_a_lost_answer_on_a_key_ignoring_server_leaves_one_status(
    ignoring_channel, key_ignoring, make_message, schedule, dispatch, now
):
    [post] = schedule(make_message(), [ignoring_channel], now=now)
    key_ignoring.script("timeout_after_store")

    assert dispatch(now).outcomes == {"retry": 1}
    assert post.may_be_live
    dispatch(now + timedelta(minutes=1))

    assert post.status == PostStatus.POSTED
    assert key_ignoring.create_calls == 1 and len(key_ignoring.statuses) == 1
    assert post.remote_id == key_ignoring.statuses[0]["id"]
    assert [a.outcome for a in post.attempts] == ["unknown", "found"]


def test_persistent_loss_never_makes_a_second_status(
    ignoring_channel, key_ignoring, make_message, schedule, dispatch, now
):
    [post] = schedule(make_message(), [ignoring_channel], now=now)
    for _ in range(6):
        key_ignoring.script("reset_after_store")
    moment = now
    for _ in range(4):
        dispatch(moment)
        moment += timedelta(minutes=31)
    assert post.status == PostStatus.POSTED
    assert len(key_ignoring.statuses) == 1 and key_ignoring.duplicates() == {}


def test_a_certainly_absent_post_is_sent_again_with_the_same_key(
    ignoring_channel, key_ignoring, make_message, schedule, dispatch, now
):
    [post] = schedule(make_message(), [ignoring_channel], now=now)
    key_ignoring.script("500")  # answered before storing anything
    dispatch(now)
    assert post.status == PostStatus.QUEUED and post.may_be_live
    dispatch(now + timedelta(minutes=1))
    assert post.status == PostStatus.POSTED
    assert [a.outcome for a in post.attempts] == ["server_error", "lookup_absent", "posted"]
    assert len(key_ignoring.statuses) == 1


def test_several_copies_are_recorded_and_the_owners_told(
    client, auth, ignoring_channel, key_ignoring, make_message, schedule, dispatch, now, lead
):
    [post] = schedule(make_message(), [ignoring_channel], now=now)
    key_ignoring.script("timeout_after_store")
    dispatch(now)
    # Meanwhile an older release re-sent blindly: the account now holds two copies.
    httpx.post(
        f"{key_ignoring.url}/api/v1/statuses",
        data={"status": post.text},
        headers={"Authorization": "Bearer test-token"},
    ).raise_for_status()

    assert dispatch(now + timedelta(minutes=1)).outcomes == {"duplicates_found": 1}
    assert post.status == PostStatus.POSTED
    assert post.remote_id == key_ignoring.statuses[0]["id"]  # the oldest copy is the post
    assert [(c.remote_id, c.is_kept) for c in post.copies] == [
        (key_ignoring.statuses[0]["id"], True),
        (key_ignoring.statuses[1]["id"], False),
    ]
    assert "post_duplicates" in _kinds(lead)
    auth.login(lead)
    page = client.get(f"/publishing/posts/{post.id}").get_data(as_text=True)
    assert "extra copy" in page and key_ignoring.statuses[1]["id"] in page
    kept, extra = post.copies
    assert client.post(f"/publishing/posts/{post.id}/copies/{kept.id}/delete").status_code == 302
    assert len(key_ignoring.statuses) == 2  # the post itself is never deleted
    client.post(f"/publishing/posts/{post.id}/copies/{extra.id}/delete")
    db.session.expire_all()
    assert [s["id"] for s in key_ignoring.statuses] == [post.remote_id]
    assert extra.deleted_at is not None and kept.deleted_at is None


def test_a_post_that_may_be_live_cannot_be_cancelled(
    ignoring_channel, key_ignoring, make_message, schedule, dispatch, now, lead
):
    [post] = schedule(make_message(), [ignoring_channel], now=now)
    key_ignoring.script("timeout_after_store")
    dispatch(now)
    with pytest.raises(services.PublishingError, match="may already be live"):
        services.cancel_post(post, actor=lead)
    db.session.rollback()
    dispatch(now + timedelta(minutes=1))
    assert post.status == PostStatus.POSTED


def test_a_rate_limit_holds_every_channel_on_that_server(
    org, make_channel, mastodon, make_message, schedule, dispatch, now
):
    first, second = (
        make_channel(
            org,
            "mastodon",
            name=f"masto {n}",
            server_url=mastodon.url,
            credentials={"access_token": "test-token"},
        )
        for n in range(2)
    )
    [a] = schedule(make_message(), [first], now=now)
    [b] = schedule(make_message(), [second], now=now, at=now + timedelta(seconds=30))
    mastodon.script("429", reset_in=120)

    assert dispatch(now + timedelta(minutes=1)).outcomes == {"rate_limited": 1}
    assert mastodon.create_calls == 1  # the other channel on the server sent nothing
    assert a.status == b.status == PostStatus.QUEUED
    assert b.next_attempt_at >= a.next_attempt_at > now + timedelta(minutes=1)
    dispatch(a.next_attempt_at + timedelta(seconds=1))
    assert a.status == b.status == PostStatus.POSTED


def test_held_while_the_campaign_plans_then_released_when_it_is_active(
    campaign, platform_channel, make_message, schedule, dispatch, now, lead, receiver
):
    channel, _ = platform_channel("webhook")
    [post] = schedule(make_message(), [channel], now=now)
    [late] = schedule(make_message(), [channel], now=now - timedelta(hours=3))
    campaign.status = CampaignStatus.PLANNING
    db.session.commit()

    dispatch(now)
    assert post.status == late.status == PostStatus.HELD
    assert post.held_code == HeldCode.CAMPAIGN_NOT_ACTIVE
    assert _kinds(lead) == ["post_held_campaign"]  # one notice for the campaign, not one per post

    campaign.status = CampaignStatus.ACTIVE
    db.session.commit()
    assert release_campaign_holds(now=now + timedelta(minutes=1)) == 1
    dispatch(now + timedelta(minutes=1))
    assert post.status == PostStatus.POSTED
    assert late.status == PostStatus.HELD  # past the lateness limit: a person decides
    assert receiver.deliveries == 1


def test_the_schedule_page_warns_when_the_campaign_is_not_active(client, auth, campaign, make_message, lead):
    message = make_message()
    campaign.status = CampaignStatus.PLANNING
    db.session.commit()
    auth.login(lead)
    page = client.get(f"/publishing/schedule/{message.id}").get_data(as_text=True)
    assert "not active" in page and "held at their slot" in page


def test_mark_by_hand_is_for_leads_and_never_races_the_worker(
    platform_channel, make_message, schedule, staff, lead, now
):
    channel, _ = platform_channel("webhook")
    [post] = schedule(make_message(), [channel], now=now)
    with pytest.raises(services.PublishingError, match="worker publishes this post"):
        services.mark_posted_manually(post, actor=lead, url="https://example.org/p/1")
    db.session.rollback()
    post.status = PostStatus.HELD
    db.session.commit()
    with pytest.raises(services.PublishingError, match="Only a lead"):
        services.mark_posted_manually(post, actor=staff, url="https://example.org/p/1")
    services.mark_posted_manually(post, actor=lead, url="https://example.org/p/1")
    db.session.commit()
    assert post.status == PostStatus.POSTED
    with pytest.raises(services.PublishingError, match="posted"):  # a second mark does not succeed
        services.mark_posted_manually(post, actor=lead, url="https://example.org/p/2")


def test_one_sender_per_channel_until_its_lease_runs_out(app, platform_channel, now):
    channel, _ = platform_channel("webhook")
    assert lock_channel(channel.id, "w1", now)
    assert not lock_channel(channel.id, "w2", now)
    lease = timedelta(seconds=app.config["COUNTERPOINT_LEASE_SECONDS"])
    assert lock_channel(channel.id, "w2", now + lease + timedelta(seconds=1))  # w1 died: taken over
    unlock_channel(channel.id, "w2")
    assert lock_channel(channel.id, "w1", now)


def test_check_again_finds_the_post_and_says_so(
    client, auth, platform_channel, make_message, schedule, dispatch, now, lead, mastodon
):
    channel, _ = platform_channel("mastodon")
    [post] = schedule(make_message(), [channel], now=now)
    mastodon.script("timeout_after_store")
    dispatch(now)
    post.status = PostStatus.UNKNOWN_OUTCOME  # e.g. the tries ran out while the platform was slow
    db.session.commit()
    auth.login(lead)
    page = client.post(f"/publishing/posts/{post.id}/reconcile", follow_redirects=True).get_data(as_text=True)
    assert "Found on the platform" in page
    db.session.expire_all()
    assert post.status == PostStatus.POSTED and post.remote_id == mastodon.statuses[0]["id"]
    assert mastodon.create_calls == 1
